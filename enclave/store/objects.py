"""Encrypted object storage under the data folder.

Each object is one file, AES-256-GCM encrypted under its data key with the
object id and key id bound as associated data: a file copied over another
object's file, altered or truncated fails to decrypt with a clear integrity
error instead of yielding someone else's data.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from enclave.errors import InputError, ObjectIntegrityError, ObjectMissing
from enclave.messages import text
from enclave.store.atomic import atomic_write

__all__ = ["EncryptedObjectStore"]

_MAGIC = b"ENCOBJ1\0"
_NONCE = 12
_SEGMENT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$")


def _aad(object_id: str, key_id: str) -> bytes:
    return f"enclave-object/1\0{object_id}\0{key_id}".encode()


class EncryptedObjectStore:
    """Stores byte strings encrypted at rest, one file per object.

    Args:
        root: The folder the objects live in.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_of(self, object_id: str) -> Path:
        """Return the file of ``object_id``; ids are ``/``-separated safe segments.

        Raises:
            InputError: When the id could escape the store (``..``, odd characters).
        """
        parts = object_id.split("/")
        if not parts or not all(_SEGMENT.match(p) for p in parts):
            raise InputError(text("store.bad_id"))
        return self.root.joinpath(*parts[:-1], parts[-1] + ".enc")

    def put(self, object_id: str, data: bytes, key: bytes, key_id: str) -> Path:
        """Encrypt and store ``data`` atomically, replacing any previous version."""
        nonce = secrets.token_bytes(_NONCE)
        blob = _MAGIC + nonce + AESGCM(key).encrypt(nonce, data, _aad(object_id, key_id))
        path = self.path_of(object_id)
        atomic_write(path, blob)
        return path

    def get(self, object_id: str, key: bytes, key_id: str) -> bytes:
        """Read and decrypt ``object_id``.

        Raises:
            ObjectMissing: No such object.
            ObjectIntegrityError: The file was altered, truncated or swapped.
        """
        path = self.path_of(object_id)
        try:
            blob = path.read_bytes()
        except FileNotFoundError:
            raise ObjectMissing(text("store.missing", object_id=object_id)) from None
        if not blob.startswith(_MAGIC) or len(blob) < len(_MAGIC) + _NONCE + 16:
            raise ObjectIntegrityError(text("store.integrity", object_id=object_id))
        body = blob[len(_MAGIC):]
        try:
            return AESGCM(key).decrypt(body[:_NONCE], body[_NONCE:], _aad(object_id, key_id))
        except InvalidTag:
            raise ObjectIntegrityError(text("store.integrity", object_id=object_id)) from None

    def exists(self, object_id: str) -> bool:
        """Whether ``object_id`` is stored."""
        return self.path_of(object_id).exists()

    def delete(self, object_id: str) -> bool:
        """Delete ``object_id``; returns whether it existed."""
        path = self.path_of(object_id)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        return True

    def delete_prefix(self, prefix: str) -> int:
        """Delete every object under the folder ``prefix``; returns how many."""
        folder = self.root.joinpath(*prefix.strip("/").split("/"))
        if not folder.is_dir():
            return 0
        count = 0
        for file in sorted(folder.rglob("*.enc")):
            file.unlink()
            count += 1
        return count
