"""Export request pages: list, one request with its checks and blind votes, withdraw.

Requests are created from the workspace through the API; here researchers
follow them and stewards review them. A steward sees the other steward's vote
only after casting their own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from enclave.db.models import ExportOutput, ExportRequest, Release, Role
from enclave.errors import NotFound
from enclave.exports import cast_vote, requests_for, require_request_access, votes_visible_to, withdraw_request
from enclave.keys import project_key_id
from enclave.projects import steward_may_decide
from enclave.web.database import current_service, db_session
from enclave.web.identity import acting_user, login_required, not_found
from enclave.web.messages import text
from export_review import output_from_evidence
from export_review.checks import CellRef
from export_review.messages import reread

__all__ = ["blueprint"]

blueprint = Blueprint("exports", __name__, url_prefix="/exports")


@dataclass(frozen=True)
class TableRow:
    """One cell of a table output as the review page shows it."""

    row: str
    column: str
    count: int
    value: float | None
    failing: bool



def _visible_request(request_id: int) -> ExportRequest:
    try:
        return require_request_access(db_session(), acting_user(), request_id)
    except NotFound:
        raise not_found() from None


def _checks(output: ExportOutput) -> tuple[list[dict[str, Any]], set[int]]:
    verdict = json.loads(output.checks)
    results = verdict.get("results", [])
    failing: set[int] = set()
    for result in results:
        # Shown in the reader's language, not the one the check ran in.
        result["message"] = reread(str(result.get("message", "")), result.get("message_id"),
                                   result.get("message_params"))
        result["cell_labels"] = [CellRef.from_dict(c).label() for c in result.get("cells", [])]
        if result.get("status") != "pass":
            failing.update(int(c["position"]) for c in result.get("cells", []))
    return results, failing


def _table(output: ExportOutput, failing: set[int]) -> list[TableRow]:
    # The evidence holds the table's aggregate cells (never records); reviewers need them to judge.
    raw = current_service().get_object(db_session(), output.evidence_object, project_key_id(output.request.project_id))
    parsed = output_from_evidence(json.loads(raw))
    if parsed.table is None:
        return []
    return [TableRow(", ".join(c.row), ", ".join(c.column), c.count, c.value, i in failing)
            for i, c in enumerate(parsed.table.cells)]


@blueprint.get("")
@login_required(Role.researcher, Role.steward, Role.admin)
def my_requests() -> str:
    """Export requests the viewer may see."""
    return render_template("exports/list.html", requests=requests_for(db_session(), acting_user()))


@blueprint.get("/<int:request_id>")
@login_required(Role.researcher, Role.steward, Role.admin)
def detail(request_id: int) -> str:
    """One request: each output's checks (failing cells highlighted) and the votes the viewer may see."""
    user = acting_user()
    export = _visible_request(request_id)
    outputs = []
    for output in export.outputs:
        results, failing = _checks(output)
        show_table = user.role in (Role.steward, Role.admin) or export.author_id == user.id
        outputs.append({
            "output": output, "results": results,
            "table": _table(output, failing) if show_table else [],
            "votes": votes_visible_to(output, user),
            "may_vote": user.role is Role.steward and export.state == "in_review"
            and steward_may_decide(user, export.project) and all(v.reviewer_id != user.id for v in output.votes),
        })
    release = db_session().query(Release).filter(Release.request_id == export.id).one_or_none()
    return render_template("exports/detail.html", export=export, outputs=outputs, release=release,
                           is_author=export.author_id == user.id)


@blueprint.post("/<int:request_id>/withdraw")
@login_required(Role.researcher)
def withdraw(request_id: int) -> Response:
    """The author withdraws a request that is not decided yet."""
    export = _visible_request(request_id)
    withdraw_request(current_service(), db_session(), export.id, acting_user())
    flash(text("exports.withdrawn", id=request_id), "info")
    return redirect(url_for("exports.detail", request_id=request_id))


@blueprint.post("/outputs/<int:output_id>/vote")
@login_required(Role.steward)
def vote(output_id: int) -> Response:
    """A steward's blind vote on one output; the release is built when every output is decided."""
    output = db_session().get(ExportOutput, output_id)
    if output is None:
        raise not_found()
    request_id = output.request_id
    name = output.name
    cast_vote(current_service(), db_session(), output_id, acting_user(), request.form.get("decision", ""),
              request.form.get("comment", ""))
    flash(text("exports.voted", name=name), "info")
    return redirect(url_for("exports.detail", request_id=request_id))
