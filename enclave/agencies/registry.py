"""Registering partner agencies and their signing keys (stage 3: who may send records).

An admin registers an agency with its Ed25519 signing public key and reads
the key's fingerprint back to the agency by telephone or letter before any
package is accepted. Keys are rotated (the old key is retired, or revoked
when it may be compromised) and agencies revoked; nothing is deleted. After
every change the trust folders of the enclave and of the linkage unit are
rewritten from the registry (:func:`sync_trust_files`), so a key that is no
longer active cannot sign an accepted package.

Each function opens its own transaction and rewrites the trust folders only
after it committed, so a folder never trusts a key the registry does not hold.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from enclave.db.models import Agency, AgencyKey, AgencyKeyState, AgencyState, Role, User, utcnow
from enclave.errors import Conflict, InputError, NotFound
from enclave.messages import text
from enclave.parties import (
    check_agency_code,
    enclave_parties_dir,
    load_agency_signing_key,
    write_trusted_agency_keys,
)
from enclave.service import EnclaveService
from enclave.users import disable_user
from linkage.party_keys import fingerprint

__all__ = [
    "AgencyKeyRecord",
    "AgencyRecord",
    "adopt_trusted_files",
    "agency_problem",
    "find_agency",
    "list_agencies",
    "register_agency",
    "revoke_agency",
    "rotate_agency_key",
    "sync_trust_files",
]


@dataclass(frozen=True)
class AgencyKeyRecord:
    """One signing key of an agency, as pages, the API and commands show it."""

    fingerprint: str
    state: AgencyKeyState
    pem: str
    created_by: str
    created_at: dt.datetime
    retired_by: str | None
    retired_at: dt.datetime | None

    def to_dict(self) -> dict[str, Any]:
        """The key as the API answers it."""
        return {"fingerprint": self.fingerprint, "state": self.state.value, "pem": self.pem,
                "created_by": self.created_by, "created_at": self.created_at.isoformat(),
                "retired_by": self.retired_by,
                "retired_at": None if self.retired_at is None else self.retired_at.isoformat()}


@dataclass(frozen=True)
class AgencyRecord:
    """An agency and its keys, detached from the database session."""

    code: str
    name: str
    state: AgencyState
    created_by: str
    created_at: dt.datetime
    revoked_by: str | None
    revoked_at: dt.datetime | None
    keys: tuple[AgencyKeyRecord, ...]
    users: tuple[str, ...]

    @property
    def is_active(self) -> bool:
        """Whether the agency may take part."""
        return self.state is AgencyState.active

    @property
    def active_key(self) -> AgencyKeyRecord | None:
        """The key new packages must be signed with, if any."""
        return next((k for k in self.keys if k.state is AgencyKeyState.active), None)

    def to_dict(self) -> dict[str, Any]:
        """The agency as the API answers it."""
        active = self.active_key
        return {"code": self.code, "name": self.name, "state": self.state.value,
                "fingerprint": None if active is None else active.fingerprint,
                "created_by": self.created_by, "created_at": self.created_at.isoformat(),
                "revoked_by": self.revoked_by,
                "revoked_at": None if self.revoked_at is None else self.revoked_at.isoformat(),
                "users": list(self.users), "keys": [k.to_dict() for k in self.keys]}


def _record(session: Session, agency: Agency) -> AgencyRecord:
    users = session.scalars(select(User.username).where(User.role == Role.agency, User.agency_code == agency.code)
                            .order_by(User.username))
    return AgencyRecord(
        code=agency.code, name=agency.name, state=agency.state, created_by=agency.created_by,
        created_at=agency.created_at, revoked_by=agency.revoked_by, revoked_at=agency.revoked_at,
        keys=tuple(AgencyKeyRecord(fingerprint=k.fingerprint, state=k.state, pem=k.public_pem,
                                   created_by=k.created_by, created_at=k.created_at, retired_by=k.retired_by,
                                   retired_at=k.retired_at) for k in agency.keys),
        users=tuple(users))


def _get(session: Session, code: str) -> Agency | None:
    return session.scalar(select(Agency).options(selectinload(Agency.keys)).where(Agency.code == code))


def _refusal(actor: str, action: str, code: str, reason: str) -> dict[str, object]:
    return {"actor": actor, "action": action, "object_type": "agency", "object_id": code, "outcome": "denied",
            "reason": reason}


def _new_key(session: Session, signing_public_pem: bytes | str, actor: str, action: str, code: str) -> AgencyKey:
    pem = signing_public_pem.encode("utf-8") if isinstance(signing_public_pem, str) else signing_public_pem
    try:
        key = load_agency_signing_key(pem.strip() + b"\n")
    except InputError as error:
        raise InputError(error.message, audit=_refusal(actor, action, code, "bad_key")) from None
    key_fingerprint = fingerprint(key)
    if session.scalar(select(AgencyKey.id).where(AgencyKey.fingerprint == key_fingerprint)) is not None:
        # The same key for two agencies, or a retired key brought back, would let
        # one party sign as another or undo a rotation.
        raise Conflict(text("agencies.key_in_use", fingerprint=key_fingerprint),
                       audit=_refusal(actor, action, code, "key_in_use"))
    canonical = key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode("ascii")
    return AgencyKey(public_pem=canonical, fingerprint=key_fingerprint, state=AgencyKeyState.active, created_by=actor)


def register_agency(
    svc: EnclaveService, *, code: str, name: str, signing_public_pem: bytes | str, actor: str
) -> AgencyRecord:
    """Register a partner agency with its signing public key and trust that key.

    Args:
        svc: The open enclave.
        code: The agency's code (``welfare``), as its partner tool names it in packages.
        name: The agency's name for people.
        signing_public_pem: The Ed25519 public key its partner tool wrote (``<code>.signing.pub.pem``).
        actor: Who registers it (an admin).

    Returns:
        The registered agency; read its key's fingerprint back to the agency.

    Raises:
        InputError: A bad code, no name, or not an Ed25519 public key in PEM.
        Conflict: The code is taken, or the key is registered already.
    """
    with svc.session() as session:
        try:
            check_agency_code(code)
        except InputError as error:
            raise InputError(error.message, audit=_refusal(actor, "agency.register", code[:64], "bad_code")) from None
        if not name.strip():
            raise InputError(text("agencies.no_name"), audit=_refusal(actor, "agency.register", code, "no_name"))
        if _get(session, code) is not None:
            raise Conflict(text("agencies.duplicate", code=code),
                           audit=_refusal(actor, "agency.register", code, "duplicate"))
        key = _new_key(session, signing_public_pem, actor, "agency.register", code)
        agency = Agency(code=code, name=name.strip()[:200], state=AgencyState.active, created_by=actor, keys=[key])
        session.add(agency)
        session.flush()
        svc.audit.record(session, actor=actor, action="agency.register", object_type="agency", object_id=code,
                         fingerprint=key.fingerprint)
        record = _record(session, agency)
    sync_trust_files(svc)
    return record


def rotate_agency_key(
    svc: EnclaveService, code: str, signing_public_pem: bytes | str, *, actor: str, compromised: bool = False
) -> AgencyRecord:
    """Replace an agency's signing key; packages signed with the old key are refused from now on.

    Args:
        svc: The open enclave.
        code: The agency.
        signing_public_pem: The new Ed25519 public key (PEM).
        actor: Who rotates it (an admin).
        compromised: Revoke the old key instead of retiring it: the linkage
            unit then no longer opens match keys it already received under it.

    Raises:
        NotFound: No such agency.
        Conflict: The agency is revoked, or the key is registered already.
        InputError: Not an Ed25519 public key in PEM.
    """
    with svc.session() as session:
        agency = _get(session, code)
        if agency is None:
            raise NotFound(text("agencies.unknown", code=code))
        if not agency.is_active:
            raise Conflict(text("agencies.revoked", code=code),
                           audit=_refusal(actor, "agency.rotate_key", code, "revoked"))
        new = _new_key(session, signing_public_pem, actor, "agency.rotate_key", code)
        old = agency.active_key
        if old is not None:
            old.state = AgencyKeyState.revoked if compromised else AgencyKeyState.retired
            old.retired_at, old.retired_by = utcnow(), actor
        agency.keys.append(new)
        session.flush()
        svc.audit.record(session, actor=actor, action="agency.rotate_key", object_type="agency", object_id=code,
                         fingerprint=new.fingerprint, previous=old.fingerprint if old else "",
                         previous_state=old.state.value if old else "")
        record = _record(session, agency)
    sync_trust_files(svc)
    return record


def revoke_agency(svc: EnclaveService, code: str, *, actor: str) -> AgencyRecord:
    """Revoke an agency: every key of it revoked, its users disabled, its packages refused.

    Catalog entries and past submissions stay (they are history); the agency
    cannot be brought back under the same code, so its old keys never return.

    Raises:
        NotFound: No such agency.
        Conflict: It is revoked already.
    """
    with svc.session() as session:
        agency = _get(session, code)
        if agency is None:
            raise NotFound(text("agencies.unknown", code=code))
        if not agency.is_active:
            raise Conflict(text("agencies.revoked", code=code),
                           audit=_refusal(actor, "agency.revoke", code, "revoked"))
        now = utcnow()
        agency.state, agency.revoked_at, agency.revoked_by = AgencyState.revoked, now, actor
        for key in agency.keys:
            if key.state is not AgencyKeyState.revoked:
                key.state, key.retired_at, key.retired_by = AgencyKeyState.revoked, key.retired_at or now, actor
        users = list(session.scalars(select(User).where(User.role == Role.agency, User.agency_code == code,
                                                        User.is_active.is_(True))))
        for user in users:
            disable_user(svc, session, user.username, actor)
        session.flush()
        svc.audit.record(session, actor=actor, action="agency.revoke", object_type="agency", object_id=code,
                         keys=len(agency.keys), users_disabled=len(users))
        record = _record(session, agency)
    sync_trust_files(svc)
    return record


def list_agencies(session: Session) -> list[AgencyRecord]:
    """Every registered agency with its keys, by code."""
    agencies = session.scalars(select(Agency).options(selectinload(Agency.keys)).order_by(Agency.code))
    return [_record(session, a) for a in agencies]


def find_agency(session: Session, code: str) -> AgencyRecord:
    """One agency with its keys.

    Raises:
        NotFound: No such agency.
    """
    agency = _get(session, code)
    if agency is None:
        raise NotFound(text("agencies.unknown", code=code))
    return _record(session, agency)


def agency_problem(session: Session, code: str | None) -> str | None:
    """Why ``code`` cannot be used for users or datasets now, or ``None`` when it can."""
    agency = _get(session, code) if code else None
    if agency is None or not agency.is_active:
        return text("agencies.not_active", code=code or "")
    return None


def adopt_trusted_files(svc: EnclaveService) -> list[str]:
    """Register agencies whose keys the enclave's trust folder held before the registry existed.

    Run by ``enclave init`` (which also upgrades an older database), so an
    enclave that trusted agencies by file keeps trusting them, now through
    the registry; the trust folders are then rewritten from it. Files that are
    not a usable agency key are left to be removed by that rewrite.

    Returns:
        The codes adopted.
    """
    adopted = []
    with svc.session() as session:
        known = set(session.scalars(select(Agency.code)))
        for path in sorted(enclave_parties_dir(svc.settings).glob("*.signing.pub.pem")):
            code = path.name.removesuffix(".signing.pub.pem")
            try:
                check_agency_code(code)
                key = load_agency_signing_key(path.read_bytes())
            except InputError:
                continue
            key_fingerprint = fingerprint(key)
            if code in known or session.scalar(select(AgencyKey.id).where(AgencyKey.fingerprint == key_fingerprint)):
                continue
            pem = key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode("ascii")
            session.add(Agency(code=code, name=code, state=AgencyState.active, created_by="system", keys=[
                AgencyKey(public_pem=pem, fingerprint=key_fingerprint, state=AgencyKeyState.active,
                          created_by="system")]))
            session.flush()
            svc.audit.record(session, actor="system", action="agency.register", object_type="agency", object_id=code,
                             fingerprint=key_fingerprint, adopted=True)
            adopted.append(code)
    sync_trust_files(svc)
    return adopted


def sync_trust_files(svc: EnclaveService) -> None:
    """Rewrite the enclave's and the linkage unit's trust folders from the registry."""
    with svc.db.session() as session:
        agencies = list(session.scalars(select(Agency).options(selectinload(Agency.keys))))
        active: dict[str, bytes] = {}
        retired: dict[str, Sequence[bytes]] = {}
        for agency in agencies:
            key = agency.active_key
            if agency.is_active and key is not None:
                active[agency.code] = key.public_pem.encode("ascii")
            retired[agency.code] = [k.public_pem.encode("ascii") for k in agency.keys
                                    if k.state is AgencyKeyState.retired and agency.is_active]
    write_trusted_agency_keys(svc.settings, active, retired)
