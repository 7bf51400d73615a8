"""Catalog pages: browse and search datasets, read one dataset's description, describe a new one."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from enclave.agencies import list_agencies
from enclave.catalog import VARIABLE_TYPES, search_datasets
from enclave.db.models import Dataset, Role
from enclave.errors import Conflict, InputError
from enclave.web.database import current_service, db_session, end_db_session
from enclave.web.dataset_input import DatasetInput, describe_dataset, read_count, read_date, variables_from_lines
from enclave.web.identity import acting_user, current_viewer, login_required, not_found
from enclave.web.messages import text

__all__ = ["blueprint"]

blueprint = Blueprint("catalog", __name__, url_prefix="/catalog")


@blueprint.get("")
@login_required()
def browse() -> str:
    """List datasets, optionally searched by words and agency."""
    query = request.args.get("q", "")[:200]
    agency = request.args.get("agency", "").strip() or None
    datasets = search_datasets(db_session(), query, agency)
    return render_template("catalog/browse.html", datasets=datasets, query=query, agency=agency or "")


@blueprint.get("/<int:dataset_id>")
@login_required()
def dataset(dataset_id: int) -> str:
    """Describe one dataset and its variables."""
    found = db_session().get(Dataset, dataset_id)
    if found is None:
        raise not_found()
    return render_template("catalog/dataset.html", dataset=found)


#: An identifier policy is a few kilobytes; anything larger is the wrong file.
_POLICY_LIMIT = 256 * 1024
_FIELDS = {"agency_code": 64, "name": 100, "title": 300, "description": 5000, "identifier_policy": 200,
           "row_count": 20, "coverage_start": 10, "coverage_end": 10, "variables": 50000}


def _describe_page(form: dict[str, str], problem: str | None = None, status: int = 200) -> tuple[str, int]:
    viewer = current_viewer()
    assert viewer is not None
    agencies = [a.code for a in list_agencies(db_session()) if a.is_active]
    if viewer.role is Role.agency:
        agencies = [viewer.agency_code or ""]
    return render_template("catalog/describe.html", form=form, problem=problem, agencies=agencies,
                           types=VARIABLE_TYPES), status


@blueprint.get("/new")
@login_required(Role.agency, Role.steward, Role.admin)
def describe() -> tuple[str, int]:
    """The form an agency (for itself), a steward or an admin describes a dataset with."""
    user = acting_user()
    return _describe_page({"agency_code": user.agency_code or ""})


@blueprint.post("/new")
@login_required(Role.agency, Role.steward, Role.admin)
def create() -> Response | tuple[str, int]:
    """Describe the dataset; a refused form comes back as typed with every problem listed."""
    form = {name: request.form.get(name, "")[:limit] for name, limit in _FIELDS.items()}
    problems: list[str] = []
    found = DatasetInput(
        agency_code=form["agency_code"].strip(), name=form["name"].strip(), title=form["title"],
        description=form["description"], identifier_policy=form["identifier_policy"].strip(),
        row_count=read_count(form["row_count"], text("catalog.rows"), problems),
        coverage_start=read_date(form["coverage_start"], text("dataset_form.coverage_start"), problems),
        coverage_end=read_date(form["coverage_end"], text("dataset_form.coverage_end"), problems))
    upload = request.files.get("policy_file")
    if upload is not None and upload.filename:
        found.policy = upload.stream.read(_POLICY_LIMIT + 1)
        if len(found.policy) > _POLICY_LIMIT:
            problems.append(text("dataset_form.policy_too_large"))
            found.policy = None
        found.identifier_policy = found.identifier_policy or upload.filename[:100]
    else:
        found.variables, line_problems = variables_from_lines(form["variables"])
        problems += line_problems
    found.problems = problems
    try:
        dataset = describe_dataset(current_service(), db_session(), acting_user(), found)
    except (InputError, Conflict) as error:
        # Answered here, not by the error handler: undo, then record the refusal here.
        end_db_session(commit=False)
        if error.audit is not None:
            current_service().record_event(**error.audit)
        return _describe_page(form, error.message, error.status)
    flash(text("dataset_form.described", name=dataset.name, variables=len(dataset.variables)), "info")
    return redirect(url_for("catalog.dataset", dataset_id=dataset.id))
