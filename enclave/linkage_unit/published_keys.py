"""Public keys as the parties publish them at ``GET /api/v1/keys``, and fetching them.

Both the enclave and a separate linkage unit answer ``GET /api/v1/keys`` with
``{"keys": [{"party", "use", "algorithm", "pem", "fingerprint"}]}``. Each side
registers the other's keys by fetching that document (or from files handed
over out of band) and prints the fingerprints, which the two operators
compare over another channel before trusting them.
"""

from __future__ import annotations

from typing import Any

import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from enclave.errors import InputError
from enclave.messages import text
from linkage.party_keys import fingerprint

__all__ = ["fetch_published_keys", "published_key_entry"]

_TIMEOUT = 30


def published_key_entry(party: str, key: Ed25519PublicKey | X25519PublicKey) -> dict[str, str]:
    """Describe one public key as ``GET /api/v1/keys`` lists it."""
    signing = isinstance(key, Ed25519PublicKey)
    return {"party": party, "use": "signing" if signing else "sealing",
            "algorithm": "Ed25519" if signing else "X25519",
            "pem": key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode("ascii"),
            "fingerprint": fingerprint(key)}


def fetch_published_keys(url: str, party: str) -> dict[str, bytes]:
    """Fetch ``party``'s public keys from ``<url>/api/v1/keys``.

    Args:
        url: The base URL of the service that publishes them.
        party: ``enclave`` or ``linkage-unit``.

    Returns:
        PEM bytes by use (``sealing``, ``signing``), as published.

    Raises:
        InputError: The URL does not answer, or answers something other than the keys document.
    """
    target = url.rstrip("/") + "/api/v1/keys"
    try:
        answer = requests.get(target, timeout=_TIMEOUT)
    except requests.RequestException:
        raise InputError(text("parties.keys_unreachable", url=target)) from None
    try:
        document: Any = answer.json() if answer.status_code == 200 else None
        entries = document["keys"]
        found = {str(e["use"]): str(e["pem"]).encode("ascii") for e in entries if e.get("party") == party}
    except (ValueError, KeyError, TypeError, AttributeError):
        raise InputError(text("parties.keys_not_published", url=target)) from None
    if not found:
        raise InputError(text("parties.keys_not_published", url=target))
    return found
