"""The audit log: append-only, hash-chained and MACed.

Every event stores the hash of the event before it and an HMAC of its own hash
under the audit key, which lives in the key file and not in the database. So:

- a changed row no longer matches its hash;
- a deleted or reordered row breaks the chain (and ``seq`` leaves a gap);
- a row rewritten *with* recomputed hashes still fails its MAC;
- rows deleted from the end are caught by the head file kept in the data
  folder, which the database alone cannot rewrite, by signed checkpoints
  inside the log, and by anchors the operator keeps outside the machine
  (see :mod:`enclave.audit.anchoring`);
- a missing head file once events exist, and an empty log, are breaks too:
  ``enclave init`` records the first event.

Events record who did what to which object and how it ended — never a data
value. ``details`` takes counts, hashes, rule names and reasons only.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import event, func, select
from sqlalchemy import text as sql
from sqlalchemy.orm import Session

from enclave.audit.anchoring import (
    CHECKPOINT_ACTION,
    CHECKPOINT_EVERY,
    Anchor,
    sign_anchor,
    verify_anchor_signature,
)
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
        signer: The enclave's Ed25519 key, which signs the head and every
            checkpoint; ``None`` leaves them MACed only (a separate linkage unit).
        checkpoint_every: Events between two periodic checkpoints.
    """

    def __init__(self, key: bytes, head_file: Path | None = None, *,
                 signer: Ed25519PrivateKey | None = None, checkpoint_every: int = CHECKPOINT_EVERY) -> None:
        self._key = key
        self.head_file = head_file
        self._signer = signer
        self.checkpoint_every = checkpoint_every

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
        Every :attr:`checkpoint_every` events a signed checkpoint follows it.

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
        row = self._append(session, actor, action, object_type, str(object_id), outcome, _check_details(details))
        if self.checkpoint_every > 0 and row.seq % self.checkpoint_every == 0:
            self._append_checkpoint(session, row.seq, row.hash, "periodic")
        return row

    def checkpoint(self, session: Session, *, reason: str) -> Anchor:
        """Append a signed checkpoint covering the newest event, in the caller's transaction.

        Args:
            session: The open session.
            reason: Why now: ``start``, ``verify``, ``anchor`` (``periodic`` is automatic).

        Returns:
            The signed head naming the checkpoint event itself, to keep outside the machine.
        """
        self._lock_chain(session)
        seq, prev = self._last(session)
        row = self._append_checkpoint(session, seq, prev, reason)
        return sign_anchor("head", row.seq, row.hash, self._signer)

    def checkpoints(self, session: Session) -> list[Anchor]:
        """Every checkpoint in the log as the anchor it signs, oldest first."""
        rows = session.scalars(select(AuditEvent).where(AuditEvent.action == CHECKPOINT_ACTION)
                               .order_by(AuditEvent.seq))
        anchors = []
        for row in rows:
            detail = json.loads(row.details)
            anchors.append(Anchor("checkpoint", int(detail["covers_seq"]), str(detail["covers_hash"]),
                                  str(detail.get("signature", ""))))
        return anchors

    def _append_checkpoint(self, session: Session, seq: int, digest: str, reason: str) -> AuditEvent:
        anchor = sign_anchor("checkpoint", seq, digest, self._signer)
        detail = {"covers_seq": seq, "covers_hash": digest, "reason": reason}
        if anchor.signature:
            detail["signature"] = anchor.signature
        return self._append(session, "system", CHECKPOINT_ACTION, "audit", str(seq), "ok",
                            json.dumps(detail, sort_keys=True))

    @staticmethod
    def _lock_chain(session: Session) -> None:
        if session.get_bind().dialect.name == "postgresql":
            # One writer at a time extends the chain; the unique seq is the backstop.
            session.execute(sql("SELECT pg_advisory_xact_lock(727274)"))

    @staticmethod
    def _last(session: Session) -> tuple[int, str]:
        last = session.execute(
            select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
        ).first()
        return (int(last[0]), str(last[1])) if last else (0, GENESIS)

    def _append(self, session: Session, actor: str, action: str, object_type: str, object_id: str,
                outcome: str, detail_json: str) -> AuditEvent:
        self._lock_chain(session)
        last_seq, prev = self._last(session)
        row = AuditEvent(
            seq=last_seq + 1,
            at=utcnow(),
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=object_id,
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
            head = sign_anchor("head", row.seq, row.hash, self._signer)
            session.info["audit_head"] = {"seq": row.seq, "hash": row.hash,
                                          "mac": self._mac(f"head:{row.seq}:{row.hash}"),
                                          "signature": head.signature}
        return row

    def _write_pending_head(self, session: Session) -> None:
        head = session.info.pop("audit_head", None)
        if head is None or self.head_file is None:
            return
        # Web workers commit in parallel and write the head after their commit:
        # under a lock, a newer head is never replaced by an older one (an older
        # head than the newest checkpoint is what a restored copy looks like).
        with open(self.head_file.with_name(self.head_file.name + ".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            current = self._read_head()
            if current is None or int(str(current.get("seq", 0))) < head["seq"]:
                atomic_write(self.head_file, json.dumps(head).encode())

    def _read_head(self) -> dict[str, object] | None:
        if self.head_file is None or not self.head_file.exists():
            return None
        try:
            doc = json.loads(self.head_file.read_bytes())
        except (json.JSONDecodeError, UnicodeDecodeError):
            return {"seq": -1}
        return doc if isinstance(doc, dict) else {"seq": -1}

    @staticmethod
    def _drop_pending_head(session: Session) -> None:
        # A rolled-back event must never reach the head file: the head may lag, never lead.
        session.info.pop("audit_head", None)

    def verify(self, session: Session, anchors: Sequence[Anchor] = ()) -> int:
        """Check the whole chain, its checkpoints, the head file and any anchors kept outside.

        Args:
            session: An open session.
            anchors: Signed heads and checkpoints kept outside the machine
                (``enclave audit anchor``); each must still be in the log.

        Returns:
            The number of events verified.

        Raises:
            AuditChainBroken: Naming the first broken event's ``seq`` and what
                the operator should do.
        """
        expected_seq, prev = 1, GENESIS
        count = last_checkpoint = 0
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
            if row.action == CHECKPOINT_ACTION:
                self._verify_checkpoint(row, prev)
                last_checkpoint = row.seq
            prev, expected_seq, count = row.hash, expected_seq + 1, count + 1
        self._verify_head(count, prev, last_checkpoint)
        for anchor in anchors:
            self._verify_anchor(session, anchor, count)
        return count

    def _verify_checkpoint(self, row: AuditEvent, prev: str) -> None:
        detail = json.loads(row.details)
        anchor = Anchor("checkpoint", int(detail.get("covers_seq", -1)), str(detail.get("covers_hash", "")),
                        str(detail.get("signature", "")))
        if anchor.seq != row.seq - 1 or anchor.hash != prev:
            raise self._broken(row.seq, "link")
        if self._signer is not None and not verify_anchor_signature(anchor, self._signer.public_key()):
            raise self._broken(row.seq, "signature")

    def _verify_head(self, last_seq: int, last_hash: str, last_checkpoint: int) -> None:
        if self.head_file is None:
            return
        head = self._read_head()
        if head is None:
            # ``enclave init`` records the first event, so an empty log was emptied.
            if last_seq == 0:
                raise self._broken(1, "empty", head=self.head_file)
            raise self._broken(last_seq, "head_missing", head=self.head_file)
        try:
            seq, digest = int(str(head["seq"])), str(head["hash"])
            mac, signature = str(head["mac"]), str(head.get("signature", ""))
        except (KeyError, ValueError):
            raise self._broken(last_seq, "head_unreadable", head=self.head_file) from None
        if not hmac.compare_digest(self._mac(f"head:{seq}:{digest}"), mac):
            raise self._broken(seq, "mac")
        # A head written before heads were signed has only its MAC; every newer one is signed.
        if signature and self._signer is not None and not verify_anchor_signature(
                Anchor("head", seq, digest, signature), self._signer.public_key()):
            raise self._broken(seq, "signature")
        # The head may lag (a crash between commit and head write) but never lead.
        if seq > last_seq:
            raise self._broken(last_seq, "tail" if last_seq else "empty", head=self.head_file)
        if seq == last_seq and digest != last_hash:
            raise self._broken(seq, "changed")
        if seq < last_checkpoint:
            raise self._broken(last_checkpoint, "stale_head", head=self.head_file)

    def _verify_anchor(self, session: Session, anchor: Anchor, last_seq: int) -> None:
        if self._signer is None or not verify_anchor_signature(anchor, self._signer.public_key()):
            raise self._broken(anchor.seq, "anchor_signature")
        if anchor.seq > last_seq:
            raise self._broken(last_seq, "tail")
        digest = session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == anchor.seq))
        if digest != anchor.hash:
            raise self._broken(anchor.seq, "changed")

    def _broken(self, seq: int, reason: str, *, head: Path | None = None) -> AuditChainBroken:
        message = text("audit.broken", seq=seq, reason=text(f"audit.reason.{reason}", head=head or ""))
        return AuditChainBroken(message, seq=seq, reason=reason)

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
