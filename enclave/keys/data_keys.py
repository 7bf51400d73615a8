"""Envelope encryption: data keys wrapped under the key-encryption key.

Each dataset, project and service purpose has its own AES-256-GCM data key.
The database stores it only wrapped (AES-256-GCM under the KEK, with the key
id and KEK id bound as associated data so a wrapped key cannot be moved to
another id). Rotating the KEK re-wraps keys without touching data; shredding
a key erases the wrapped copy, after which its objects are unreadable.
"""

from __future__ import annotations

import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.db.models import DataKey, utcnow
from enclave.errors import Conflict, KeyShredded, UnknownKey, WrongKeyFile
from enclave.keys.key_file import KeyFile
from enclave.messages import text

__all__ = ["Keyring", "dataset_key_id", "project_key_id"]

_NONCE = 12


def dataset_key_id(dataset_id: int | str) -> str:
    """Return the data-key id of a dataset."""
    return f"dataset-{dataset_id}"


def project_key_id(project_id: int | str, purpose: str = "data") -> str:
    """Return the data-key id of a project (``data`` or ``pseudonym``)."""
    return f"project-{project_id}-{purpose}"


def _aad(key_id: str, kek_id: str) -> bytes:
    return f"enclave-data-key/1\0{key_id}\0{kek_id}".encode()


class Keyring:
    """Creates, unwraps, shreds and re-wraps data keys.

    Args:
        keys: The loaded key file.
    """

    def __init__(self, keys: KeyFile) -> None:
        self.keys = keys

    def create(self, session: Session, key_id: str) -> None:
        """Create the data key ``key_id``; an existing live key is kept.

        Raises:
            Conflict: When the id belongs to a shredded key (ids are never reused).
        """
        existing = session.get(DataKey, key_id)
        if existing is not None:
            if existing.shredded_at is not None:
                raise Conflict(text("keys.shredded", key_id=key_id, when=existing.shredded_at.date()))
            return
        wrapped = self._wrap(key_id, secrets.token_bytes(32))
        session.add(DataKey(key_id=key_id, kek_id=self.keys.kek_id, wrapped=wrapped))
        session.flush()

    def unwrap(self, session: Session, key_id: str) -> bytes:
        """Return the raw data key.

        Raises:
            UnknownKey: No such key.
            KeyShredded: The key was destroyed.
            WrongKeyFile: The key does not unwrap under this key file.
        """
        row = session.get(DataKey, key_id)
        if row is None:
            raise UnknownKey(text("keys.unknown", key_id=key_id))
        if row.wrapped is None or row.shredded_at is not None:
            when = row.shredded_at.date() if row.shredded_at else "?"
            raise KeyShredded(text("keys.shredded", key_id=key_id, when=when))
        kek = self.keys.kek_for(row.kek_id)
        if kek is None:
            raise WrongKeyFile(text("keys.wrong_key_file", key_id=key_id))
        try:
            return AESGCM(kek).decrypt(row.wrapped[:_NONCE], row.wrapped[_NONCE:], _aad(key_id, row.kek_id))
        except InvalidTag:
            raise WrongKeyFile(text("keys.wrong_key_file", key_id=key_id)) from None

    def shred(self, session: Session, key_id: str) -> bool:
        """Destroy the data key: its objects can never be decrypted again.

        Returns:
            ``True`` when a live key was shredded, ``False`` when it already was.
        """
        row = session.get(DataKey, key_id)
        if row is None:
            raise UnknownKey(text("keys.unknown", key_id=key_id))
        if row.shredded_at is not None:
            return False
        row.wrapped = None
        row.shredded_at = utcnow()
        session.flush()
        return True

    def rewrap_all(self, session: Session, new_keys: KeyFile) -> int:
        """Re-wrap every live data key under ``new_keys``' active KEK.

        The caller saves ``new_keys`` (with the old KEK retired) *before* this,
        and drops the retired KEK only after the transaction commits, so a
        crash at any point leaves every key unwrappable.

        Returns:
            How many keys were re-wrapped.
        """
        count = 0
        rows = session.scalars(select(DataKey).where(DataKey.wrapped.is_not(None))).all()
        target = Keyring(new_keys)
        for row in rows:
            raw = self.unwrap(session, row.key_id)
            row.wrapped = target._wrap(row.key_id, raw)
            row.kek_id = new_keys.kek_id
            count += 1
        session.flush()
        return count

    def _wrap(self, key_id: str, raw: bytes) -> bytes:
        nonce = secrets.token_bytes(_NONCE)
        return nonce + AESGCM(self.keys.kek).encrypt(nonce, raw, _aad(key_id, self.keys.kek_id))
