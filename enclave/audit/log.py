"""The audit log: append-only, hash-chained and MACed.

Every event stores the hash of the event before it and an HMAC of its own hash
under the audit key, which lives in the key file and not in the database. So:

- a changed row no longer matches its hash;
- a deleted or reordered row breaks the chain (and ``seq`` leaves a gap);
- a row rewritten *with* recomputed hashes still fails its MAC;
- rows deleted from the end are caught by the head file kept in the data
  folder, which the database alone cannot rewrite.

Events record who did what to which object and how it ended — never a data
value. ``details`` takes counts, hashes, rule names and reasons only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event, func, select
from sqlalchemy import text as sql
from sqlalchemy.orm import Session

from enclave.db.models import AuditEvent, utcnow
from enclave.errors import AuditChainBroken
from enclave.messages import text
from enclave.store.atomic import atomic_write

__all__ = ["GENESIS", "AuditLog", "AuditRecord"]

GENESIS = "0" * 64
_Scalar = str | int | float | bool | None


@dataclass(frozen=True)
class AuditRecord:
    """An audit event as read back, for display and export."""

    seq: int
    at: dt.datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    outcome: str
    details: dict[str, object]


def _canonical(row: AuditEvent) -> bytes:
    doc = {
        "seq": row.seq,
        "at": row.at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor": row.actor,
        "action": row.action,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "outcome": row.outcome,
        "details": row.details,
        "prev_hash": row.prev_hash,
    }
    return json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _check_details(details: Mapping[str, object]) -> str:
    # Details are metadata: scalars and short lists of scalars. Refusing
    # frames and nested records keeps a careless caller from logging data.
    for name, value in details.items():
        values = value if isinstance(value, list | tuple) else [value]
        if not all(isinstance(v, _Scalar) for v in values):
            raise TypeError(f"audit detail {name!r} must be a scalar or a list of scalars")
    return json.dumps(dict(details), sort_keys=True, ensure_ascii=False, default=str)


class AuditLog:
    """Writes, verifies and queries audit events.

    Args:
        key: The audit key from the key file.
        head_file: Where the newest event's ``seq`` and hash are kept
            outside the database; ``None`` disables tail-deletion checks.
    """

    def __init__(self, key: bytes, head_file: Path | None = None) -> None:
        self._key = key
        self.head_file = head_file

    def _mac(self, digest: str) -> str:
        return hmac.new(self._key, digest.encode("ascii"), hashlib.sha256).hexdigest()

    def record(
        self,
        session: Session,
        *,
        actor: str,
        action: str,
        object_type: str = "",
        object_id: str | int = "",
        outcome: str = "ok",
        **details: _Scalar | Sequence[_Scalar],
    ) -> AuditEvent:
        """Append an event in the caller's transaction.

        The event commits or rolls back together with the change it records.

        Args:
            session: The open session whose transaction the event joins.
            actor: User name, or a role such as ``system`` or ``linkage-unit``.
            action: What happened, dotted: ``export.approve``, ``user.login``.
            object_type: The kind of object acted on: ``project``, ``dataset``.
            object_id: The object's id (never a pseudonym or identifier).
            outcome: ``ok``, ``denied``, ``failed``, ``error``, or ``duplicate`` (a repeat
                answered with the original result, nothing changed).
            **details: Counts, hashes, rule names, reasons — never values.

        Returns:
            The new event.
        """
        detail_json = _check_details(details)
        if session.get_bind().dialect.name == "postgresql":
            # One writer at a time extends the chain; the unique seq is the backstop.
            session.execute(sql("SELECT pg_advisory_xact_lock(727274)"))
        last = session.execute(
            select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
        ).first()
        seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
        row = AuditEvent(
            seq=seq,
            at=utcnow(),
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            outcome=outcome,
            details=detail_json,
            prev_hash=prev,
            hash="",
            mac="",
        )
        row.hash = hashlib.sha256(_canonical(row)).hexdigest()
        row.mac = self._mac(row.hash)
        session.add(row)
        session.flush()
        if self.head_file is not None:
            # One head write per commit, of the newest event: each write is two
            # fsyncs, and a request that records several events needs only the last.
            if "audit_head" not in session.info:
                event.listen(session, "after_commit", self._write_pending_head, once=True)
                event.listen(session, "after_rollback", self._drop_pending_head, once=True)
            session.info["audit_head"] = {"seq": row.seq, "hash": row.hash,
                                          "mac": self._mac(f"head:{row.seq}:{row.hash}")}
        return row

    def _write_pending_head(self, session: Session) -> None:
        head = session.info.pop("audit_head", None)
        if head is not None and self.head_file is not None:
            atomic_write(self.head_file, json.dumps(head).encode())

    @staticmethod
    def _drop_pending_head(session: Session) -> None:
        # A rolled-back event must never reach the head file: the head may lag, never lead.
        session.info.pop("audit_head", None)

    def verify(self, session: Session) -> int:
        """Check the whole chain.

        Returns:
            The number of events verified.

        Raises:
            AuditChainBroken: Naming the first broken event's ``seq``.
        """
        expected_seq, prev = 1, GENESIS
        count = 0
        present = set(session.scalars(select(AuditEvent.seq)))
        rows = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).yield_per(2000)
        for row in rows:
            if row.seq != expected_seq:
                # A missing seq is a deletion; a seq that exists elsewhere is a reordering.
                if expected_seq not in present:
                    raise self._broken(expected_seq, "gap")
                raise self._broken(expected_seq, "link")
            if row.prev_hash != prev:
                raise self._broken(row.seq, "link")
            if hashlib.sha256(_canonical(row)).hexdigest() != row.hash:
                raise self._broken(row.seq, "changed")
            if not hmac.compare_digest(self._mac(row.hash), row.mac):
                raise self._broken(row.seq, "mac")
            prev, expected_seq, count = row.hash, expected_seq + 1, count + 1
        self._verify_head(count, prev)
        return count

    def _verify_head(self, last_seq: int, last_hash: str) -> None:
        if self.head_file is None or not self.head_file.exists():
            return
        head = json.loads(self.head_file.read_bytes())
        seq, digest = int(head["seq"]), str(head["hash"])
        if not hmac.compare_digest(self._mac(f"head:{seq}:{digest}"), str(head["mac"])):
            raise self._broken(seq, "mac")
        # The head may lag (a crash between commit and head write) but never lead.
        if seq > last_seq:
            raise self._broken(last_seq, "tail")
        if seq == last_seq and digest != last_hash:
            raise self._broken(seq, "changed")

    def _broken(self, seq: int, reason: str) -> AuditChainBroken:
        message = text("audit.broken", seq=seq, reason=text(f"audit.reason.{reason}"))
        return AuditChainBroken(message, seq=seq)

    def query(
        self,
        session: Session,
        *,
        actor: str | None = None,
        object_type: str | None = None,
        object_id: str | None = None,
        action: str | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        limit: int = 200,
    ) -> list[AuditRecord]:
        """Return events matching every given filter, newest first.

        ``action`` matches a prefix, so ``export`` finds every export event.
        """
        stmt = select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(limit)
        if actor:
            stmt = stmt.where(AuditEvent.actor == actor)
        if object_type:
            stmt = stmt.where(AuditEvent.object_type == object_type)
        if object_id:
            stmt = stmt.where(AuditEvent.object_id == str(object_id))
        if action:
            stmt = stmt.where(AuditEvent.action.startswith(action))
        if since:
            stmt = stmt.where(AuditEvent.at >= since)
        if until:
            stmt = stmt.where(AuditEvent.at <= until)
        return [
            AuditRecord(
                seq=r.seq, at=r.at, actor=r.actor, action=r.action, object_type=r.object_type,
                object_id=r.object_id, outcome=r.outcome, details=json.loads(r.details),
            )
            for r in session.scalars(stmt)
        ]

    @staticmethod
    def count(session: Session) -> int:
        """Return how many events the log holds."""
        return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)
