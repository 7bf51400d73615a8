"""Key pairs of the three parties, and the project's linkage secret.

Each party (an agency, the linkage unit, the enclave) holds an X25519 key pair
to receive sealed packages and an Ed25519 key pair to sign what it sends. They
are stored as PEM files named ``<name>.sealing.key.pem`` /
``<name>.sealing.pub.pem`` / ``<name>.signing.key.pem`` / ``<name>.signing.pub.pem``;
private files are created with mode 0600 (and optionally encrypted with a
passphrase). A public key is identified by its fingerprint, the first 16 bytes
of the SHA-256 of its raw form, so that manifests and messages can name a key
without carrying it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from linkage.atomic_files import write_bytes_atomically
from linkage.errors import KeyFileError
from linkage.messages import text

__all__ = [
    "PartyKeys",
    "fingerprint",
    "generate_linkage_secret",
    "generate_party_keys",
    "load_linkage_secret",
    "load_party_keys",
    "load_sealing_public_key",
    "load_signing_public_key",
    "save_linkage_secret",
    "save_party_keys",
]

PublicKey = X25519PublicKey | Ed25519PublicKey


def fingerprint(public_key: PublicKey) -> str:
    """Return a short, stable name of a public key: ``sha256:`` and 32 hex characters.

    Args:
        public_key: An X25519 or Ed25519 public key.

    Returns:
        The fingerprint.
    """
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "sha256:" + hashlib.sha256(raw).hexdigest()[:32]


@dataclass(frozen=True)
class PartyKeys:
    """A party's sealing (X25519) and signing (Ed25519) private keys.

    Attributes:
        name: The party's name (agency, ``linkage-unit``, ``enclave``).
        sealing: Private key that opens packages sealed to this party.
        signing: Private key this party signs with.
    """

    name: str
    sealing: X25519PrivateKey
    signing: Ed25519PrivateKey

    def __repr__(self) -> str:
        return f"PartyKeys(name={self.name!r}, sealing={self.sealing_fingerprint}, signing={self.signing_fingerprint})"

    @property
    def sealing_public(self) -> X25519PublicKey:
        """Return the public key others seal packages to."""
        return self.sealing.public_key()

    @property
    def signing_public(self) -> Ed25519PublicKey:
        """Return the public key others verify this party's signatures with."""
        return self.signing.public_key()

    @property
    def sealing_fingerprint(self) -> str:
        """Return the sealing public key's fingerprint."""
        return fingerprint(self.sealing_public)

    @property
    def signing_fingerprint(self) -> str:
        """Return the signing public key's fingerprint."""
        return fingerprint(self.signing_public)


def generate_party_keys(name: str) -> PartyKeys:
    """Generate fresh sealing and signing key pairs for a party.

    Args:
        name: The party's name.

    Returns:
        The new keys (not yet saved).
    """
    return PartyKeys(name=name, sealing=X25519PrivateKey.generate(), signing=Ed25519PrivateKey.generate())


def _paths(directory: Path, name: str) -> dict[str, Path]:
    return {
        "sealing_key": directory / f"{name}.sealing.key.pem",
        "sealing_pub": directory / f"{name}.sealing.pub.pem",
        "signing_key": directory / f"{name}.signing.key.pem",
        "signing_pub": directory / f"{name}.signing.pub.pem",
    }


def save_party_keys(
    keys: PartyKeys, directory: str | Path, passphrase: bytes | None = None, overwrite: bool = False
) -> dict[str, Path]:
    """Write a party's keys as four PEM files; private ones with mode 0600.

    Args:
        keys: The keys.
        directory: Target folder (created if needed).
        passphrase: If given, private keys are encrypted with it.
        overwrite: Replace existing files instead of refusing.

    Returns:
        The written paths by role (``sealing_key``, ``sealing_pub``, ``signing_key``, ``signing_pub``).

    Raises:
        KeyFileError: If a file exists and ``overwrite`` is false.
    """
    paths = _paths(Path(directory), keys.name)
    if not overwrite:
        for path in paths.values():
            if path.exists():
                raise KeyFileError(text("keys.exists", path=path))
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    private_format = serialization.PrivateFormat.PKCS8
    public_format = serialization.PublicFormat.SubjectPublicKeyInfo
    pem = serialization.Encoding.PEM
    write_bytes_atomically(
        paths["sealing_key"], keys.sealing.private_bytes(pem, private_format, encryption), 0o600
    )
    write_bytes_atomically(
        paths["signing_key"], keys.signing.private_bytes(pem, private_format, encryption), 0o600
    )
    write_bytes_atomically(paths["sealing_pub"], keys.sealing_public.public_bytes(pem, public_format))
    write_bytes_atomically(paths["signing_pub"], keys.signing_public.public_bytes(pem, public_format))
    return paths


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise KeyFileError(text("keys.missing", path=path)) from None


def load_party_keys(
    directory: str | Path, name: str, passphrase: bytes | None = None
) -> PartyKeys:
    """Load a party's private keys written by :func:`save_party_keys`.

    Args:
        directory: The key folder.
        name: The party's name.
        passphrase: The passphrase, if the keys are encrypted.

    Returns:
        The keys.

    Raises:
        KeyFileError: If a file is missing, malformed or of the wrong key type, or
            the keys are encrypted and ``passphrase`` is missing or wrong.
    """
    paths = _paths(Path(directory), name)
    loaded = []
    for role, kind in (("sealing_key", X25519PrivateKey), ("signing_key", Ed25519PrivateKey)):
        data = _read(paths[role])
        encrypted = b"ENCRYPTED" in data[:64]
        try:
            # A passphrase given for keys kept unencrypted is not needed, not an error.
            key = serialization.load_pem_private_key(data, password=passphrase if encrypted else None)
        except TypeError:
            raise KeyFileError(text("keys.needs_passphrase", path=paths[role].parent, name=name,
                                    env="LINKAGE_KEY_PASSPHRASE")) from None
        except ValueError:
            message = "keys.wrong_passphrase" if encrypted else "keys.bad"
            raise KeyFileError(text(message, path=paths[role], expected=kind.__name__)) from None
        if not isinstance(key, kind):
            raise KeyFileError(text("keys.bad", path=paths[role], expected=kind.__name__))
        loaded.append(key)
    sealing, signing = loaded
    assert isinstance(sealing, X25519PrivateKey) and isinstance(signing, Ed25519PrivateKey)
    return PartyKeys(name=name, sealing=sealing, signing=signing)


def load_sealing_public_key(path: str | Path) -> X25519PublicKey:
    """Load an X25519 public key (``*.sealing.pub.pem``).

    Args:
        path: The PEM file.

    Returns:
        The key.

    Raises:
        KeyFileError: If missing or not an X25519 public key.
    """
    data = _read(Path(path))
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError:
        key = None
    if not isinstance(key, X25519PublicKey):
        raise KeyFileError(text("keys.bad", path=path, expected="X25519 public"))
    return key


def load_signing_public_key(path: str | Path) -> Ed25519PublicKey:
    """Load an Ed25519 public key (``*.signing.pub.pem``).

    Args:
        path: The PEM file.

    Returns:
        The key.

    Raises:
        KeyFileError: If missing or not an Ed25519 public key.
    """
    data = _read(Path(path))
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError:
        key = None
    if not isinstance(key, Ed25519PublicKey):
        raise KeyFileError(text("keys.bad", path=path, expected="Ed25519 public"))
    return key


def generate_linkage_secret() -> bytes:
    """Return a fresh 32-byte linkage secret for a project's agencies."""
    return secrets.token_bytes(32)


def save_linkage_secret(secret: bytes, path: str | Path, overwrite: bool = False) -> Path:
    """Write a linkage secret as 64 hex characters with mode 0600.

    Args:
        secret: 32 bytes.
        path: Target file.
        overwrite: Replace an existing file instead of refusing.

    Returns:
        The path.

    Raises:
        KeyFileError: If the file exists and ``overwrite`` is false.
    """
    target = Path(path)
    if target.exists() and not overwrite:
        raise KeyFileError(text("keys.exists", path=target))
    return write_bytes_atomically(target, secret.hex().encode("ascii") + b"\n", 0o600)


def load_linkage_secret(path: str | Path) -> bytes:
    """Read a linkage secret written by :func:`save_linkage_secret`.

    Args:
        path: The file.

    Returns:
        The 32-byte secret.

    Raises:
        KeyFileError: If missing or malformed.
    """
    raw = _read(Path(path)).strip()
    try:
        secret = bytes.fromhex(raw.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        secret = b""
    if len(secret) != 32:
        raise KeyFileError(text("keys.bad_secret", path=path))
    return secret
