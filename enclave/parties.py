"""Who trusts whom: public keys exchanged between agencies, the linkage unit and the enclave.

Each role keeps the public keys it trusts in its own ``parties/`` folder:
the enclave trusts agencies' and the linkage unit's signing keys; the linkage
unit trusts agencies' signing keys and seals to the enclave's key. On one
machine :func:`exchange_keys` does by file copy what separate organisations do
by registering keys with each other.
"""

from __future__ import annotations

import re
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_pem_public_key

from enclave.errors import InputError
from enclave.keys import KeyFile
from enclave.messages import text
from enclave.settings import Settings
from enclave.store import atomic_write

__all__ = [
    "ENCLAVE",
    "enclave_parties_dir",
    "enclave_trusted_signers",
    "exchange_keys",
    "linkage_unit_sealing_public",
    "register_agency_key",
]

ENCLAVE = "enclave"
_CODE = re.compile(r"^[a-z][a-z0-9_-]{1,63}$")


def enclave_parties_dir(settings: Settings) -> Path:
    """Folder of the public keys the enclave trusts."""
    return settings.data_dir / "parties"


def _pem(key: Ed25519PublicKey | X25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)


def exchange_keys(settings: Settings, keys: KeyFile) -> None:
    """Create the linkage unit's keys if needed and exchange public keys with it."""
    from enclave.linkage_unit import LINKAGE_UNIT
    from linkage.party_keys import generate_party_keys, load_party_keys, save_party_keys

    lu_keys_dir = settings.linkage_unit_dir / "keys"
    if not (lu_keys_dir / f"{LINKAGE_UNIT}.sealing.key.pem").exists():
        save_party_keys(generate_party_keys(LINKAGE_UNIT), lu_keys_dir)
    lu = load_party_keys(lu_keys_dir, LINKAGE_UNIT)
    lu_parties = settings.linkage_unit_dir / "parties"
    atomic_write(lu_parties / f"{ENCLAVE}.sealing.pub.pem", keys.sealing_public_pem(), mode=0o644)
    ours = enclave_parties_dir(settings)
    atomic_write(ours / f"{LINKAGE_UNIT}.signing.pub.pem", _pem(lu.signing.public_key()), mode=0o644)
    atomic_write(ours / f"{LINKAGE_UNIT}.sealing.pub.pem", _pem(lu.sealing.public_key()), mode=0o644)


def register_agency_key(settings: Settings, agency_code: str, signing_public_pem: bytes) -> None:
    """Trust ``agency_code``'s Ed25519 signing key in the enclave and the linkage unit.

    Raises:
        InputError: A bad agency code or not an Ed25519 public key in PEM.
    """
    if not _CODE.match(agency_code):
        raise InputError(text("parties.bad_code"))
    try:
        key = load_pem_public_key(signing_public_pem)
    except ValueError:
        raise InputError(text("parties.bad_key")) from None
    if not isinstance(key, Ed25519PublicKey):
        raise InputError(text("parties.bad_key"))
    for folder in (enclave_parties_dir(settings), settings.linkage_unit_dir / "parties"):
        atomic_write(folder / f"{agency_code}.signing.pub.pem", _pem(key), mode=0o644)


def enclave_trusted_signers(settings: Settings) -> dict[str, Ed25519PublicKey]:
    """Signing keys the enclave accepts packages from: agencies and the linkage unit."""
    signers: dict[str, Ed25519PublicKey] = {}
    for path in sorted(enclave_parties_dir(settings).glob("*.signing.pub.pem")):
        key = load_pem_public_key(path.read_bytes())
        if isinstance(key, Ed25519PublicKey):
            signers[path.name.removesuffix(".signing.pub.pem")] = key
    return signers


def linkage_unit_sealing_public(settings: Settings) -> X25519PublicKey:
    """The linkage unit's sealing key, which agencies seal match keys to."""
    from enclave.linkage_unit import LINKAGE_UNIT

    key = load_pem_public_key((enclave_parties_dir(settings) / f"{LINKAGE_UNIT}.sealing.pub.pem").read_bytes())
    assert isinstance(key, X25519PublicKey)
    return key
