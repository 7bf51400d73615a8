"""The steward's one queue of everything that waits for a decision."""

from __future__ import annotations

from dataclasses import fields

from flask import Blueprint, render_template

from enclave.db.models import Role
from enclave.steward_queue import steward_queue
from enclave.web.database import current_service, db_session
from enclave.web.identity import acting_user, login_required

__all__ = ["blueprint"]

blueprint = Blueprint("steward", __name__, url_prefix="/steward")


@blueprint.get("/queue")
@login_required(Role.steward)
def queue() -> str:
    """Applications, adequacy reviews, linkage quality, export outputs, replicas and destructions."""
    found = steward_queue(current_service(), db_session(), acting_user())
    return render_template("steward/queue.html", **{f.name: getattr(found, f.name) for f in fields(found)})
