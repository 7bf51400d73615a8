"""Who trusts whom: public keys exchanged between agencies, the linkage unit and the enclave.

Each role keeps the public keys it trusts in its own ``parties/`` folder:
the enclave trusts agencies' and the linkage unit's signing keys; the linkage
unit trusts agencies' signing keys and seals to the enclave's key. On one
machine :func:`exchange_keys` does by file copy what separate organisations do
by registering keys with each other. Agencies' keys are written here from the
agency registry (:mod:`enclave.agencies`), never by hand, and
:func:`public_keys` lists what the enclave hands out with fingerprints.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_pem_public_key

from enclave.errors import InputError, NotInitialized
from enclave.keys import KeyFile
from enclave.messages import text
from enclave.settings import Settings
from enclave.store import atomic_write
from linkage.party_keys import fingerprint

__all__ = [
    "ENCLAVE",
    "PublicKeyEntry",
    "check_agency_code",
    "enclave_parties_dir",
    "enclave_trusted_signers",
    "exchange_keys",
    "import_linkage_unit_keys",
    "linkage_unit_public_pems",
    "linkage_unit_sealing_public",
    "load_agency_signing_key",
    "public_key_entry",
    "public_keys",
    "write_trusted_agency_keys",
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


def write_trusted_agency_keys(
    settings: Settings, active: Mapping[str, bytes], retired: Mapping[str, Sequence[bytes]]
) -> None:
    """Rewrite both roles' trust folders so they hold exactly the registry's agency keys.

    Called by :mod:`enclave.agencies` after every change to the registry. A
    key that is no longer active leaves the folders, so a package signed with
    it is refused as from an unknown signer. The linkage unit also keeps the
    retired (not revoked) keys in ``parties/retired/``: match-key packages it
    received while such a key was active are opened again at linking time.

    Args:
        settings: The service settings (where the folders are).
        active: Each active agency's code and its active signing key (PEM).
        retired: Each agency's retired signing keys (PEM), revoked ones left out.
    """
    from enclave.linkage_unit import LINKAGE_UNIT

    own = {LINKAGE_UNIT, ENCLAVE}
    folders = [enclave_parties_dir(settings)]
    if not settings.has_separate_linkage_unit:
        # A separate linkage unit trusts agencies itself (`enclave linkage-unit trust-agency`).
        folders.append(settings.linkage_unit_dir / "parties")
    for folder in folders:
        for code, pem in active.items():
            atomic_write(folder / f"{code}.signing.pub.pem", pem, mode=0o644)
        for path in folder.glob("*.signing.pub.pem"):
            code = path.name.removesuffix(".signing.pub.pem")
            if code not in active and code not in own:
                path.unlink()
    if settings.has_separate_linkage_unit:
        return
    retired_dir = settings.linkage_unit_dir / "parties" / "retired"
    wanted = set()
    for code, pems in retired.items():
        for pem in pems:
            name = f"{code}.{fingerprint(_load_signing_key(pem)).removeprefix('sha256:')}.signing.pub.pem"
            wanted.add(name)
            atomic_write(retired_dir / name, pem, mode=0o644)
    if retired_dir.exists():
        for path in retired_dir.glob("*.signing.pub.pem"):
            if path.name not in wanted:
                path.unlink()


def _load_signing_key(pem: bytes) -> Ed25519PublicKey:
    key = load_pem_public_key(pem)
    assert isinstance(key, Ed25519PublicKey)
    return key


def load_agency_signing_key(pem: bytes) -> Ed25519PublicKey:
    """Read an agency's signing public key from PEM.

    Raises:
        InputError: Not an Ed25519 public key in PEM.
    """
    try:
        key = load_pem_public_key(pem)
    except (ValueError, TypeError):
        raise InputError(text("parties.bad_key")) from None
    if not isinstance(key, Ed25519PublicKey):
        raise InputError(text("parties.bad_key"))
    return key


def check_agency_code(code: str) -> None:
    """Refuse an agency code that cannot name trust files and catalog entries.

    Raises:
        InputError: Not lower-case letters, digits, '_' and '-' (2 to 64), or a party's own name.
    """
    from enclave.linkage_unit import LINKAGE_UNIT

    if not _CODE.match(code) or code in (ENCLAVE, LINKAGE_UNIT):
        raise InputError(text("parties.bad_code"))


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


@dataclass(frozen=True)
class PublicKeyEntry:
    """A public key the enclave hands out, as ``GET /api/v1/keys`` describes it.

    Attributes:
        party: ``enclave`` or ``linkage-unit``.
        use: ``sealing`` (packages are sealed to it) or ``signing`` (it verifies signatures).
        algorithm: ``X25519`` or ``Ed25519``.
        pem: The key as PEM text.
        fingerprint: :func:`linkage.party_keys.fingerprint` of the key, for confirmation out of band.
    """

    party: str
    use: str
    algorithm: str
    pem: str
    fingerprint: str

    def to_dict(self) -> dict[str, str]:
        """The entry as the API answers it."""
        return {"party": self.party, "use": self.use, "algorithm": self.algorithm, "pem": self.pem,
                "fingerprint": self.fingerprint}


def public_key_entry(party: str, key: Ed25519PublicKey | X25519PublicKey) -> PublicKeyEntry:
    """Describe one public key as ``GET /api/v1/keys`` lists it (the enclave's and the linkage unit's API)."""
    signing = isinstance(key, Ed25519PublicKey)
    return PublicKeyEntry(party=party, use="signing" if signing else "sealing",
                          algorithm="Ed25519" if signing else "X25519", pem=_pem(key).decode("ascii"),
                          fingerprint=fingerprint(key))


def public_keys(settings: Settings, keys: KeyFile) -> list[PublicKeyEntry]:
    """Every public key the enclave hands out: its own and the linkage unit's, sealing then signing.

    Agencies seal content to the enclave and match keys to the linkage unit,
    and verify what either signs; anyone setting up the partner tool compares
    these fingerprints with the ones the operators read out to them.

    A separate linkage unit's keys are listed once they are registered with
    ``enclave linkage-unit-keys import``.

    Raises:
        NotInitialized: The in-process linkage unit's public keys are missing (``enclave init`` not run).
    """
    from enclave.linkage_unit import LINKAGE_UNIT

    entries = [public_key_entry(ENCLAVE, keys.sealing_public_key), public_key_entry(ENCLAVE, keys.signing_public_key)]
    folder = enclave_parties_dir(settings)
    for use in ("sealing", "signing"):
        path = folder / f"{LINKAGE_UNIT}.{use}.pub.pem"
        try:
            key = load_pem_public_key(path.read_bytes())
        except FileNotFoundError:
            if settings.has_separate_linkage_unit:
                # Not registered yet (`enclave linkage-unit-keys import`): the enclave hands out its own only.
                continue
            raise NotInitialized(text("parties.no_linkage_unit_keys")) from None
        assert isinstance(key, Ed25519PublicKey | X25519PublicKey)
        entries.append(public_key_entry(LINKAGE_UNIT, key))
    return entries
