"""The enclave's and the linkage unit's published public keys: check them, pin them, save them.

An agency setting up the partner tool fetches these keys once
(``linkage fetch-keys``) from the enclave's public ``/api/v1/keys`` document::

    {"keys": [{"party": "enclave" | "linkage-unit", "use": "sealing" | "signing",
               "algorithm": "X25519" | "Ed25519", "pem": "...", "fingerprint": "sha256:..."}]}

A key is accepted only if its PEM parses as the algorithm its use requires and
its fingerprint, computed here, is the one published. Fingerprints are then
confirmed out of band (a phone call, a signed letter), or pinned in advance
with ``--expect``; one mismatch refuses the whole document and nothing is
written, so a half-trusted set of keys never lands on disk.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_pem_public_key

from linkage.atomic_files import write_bytes_atomically
from linkage.errors import PublicKeyMismatchError
from linkage.messages import text
from linkage.party_keys import fingerprint

__all__ = [
    "KEY_ALGORITHMS",
    "PUBLISHING_PARTIES",
    "PublishedKey",
    "parse_fingerprint_pins",
    "save_published_keys",
    "verify_published_keys",
]

#: The parties whose keys the enclave publishes.
PUBLISHING_PARTIES: tuple[str, ...] = ("enclave", "linkage-unit")
#: The algorithm each use requires: X25519 to seal packages to a party, Ed25519 to verify its signatures.
KEY_ALGORITHMS: dict[str, str] = {"sealing": "X25519", "signing": "Ed25519"}
_KEY_TYPES: dict[str, type] = {"X25519": X25519PublicKey, "Ed25519": Ed25519PublicKey}


@dataclass(frozen=True)
class PublishedKey:
    """One verified public key.

    Attributes:
        party: ``enclave`` or ``linkage-unit``.
        use: ``sealing`` or ``signing``.
        algorithm: ``X25519`` or ``Ed25519``.
        key: The parsed public key.
        fingerprint: ``sha256:`` and 32 hex characters, as :func:`linkage.party_keys.fingerprint` computes.
    """

    party: str
    use: str
    algorithm: str
    key: X25519PublicKey | Ed25519PublicKey
    fingerprint: str

    @property
    def label(self) -> str:
        """Return ``PARTY.USE``, the name ``--expect`` pins use."""
        return f"{self.party}.{self.use}"

    @property
    def file_name(self) -> str:
        """Return ``<party>.<use>.pub.pem``, the name ``linkage prepare`` expects."""
        return f"{self.party}.{self.use}.pub.pem"

    def pem(self) -> bytes:
        """Return the key as PEM, re-encoded from the parsed key (never the text as received)."""
        return self.key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)


def parse_fingerprint_pins(entries: Iterable[str]) -> dict[str, str]:
    """Parse ``PARTY.USE=sha256:...`` entries.

    Args:
        entries: The ``--expect`` values.

    Returns:
        Fingerprints by ``PARTY.USE``.

    Raises:
        PublicKeyMismatchError: An entry is malformed, names an unknown key or is given twice.
    """
    pins: dict[str, str] = {}
    problems: list[str] = []
    known = {f"{p}.{u}" for p in PUBLISHING_PARTIES for u in KEY_ALGORITHMS}
    for entry in entries:
        label, sep, value = entry.partition("=")
        label, value = label.strip(), value.strip().lower()
        if not sep or label not in known or not value.startswith("sha256:"):
            problems.append(text("keys.pin_malformed", known=", ".join(sorted(known))))
        elif label in pins and pins[label] != value:
            problems.append(text("keys.pin_twice", label=label))
        else:
            pins[label] = value
    if problems:
        raise PublicKeyMismatchError(text("keys.refused", count=len(problems)) + _lines(problems))
    return pins


def _lines(problems: list[str]) -> str:
    return "".join(f"\n  - {p}" for p in problems)


def _verify_entry(index: int, entry: Any, problems: list[str]) -> PublishedKey | None:
    at = f"keys[{index}]"
    if not isinstance(entry, dict):
        problems.append(text("keys.entry_malformed", at=at))
        return None
    party, use, algorithm = entry.get("party"), entry.get("use"), entry.get("algorithm")
    pem, published = entry.get("pem"), entry.get("fingerprint")
    if party not in PUBLISHING_PARTIES or use not in KEY_ALGORITHMS or not isinstance(pem, str) \
            or not isinstance(published, str):
        problems.append(text("keys.entry_malformed", at=at))
        return None
    label = f"{party}.{use}"
    if algorithm != KEY_ALGORITHMS[use]:
        problems.append(text("keys.wrong_algorithm", label=label, expected=KEY_ALGORITHMS[use]))
        return None
    try:
        key = load_pem_public_key(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError, TypeError):
        key = None
    if not isinstance(key, _KEY_TYPES[algorithm]):
        problems.append(text("keys.not_that_key", label=label, expected=algorithm))
        return None
    computed = fingerprint(key)  # type: ignore[arg-type]
    if computed != published.strip().lower():
        problems.append(text("keys.fingerprint_differs", label=label, computed=computed))
        return None
    return PublishedKey(str(party), str(use), str(algorithm), key, computed)  # type: ignore[arg-type]


def verify_published_keys(document: Any, pins: Mapping[str, str] | None = None) -> list[PublishedKey]:
    """Check every key of a ``/api/v1/keys`` document, and any pinned fingerprints.

    Args:
        document: The parsed JSON document.
        pins: Expected fingerprints by ``PARTY.USE``; each must be present and equal.

    Returns:
        The verified keys, in the document's order.

    Raises:
        PublicKeyMismatchError: Listing every problem at once; no key is returned then.
    """
    pins = dict(pins or {})
    problems: list[str] = []
    entries = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not entries:
        raise PublicKeyMismatchError(text("keys.document_malformed"))
    verified: list[PublishedKey] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        key = _verify_entry(index, entry, problems)
        if key is None:
            continue
        if key.label in seen:
            problems.append(text("keys.listed_twice", label=key.label))
            continue
        seen.add(key.label)
        verified.append(key)
        expected = pins.pop(key.label, None)
        if expected is not None and expected != key.fingerprint:
            problems.append(text("keys.pin_differs", label=key.label, computed=key.fingerprint, expected=expected))
    problems.extend(text("keys.pin_missing", label=label) for label in sorted(pins))
    if problems:
        raise PublicKeyMismatchError(text("keys.refused", count=len(problems)) + _lines(problems))
    return verified


def save_published_keys(keys: Iterable[PublishedKey], directory: str | Path) -> list[Path]:
    """Write each verified key as ``<party>.<use>.pub.pem`` in ``directory``, each file atomically.

    Args:
        keys: Keys from :func:`verify_published_keys`.
        directory: The folder (created if missing).

    Returns:
        The written paths.
    """
    folder = Path(directory)
    return [write_bytes_atomically(folder / key.file_name, key.pem(), mode=0o644) for key in keys]
