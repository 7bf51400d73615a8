"""API tokens of a separate linkage unit: one per agency and per operator, stored hashed.

A token is shown once, when it is issued; the linkage unit keeps its
SHA-256 only (:func:`enclave.users.hash_token`, the enclave's own scheme).
"""

from __future__ import annotations

import re
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.audit import AuditLog
from enclave.db.models import LinkageUnitToken, TokenHolder, utcnow
from enclave.errors import AuthenticationError, InputError, NotFound
from enclave.messages import text
from enclave.users import hash_token

__all__ = ["issue_linkage_unit_token", "list_linkage_unit_tokens", "resolve_linkage_unit_token",
           "revoke_linkage_unit_token"]

_TOKEN_PREFIX = "lut_"
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


def issue_linkage_unit_token(session: Session, audit: AuditLog, *, holder: TokenHolder, name: str, actor: str,
                             label: str = "") -> str:
    """Create a token for an agency (by its code) or an operator (by name); only its hash is kept.

    Returns:
        The token, to be shown once.

    Raises:
        InputError: The name is not lower-case letters, digits, '.', '_' and '-'.
    """
    if not _NAME.match(name):
        raise InputError(text("lu.bad_token_name"))
    token = _TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = LinkageUnitToken(token_hash=hash_token(token), prefix=token[:10], holder=holder, name=name,
                           label=label, created_by=actor)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="lu.token.issue", object_type="token", object_id=row.id,
                 holder=holder.value, name=name)
    return token


def resolve_linkage_unit_token(session: Session, token: str) -> LinkageUnitToken:
    """Return the active token row for a presented token.

    Raises:
        AuthenticationError: Unknown or revoked.
    """
    row = session.scalar(select(LinkageUnitToken).where(LinkageUnitToken.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None:
        raise AuthenticationError(text("users.bad_token"))
    return row


def list_linkage_unit_tokens(session: Session) -> list[LinkageUnitToken]:
    """Every token, oldest first (prefix, holder, name and state; never the token)."""
    return list(session.scalars(select(LinkageUnitToken).order_by(LinkageUnitToken.id)))


def revoke_linkage_unit_token(session: Session, audit: AuditLog, token_id: int, actor: str) -> None:
    """Revoke a token by id.

    Raises:
        NotFound: No such token.
    """
    row = session.get(LinkageUnitToken, token_id)
    if row is None:
        raise NotFound(text("lu.no_token"))
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record(session, actor=actor, action="lu.token.revoke", object_type="token", object_id=token_id)
