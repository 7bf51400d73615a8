"""Catalog pages: browse and search datasets, read one dataset's description."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from enclave.catalog import search_datasets
from enclave.db.models import Dataset
from enclave.web.database import db_session
from enclave.web.identity import login_required, not_found

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
