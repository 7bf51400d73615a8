"""User accounts: creation, login with second factor, disabling, API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.db.models import Agency, ApiToken, Role, SessionEnd, User, WebSession, utcnow
from enclave.errors import (
    AuthenticationError,
    DuplicateUser,
    InputError,
    SecondFactorError,
    UnknownUser,
)
from enclave.messages import text
from enclave.service import EnclaveService
from enclave.users.passwords import hash_password, verify_password
from enclave.users.totp import new_totp_secret, verify_totp
from enclave.users.web_sessions import end_sessions_of

__all__ = [
    "ACCOUNTS_KEY_ID",
    "NewUser",
    "add_user",
    "authenticate",
    "change_password",
    "disable_user",
    "enrol_second_factor",
    "find_user",
    "hash_token",
    "issue_token",
    "resolve_token",
    "revoke_token",
    "sign_out_everywhere",
    "totp_secret_of",
]

#: The data key that encrypts TOTP secrets at rest.
ACCOUNTS_KEY_ID = "service-accounts"
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
_TOKEN_PREFIX = "enc_"


@dataclass(frozen=True)
class NewUser:
    """A freshly created user and the secrets shown to them once."""

    user: User
    totp_secret: bytes | None


def _seal_totp(svc: EnclaveService, session: Session, username: str, secret: bytes) -> bytes:
    svc.keyring.create(session, ACCOUNTS_KEY_ID)
    key = svc.keyring.unwrap(session, ACCOUNTS_KEY_ID)
    nonce = secrets.token_bytes(12)
    return nonce + AESGCM(key).encrypt(nonce, secret, f"totp:{username}".encode())


def totp_secret_of(svc: EnclaveService, session: Session, user: User) -> bytes | None:
    """Decrypt ``user``'s TOTP secret, or ``None`` when none is enrolled."""
    if user.totp_secret_enc is None:
        return None
    key = svc.keyring.unwrap(session, ACCOUNTS_KEY_ID)
    blob = user.totp_secret_enc
    return AESGCM(key).decrypt(blob[:12], blob[12:], f"totp:{user.username}".encode())


def find_user(session: Session, username: str) -> User:
    """Return the user named ``username``.

    Raises:
        UnknownUser: No such user.
    """
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise UnknownUser(text("users.unknown", username=username))
    return user


def add_user(
    svc: EnclaveService,
    session: Session,
    *,
    username: str,
    role: Role | str,
    password: str,
    actor: str,
    display_name: str = "",
    agency_code: str | None = None,
) -> NewUser:
    """Create a user; stewards and admins are enrolled in TOTP at once.

    Raises:
        InputError: Bad name, role or password, or an agency user without the
            code of a registered, active agency.
        DuplicateUser: The name is taken; nothing is changed.
    """
    if not _USERNAME.match(username):
        raise InputError(text("users.bad_name"))
    try:
        role = Role(role)
    except ValueError:
        raise InputError(text("users.bad_role", roles=", ".join(r.value for r in Role))) from None
    if len(password) < 12:
        raise InputError(text("users.weak_password"))
    if role is Role.agency and not agency_code:
        raise InputError(text("users.agency_needs_code"))
    if role is Role.agency:
        # An agency account acts for a registered party: approving its part of
        # applications and uploading packages only make sense while it is trusted.
        agency = session.scalar(select(Agency).where(Agency.code == agency_code))
        if agency is None or not agency.is_active:
            raise InputError(text("agencies.not_active", code=agency_code))
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise DuplicateUser(text("users.duplicate", username=username))
    user = User(
        username=username,
        display_name=display_name or username,
        role=role,
        agency_code=agency_code,
        password_hash=hash_password(password),
    )
    secret = None
    if role.needs_second_factor:
        secret = new_totp_secret()
        user.totp_secret_enc = _seal_totp(svc, session, username, secret)
    session.add(user)
    session.flush()
    svc.audit.record(session, actor=actor, action="user.add", object_type="user",
                     object_id=user.username, role=role.value, second_factor=secret is not None)
    return NewUser(user=user, totp_secret=secret)


def enrol_second_factor(svc: EnclaveService, session: Session, user: User, actor: str) -> bytes:
    """Give ``user`` a new TOTP secret (replacing any old one) and return it."""
    secret = new_totp_secret()
    user.totp_secret_enc = _seal_totp(svc, session, user.username, secret)
    user.totp_last_step = 0
    svc.audit.record(session, actor=actor, action="user.second_factor", object_type="user",
                     object_id=user.username)
    return secret


def disable_user(svc: EnclaveService, session: Session, username: str, actor: str) -> User:
    """Disable a user, revoke every token they hold and end every web session."""
    user = find_user(session, username)
    user.is_active = False
    now = utcnow()
    for token in user.tokens:
        if token.revoked_at is None:
            token.revoked_at = now
    svc.audit.record(session, actor=actor, action="user.disable", object_type="user",
                     object_id=username)
    end_sessions_of(svc, session, user, SessionEnd.user_disabled, actor=actor)
    return user


def change_password(
    svc: EnclaveService,
    session: Session,
    user: User,
    new_password: str,
    *,
    actor: str,
    current_password: str | None = None,
    keep: WebSession | None = None,
) -> int:
    """Set a new password and end the user's other web sessions.

    A password is changed because it may be known to someone else, so every
    session opened with the old one ends — except ``keep``, the session of the
    person changing their own password.

    Args:
        svc: The opened enclave.
        session: The open database session.
        user: Whose password changes.
        new_password: At least 12 characters.
        actor: Who changes it (the user, or an admin resetting it).
        current_password: Checked when given (a user changing their own).
        keep: The session to leave open.

    Returns:
        How many sessions were ended.

    Raises:
        InputError: A short new password, or a wrong current password.
    """
    if len(new_password) < 12:
        raise InputError(text("users.weak_password"))
    if current_password is not None and not verify_password(current_password, user.password_hash):
        raise InputError(text("users.wrong_password"), audit={
            "actor": actor, "action": "user.password", "object_type": "user", "object_id": user.username,
            "outcome": "denied", "reason": "current_password"})
    user.password_hash = hash_password(new_password)
    svc.audit.record(session, actor=actor, action="user.password", object_type="user",
                     object_id=user.username)
    return end_sessions_of(svc, session, user, SessionEnd.password_change, actor=actor, keep=keep)


def sign_out_everywhere(svc: EnclaveService, session: Session, username: str, actor: str) -> int:
    """End every web session of a user (an admin's "sign out everywhere").

    API tokens are left alone: they are revoked one by one, or all at once by
    disabling the user.

    Returns:
        How many sessions were ended.

    Raises:
        UnknownUser: No such user.
    """
    user = find_user(session, username)
    ended = end_sessions_of(svc, session, user, SessionEnd.admin_sign_out, actor=actor)
    svc.audit.record(session, actor=actor, action="user.sign_out", object_type="user",
                     object_id=username, sessions=ended)
    return ended


def authenticate(
    svc: EnclaveService,
    session: Session,
    username: str,
    password: str,
    totp_code: str | None = None,
    *,
    channel: str = "web",
) -> User:
    """Check a login; stewards and admins must give a valid, unused TOTP code.

    Failures are audited with the reason and never say whether the user exists.

    Raises:
        AuthenticationError: Wrong name or password, or a disabled account.
        SecondFactorError: Missing, wrong or reused one-time code.
    """
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.is_active or not verify_password(password, user.password_hash):
        # A name that matches no user is not echoed: it may be a password typed in the wrong box.
        raise AuthenticationError(text("users.login_failed"), audit={
            "actor": username if user else "unknown", "action": "user.login", "object_type": "user",
            "object_id": username if user else "", "outcome": "denied", "reason": "password",
            "channel": channel})
    if user.role.needs_second_factor or user.has_second_factor:
        secret = totp_secret_of(svc, session, user)
        if not totp_code or secret is None:
            raise SecondFactorError(text("users.second_factor_required"))
        # Read the last used step under a row lock: two web workers given the same
        # code at once must not both see it unused (PostgreSQL reads committed data
        # without waiting; SQLite's IMMEDIATE transactions already take turns).
        session.refresh(user, attribute_names=["totp_last_step"], with_for_update=True)
        step = verify_totp(secret, totp_code, user.totp_last_step)
        if step is None:
            raise SecondFactorError(text("users.bad_totp"), audit={
                "actor": username, "action": "user.login", "object_type": "user",
                "object_id": username, "outcome": "denied", "reason": "second_factor",
                "channel": channel})
        user.totp_last_step = step
    svc.audit.record(session, actor=username, action="user.login", object_type="user",
                     object_id=username, channel=channel)
    return user


def hash_token(token: str) -> str:
    """Return what is stored of an API token: its SHA-256, in hex.

    Tokens are long random strings, so a plain hash suffices; a slow password
    hash would only slow down every API call.
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(
    svc: EnclaveService,
    session: Session,
    user: User,
    *,
    actor: str,
    label: str = "",
    scope: str = "",
    lifetime: dt.timedelta | None = None,
) -> str:
    """Create an API token for ``user``; only its hash is stored.

    Returns:
        The token, to be shown once.
    """
    token = _TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        token_hash=hash_token(token),
        prefix=token[:10],
        label=label,
        scope=scope,
        expires_at=utcnow() + lifetime if lifetime else None,
    )
    session.add(row)
    session.flush()
    svc.audit.record(session, actor=actor, action="token.issue", object_type="user",
                     object_id=user.username, token_id=row.id, scope=scope)
    return token


def resolve_token(session: Session, token: str) -> tuple[User, ApiToken]:
    """Return the active user and token row for a presented token.

    Raises:
        AuthenticationError: Unknown, expired or revoked token, or a disabled user.
    """
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    now = utcnow()
    if (
        row is None
        or row.revoked_at is not None
        or (row.expires_at is not None and row.expires_at <= now)
        or not row.user.is_active
    ):
        raise AuthenticationError(text("users.bad_token"))
    return row.user, row


def revoke_token(svc: EnclaveService, session: Session, token_id: int, actor: str) -> None:
    """Revoke a token by id."""
    row = session.get(ApiToken, token_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        svc.audit.record(session, actor=actor, action="token.revoke", object_type="token",
                         object_id=token_id)
