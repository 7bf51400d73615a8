"""The enclave's key file: the root of every secret the enclave holds.

It holds the key-encryption key (KEK) that wraps every data key, the audit
key that MACs the audit log, the session secret, and the enclave's own
X25519 (packages are sealed to it) and Ed25519 (it signs releases,
destruction certificates and the audit log's head and checkpoints) private
keys. The file is created with mode 0600 and replaced atomically. During a
rotation the previous KEK is kept under ``retired_keks`` until every data key
has been re-wrapped, so a crash half-way through loses nothing.
"""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from enclave.errors import ConfigurationError
from enclave.messages import text
from enclave.store.atomic import atomic_write

__all__ = ["KeyFile", "create_key_file", "load_key_file", "new_kek_id"]

_FORMAT = "enclave-keys/1"


def new_kek_id() -> str:
    """Return a fresh, non-secret identifier for a key-encryption key."""
    return "kek-" + secrets.token_hex(6)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


@dataclass(frozen=True, repr=False)
class KeyFile:
    """The decoded key file. Its ``repr`` never shows key material."""

    path: Path
    kek_id: str
    kek: bytes
    audit_key: bytes
    session_secret: bytes
    signing_key_raw: bytes
    sealing_key_raw: bytes
    retired_keks: dict[str, bytes] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"KeyFile(path={str(self.path)!r}, kek_id={self.kek_id!r})"

    @property
    def signing_key(self) -> Ed25519PrivateKey:
        """The enclave's Ed25519 key for releases and destruction certificates."""
        return Ed25519PrivateKey.from_private_bytes(self.signing_key_raw)

    @property
    def sealing_key(self) -> X25519PrivateKey:
        """The enclave's X25519 key that agencies and the linkage unit seal to."""
        return X25519PrivateKey.from_private_bytes(self.sealing_key_raw)

    @property
    def signing_public_key(self) -> Ed25519PublicKey:
        """Public half of :attr:`signing_key`, for verifiers outside the enclave."""
        return self.signing_key.public_key()

    @property
    def sealing_public_key(self) -> X25519PublicKey:
        """Public half of :attr:`sealing_key`, handed to agencies."""
        return self.sealing_key.public_key()

    def signing_public_pem(self) -> bytes:
        """Return the signing public key as PEM."""
        return self.signing_public_key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)

    def sealing_public_pem(self) -> bytes:
        """Return the sealing public key as PEM."""
        return self.sealing_public_key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)

    def kek_for(self, kek_id: str) -> bytes | None:
        """Return the active or a retired KEK by id, or ``None``."""
        if kek_id == self.kek_id:
            return self.kek
        return self.retired_keks.get(kek_id)

    def with_new_kek(self) -> KeyFile:
        """Return a copy with a fresh active KEK; the old one is retired, not lost."""
        retired = dict(self.retired_keks)
        retired[self.kek_id] = self.kek
        return replace(self, kek_id=new_kek_id(), kek=secrets.token_bytes(32), retired_keks=retired)

    def without_retired(self) -> KeyFile:
        """Return a copy that forgets retired KEKs (after a completed rotation)."""
        return replace(self, retired_keks={})

    def save(self) -> None:
        """Write the key file atomically with mode 0600."""
        doc = {
            "format": _FORMAT,
            "kek": {"id": self.kek_id, "key": _b64(self.kek)},
            "retired_keks": {k: _b64(v) for k, v in self.retired_keks.items()},
            "audit_key": _b64(self.audit_key),
            "session_secret": _b64(self.session_secret),
            "signing_key": _b64(self.signing_key_raw),
            "sealing_key": _b64(self.sealing_key_raw),
        }
        atomic_write(self.path, json.dumps(doc, indent=1).encode("utf-8"), mode=0o600)


def create_key_file(path: Path) -> KeyFile:
    """Create a new key file at ``path`` (which must not exist).

    Args:
        path: Where to write it; parent folders are created with mode 0700.

    Returns:
        The new key file.
    """
    from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    raw = {"encoding": Encoding.Raw, "format": PrivateFormat.Raw, "encryption_algorithm": NoEncryption()}
    keys = KeyFile(
        path=path,
        kek_id=new_kek_id(),
        kek=secrets.token_bytes(32),
        audit_key=secrets.token_bytes(32),
        session_secret=secrets.token_bytes(32),
        signing_key_raw=Ed25519PrivateKey.generate().private_bytes(**raw),
        sealing_key_raw=X25519PrivateKey.generate().private_bytes(**raw),
    )
    keys.save()
    return keys


def load_key_file(path: Path) -> KeyFile:
    """Read and check the key file at ``path``.

    Raises:
        ConfigurationError: When the file is missing or not a valid key file.
            The message names the path only, never any content.
    """
    if not path.exists():
        raise ConfigurationError(text("settings.missing_key_file", path=path))
    try:
        doc = json.loads(path.read_bytes())
        if doc.get("format") != _FORMAT:
            raise ValueError("format")

        def raw(value: str, size: int) -> bytes:
            decoded = base64.b64decode(value, validate=True)
            if len(decoded) != size:
                raise ValueError("size")
            return decoded

        return KeyFile(
            path=path,
            kek_id=str(doc["kek"]["id"]),
            kek=raw(doc["kek"]["key"], 32),
            retired_keks={str(k): raw(v, 32) for k, v in doc.get("retired_keks", {}).items()},
            audit_key=raw(doc["audit_key"], 32),
            session_secret=raw(doc["session_secret"], 32),
            signing_key_raw=raw(doc["signing_key"], 32),
            sealing_key_raw=raw(doc["sealing_key"], 32),
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ConfigurationError(text("keys.bad_key_file", path=path)) from None
