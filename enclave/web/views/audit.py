"""The audit-log view for stewards and admins, with filters."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, render_template, request

from enclave.db.models import Role
from enclave.errors import InputError
from enclave.web.database import current_service, db_session
from enclave.web.identity import login_required
from enclave.web.messages import text

__all__ = ["blueprint"]

blueprint = Blueprint("audit", __name__)

_LIMIT = 500


def _day(field: str, end_of_day: bool = False) -> dt.datetime | None:
    raw = request.args.get(field, "").strip()
    if not raw:
        return None
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        raise InputError(text("error.bad_date", field=field)) from None
    moment = dt.datetime.combine(day, dt.time.max if end_of_day else dt.time.min)
    return moment.replace(tzinfo=dt.UTC)


@blueprint.get("/audit")
@login_required(Role.steward, Role.admin)
def audit_log() -> str:
    """Show audit events matching the filters, newest first."""
    args = request.args
    filters = {
        "actor": args.get("actor", "").strip() or None,
        "object_type": args.get("object_type", "").strip() or None,
        "object_id": args.get("object_id", "").strip() or None,
        "action": args.get("action", "").strip() or None,
        "since": _day("since"),
        "until": _day("until", end_of_day=True),
    }
    events = current_service().audit.query(db_session(), limit=_LIMIT, **filters)  # type: ignore[arg-type]
    return render_template("audit.html", events=events, limit=_LIMIT, args=args)
