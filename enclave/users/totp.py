"""Time-based one-time passwords (RFC 6238) from ``cryptography``.

Codes are 6 digits over 30-second steps. One step either side is accepted for
clock drift, and a step once used is refused afterwards, so a code seen over
someone's shoulder cannot be replayed within its window.
"""

from __future__ import annotations

import base64
import secrets
import time

from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor import InvalidToken
from cryptography.hazmat.primitives.twofactor.totp import TOTP

__all__ = ["STEP", "current_code", "encode_secret", "new_totp_secret", "provisioning_uri", "verify_totp"]

STEP = 30
_DIGITS = 6


def new_totp_secret() -> bytes:
    """Return a fresh 20-byte TOTP secret (the RFC 4226 recommended size)."""
    return secrets.token_bytes(20)


def _totp(secret: bytes) -> TOTP:
    # SHA-1 is what every authenticator app implements for TOTP; HMAC-SHA1 is not
    # affected by SHA-1's collision weakness.
    return TOTP(secret, _DIGITS, SHA1(), STEP, enforce_key_length=False)


def current_code(secret: bytes, at: float | None = None) -> str:
    """Return the code for ``at`` (now by default); used by the demo and tests."""
    return _totp(secret).generate(int(at if at is not None else time.time())).decode("ascii")


def provisioning_uri(secret: bytes, account: str, issuer: str = "Enclave") -> str:
    """Return the ``otpauth://`` URI an authenticator app scans."""
    return _totp(secret).get_provisioning_uri(account, issuer)


def verify_totp(secret: bytes, code: str, last_step: int, at: float | None = None) -> int | None:
    """Check ``code``; return the step it matched, or ``None``.

    Args:
        secret: The user's TOTP secret.
        code: What the user typed (spaces are ignored).
        last_step: The newest step already used; it and older ones are refused.
        at: The time to check against; now by default.

    Returns:
        The matched step, which the caller stores as the new ``last_step``.
    """
    code = code.replace(" ", "")
    if len(code) != _DIGITS or not code.isdigit():
        return None
    now = int(at if at is not None else time.time())
    totp = _totp(secret)
    for drift in (0, -1, 1):
        step = now // STEP + drift
        if step <= last_step:
            continue
        try:
            totp.verify(code.encode("ascii"), step * STEP)
        except InvalidToken:
            continue
        return step
    return None


def encode_secret(secret: bytes) -> str:
    """Return the secret in base32, as authenticator apps show it."""
    return base64.b32encode(secret).decode("ascii").rstrip("=")
