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
    "import_linkage_unit_keys",
    "linkage_unit_public_pems",
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
    """Create the linkage unit's keys if needed and exchange public keys with it.

    With a separate linkage unit (``ENCLAVE_LINKAGE_UNIT_URL``) nothing is
    created here: its keys are its own, and :func:`import_linkage_unit_keys`
    registers their public halves.
    """
    from enclave.linkage_unit import LINKAGE_UNIT

    if settings.has_separate_linkage_unit:
        return
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
    folders = [enclave_parties_dir(settings)]
    if not settings.has_separate_linkage_unit:
        # A separate linkage unit trusts agencies itself (`enclave linkage-unit trust-agency`).
        folders.append(settings.linkage_unit_dir / "parties")
    for folder in folders:
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


def import_linkage_unit_keys(settings: Settings, signing_pem: bytes, sealing_pem: bytes) -> dict[str, str]:
    """Register a separate linkage unit's public keys with the enclave.

    The signing key verifies the linkage maps it delivers; the sealing key is
    the one agencies seal match keys to. Both replace what was registered.

    Returns:
        The fingerprint of each key by use (``signing``, ``sealing``), to be
        compared with the ones the linkage unit's operator reads out.

    Raises:
        InputError: Not an Ed25519 signing key and an X25519 sealing key in PEM.
    """
    from enclave.linkage_unit import LINKAGE_UNIT
    from linkage.party_keys import fingerprint

    loaded: dict[str, Ed25519PublicKey | X25519PublicKey] = {}
    for use, pem, kind in (("signing", signing_pem, Ed25519PublicKey), ("sealing", sealing_pem, X25519PublicKey)):
        try:
            key = load_pem_public_key(pem)
        except (ValueError, TypeError):
            raise InputError(text("parties.bad_linkage_unit_key", use=use)) from None
        if not isinstance(key, kind):
            raise InputError(text("parties.bad_linkage_unit_key", use=use))
        loaded[use] = key
    folder = enclave_parties_dir(settings)
    for use, key in loaded.items():
        atomic_write(folder / f"{LINKAGE_UNIT}.{use}.pub.pem", _pem(key), mode=0o644)
    return {use: fingerprint(key) for use, key in loaded.items()}


def linkage_unit_public_pems(settings: Settings) -> dict[str, bytes]:
    """The linkage unit's public keys the enclave holds, by use (``sealing``, ``signing``); missing ones left out."""
    from enclave.linkage_unit import LINKAGE_UNIT

    folder = enclave_parties_dir(settings)
    return {use: (folder / f"{LINKAGE_UNIT}.{use}.pub.pem").read_bytes()
            for use in ("sealing", "signing") if (folder / f"{LINKAGE_UNIT}.{use}.pub.pem").is_file()}
