"""The evidence format: an output as versioned, JSON-serializable data.

The kernel sends evidence with an export request; the service stores it and
re-runs every rule on it. Evidence holds what the checker needs and what the
release is built from: per-cell counts, largest contributions and record
membership digests, model statistics, and custom files as base64 (within a
size limit). Non-finite numbers are written as the strings ``"nan"``,
``"inf"`` and ``"-inf"`` so the JSON stays standard.

Layout (``version`` 1)::

    {"schema": "export-review/evidence", "version": 1, "name", "kind",
     "cohort": {"dataset", "description", "size"}, "comment", "variables",
     "created_at", "table": {...} | null, "model": {...} | null,
     "file": {"filename", "sha256", "size", "content_base64"} | null,
     "local_results": [CheckResult.to_dict(), ...],
     "recipe": {...} | null}

``recipe`` (see :mod:`export_review.recipes`) is optional so evidence saved
before recipes still reads; the service fails a table or model without one.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from typing import Any

import numpy as np

from export_review.checks.base import CheckResult
from export_review.errors import EvidenceError, RecipeError
from export_review.membership import decode_members, encode_members
from export_review.messages import text
from export_review.outputs import (
    Cell,
    Coefficient,
    Cohort,
    FileEvidence,
    ModelEvidence,
    Output,
    TableEvidence,
)
from export_review.recipes import recipe_from_dict

__all__ = [
    "EVIDENCE_SCHEMA",
    "EVIDENCE_VERSION",
    "MAX_FILE_BYTES",
    "is_valid_output_name",
    "output_from_evidence",
    "output_to_evidence",
]

EVIDENCE_SCHEMA = "export-review/evidence"
EVIDENCE_VERSION = 1
#: Default size limit for a custom file carried in evidence.
MAX_FILE_BYTES = 5_000_000
_KINDS = ("table", "summary", "histogram", "model", "file")
# Output names become file names in the release zip: no separators, no dot files.
_NAME = re.compile(r"^[^\W.][\w.-]{0,99}$")


def is_valid_output_name(name: str) -> bool:
    """Tell whether ``name`` is usable as an output name (and a release file stem)."""
    return bool(_NAME.match(name))


def _num(value: float | None) -> float | str | None:
    if value is None:
        return None
    if math.isfinite(value):
        return float(value)
    return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")


def _unnum(value: Any, where: str) -> float:
    if isinstance(value, str) and value in ("nan", "inf", "-inf"):
        return float(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise EvidenceError(text("evidence.bad_field", field=where))
    return float(value)


def _cell_to_dict(cell: Cell) -> dict[str, Any]:
    return {
        "row": list(cell.row), "column": list(cell.column), "count": cell.count,
        "value": _num(cell.value), "is_margin": cell.is_margin, "statistic": cell.statistic,
        "top": [_num(v) for v in cell.top], "total": _num(cell.total),
        "n_missing": cell.n_missing, "n_negative": cell.n_negative,
        "suppressed": cell.suppressed, "members": encode_members(cell.members),
    }


def output_to_evidence(output: Output) -> dict[str, Any]:
    """Serialize an output to versioned evidence.

    Args:
        output: the output.

    Returns:
        A dict that ``json.dumps`` accepts as is.
    """
    table = output.table
    model = output.model
    file = output.file
    return {
        "schema": EVIDENCE_SCHEMA,
        "version": EVIDENCE_VERSION,
        "name": output.name,
        "kind": output.kind,
        "cohort": {"dataset": output.cohort.dataset, "description": output.cohort.description,
                   "size": output.cohort.size},
        "comment": output.comment,
        "variables": list(output.variables),
        "created_at": output.created_at,
        "table": None if table is None else {
            "statistic": table.statistic, "row_vars": list(table.row_vars),
            "col_vars": list(table.col_vars), "value_var": table.value_var,
            "has_margins": table.has_margins, "rounding_base": table.rounding_base,
            "extreme_statistics": list(table.extreme_statistics),
            "cells": [_cell_to_dict(c) for c in table.cells],
        },
        "model": None if model is None else {
            "method": model.method, "formula": model.formula, "dependent": model.dependent,
            "nobs": model.nobs, "df_resid": _num(model.df_resid),
            "summary_text": model.summary_text,
            "term_support": [[name, n] for name, n in model.term_support],
            "coefficients": [
                {"name": c.name, "estimate": _num(c.estimate), "std_error": _num(c.std_error),
                 "statistic": _num(c.statistic), "p_value": _num(c.p_value),
                 "ci_low": _num(c.ci_low), "ci_high": _num(c.ci_high)}
                for c in model.coefficients
            ],
        },
        "file": None if file is None else {
            "filename": file.filename, "sha256": file.sha256, "size": len(file.content),
            "content_base64": base64.b64encode(file.content).decode("ascii"),
        },
        "local_results": [r.to_dict() for r in output.local_results],
        "recipe": None if output.recipe is None else output.recipe.to_dict(),
    }


def _get(data: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if not isinstance(data, dict) or key not in data:
        raise EvidenceError(text("evidence.missing_field", field=f"{where}{key}"))
    value = data[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind in (int, float)):
        raise EvidenceError(text("evidence.bad_field", field=f"{where}{key}"))
    return value


def _strings(values: Any, where: str) -> tuple[str, ...]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise EvidenceError(text("evidence.bad_field", field=where))
    return tuple(values)


def _cell_from_dict(data: dict[str, Any], where: str) -> Cell:
    value = data.get("value")
    suppressed = bool(_get(data, "suppressed", bool, where))
    total = data.get("total")
    try:
        members = decode_members(_get(data, "members", str, where))
    except (ValueError, binascii.Error, Exception) as exc:
        if isinstance(exc, EvidenceError):
            raise
        raise EvidenceError(text("evidence.bad_field", field=f"{where}members")) from exc
    return Cell(
        row=_strings(data.get("row"), f"{where}row"),
        column=_strings(data.get("column"), f"{where}column"),
        count=_get(data, "count", int, where),
        value=None if value is None and suppressed else (
            float("nan") if value is None else _unnum(value, f"{where}value")),
        is_margin=bool(_get(data, "is_margin", bool, where)),
        statistic=_get(data, "statistic", str, where),
        top=tuple(_unnum(v, f"{where}top") for v in _get(data, "top", list, where)),
        total=None if total is None else _unnum(total, f"{where}total"),
        n_missing=_get(data, "n_missing", int, where),
        n_negative=_get(data, "n_negative", int, where),
        suppressed=suppressed,
        members=members if members.size else np.zeros(0, dtype=np.uint64),
    )


def output_from_evidence(data: dict[str, Any], *, max_file_bytes: int = MAX_FILE_BYTES) -> Output:
    """Rebuild an output from evidence, validating every field.

    Args:
        data: the evidence dict.
        max_file_bytes: refuse custom files larger than this.

    Returns:
        The output.

    Raises:
        EvidenceError: naming the first malformed field (never its content).
    """
    if not isinstance(data, dict):
        raise EvidenceError(text("evidence.not_object"))
    if data.get("schema") != EVIDENCE_SCHEMA:
        raise EvidenceError(text("evidence.schema"))
    if data.get("version") != EVIDENCE_VERSION:
        raise EvidenceError(text("evidence.version", version=EVIDENCE_VERSION))
    kind = _get(data, "kind", str, "")
    if kind not in _KINDS:
        raise EvidenceError(text("evidence.bad_field", field="kind"))
    cohort_data = _get(data, "cohort", dict, "")
    cohort = Cohort(dataset=_get(cohort_data, "dataset", str, "cohort."),
                    description=_get(cohort_data, "description", str, "cohort."),
                    size=_get(cohort_data, "size", int, "cohort."))
    table = model = file = None
    if kind in ("table", "summary", "histogram"):
        t = _get(data, "table", dict, "")
        cells_data = _get(t, "cells", list, "table.")
        rounding = t.get("rounding_base")
        if rounding is not None and (isinstance(rounding, bool) or not isinstance(rounding, int)):
            raise EvidenceError(text("evidence.bad_field", field="table.rounding_base"))
        value_var = t.get("value_var")
        if value_var is not None and not isinstance(value_var, str):
            raise EvidenceError(text("evidence.bad_field", field="table.value_var"))
        table = TableEvidence(
            statistic=_get(t, "statistic", str, "table."),
            row_vars=_strings(t.get("row_vars"), "table.row_vars"),
            col_vars=_strings(t.get("col_vars"), "table.col_vars"),
            value_var=value_var,
            cells=tuple(_cell_from_dict(c, f"table.cells[{i}].")
                        for i, c in enumerate(cells_data)),
            has_margins=bool(_get(t, "has_margins", bool, "table.")),
            rounding_base=rounding,
            extreme_statistics=_strings(t.get("extreme_statistics", []),
                                        "table.extreme_statistics"),
        )
    elif kind == "model":
        m = _get(data, "model", dict, "")
        coefficients = []
        for i, c in enumerate(_get(m, "coefficients", list, "model.")):
            where = f"model.coefficients[{i}]."
            coefficients.append(Coefficient(
                name=_get(c, "name", str, where),
                **{k: _unnum(_get(c, k, (int, float, str), where), where + k)
                   for k in ("estimate", "std_error", "statistic", "p_value", "ci_low",
                             "ci_high")}))
        model = ModelEvidence(
            method=_get(m, "method", str, "model."), formula=_get(m, "formula", str, "model."),
            dependent=_get(m, "dependent", str, "model."), nobs=_get(m, "nobs", int, "model."),
            df_resid=_unnum(_get(m, "df_resid", (int, float, str), "model."), "model.df_resid"),
            coefficients=tuple(coefficients),
            summary_text=_get(m, "summary_text", str, "model."),
            term_support=_term_support(m.get("term_support", [])),
        )
    else:
        f = _get(data, "file", dict, "")
        size = _get(f, "size", int, "file.")
        if size > max_file_bytes:
            raise EvidenceError(text("evidence.file_too_large", limit=max_file_bytes))
        encoded = _get(f, "content_base64", str, "file.")
        if len(encoded) > (max_file_bytes * 4) // 3 + 8:
            raise EvidenceError(text("evidence.file_too_large", limit=max_file_bytes))
        try:
            content = base64.b64decode(encoded.encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError) as exc:
            raise EvidenceError(text("evidence.bad_field", field="file.content_base64")) from exc
        sha = _get(f, "sha256", str, "file.")
        file = FileEvidence(filename=_get(f, "filename", str, "file."), content=content,
                            sha256=sha)
        if len(content) != size:
            raise EvidenceError(text("evidence.bad_field", field="file.size"))
    results = []
    for i, r in enumerate(data.get("local_results", []) or []):
        try:
            results.append(CheckResult.from_dict(r))
        except (KeyError, TypeError, ValueError) as exc:
            raise EvidenceError(text("evidence.bad_field",
                                     field=f"local_results[{i}]")) from exc
    name = _get(data, "name", str, "")
    if not is_valid_output_name(name):
        raise EvidenceError(text("evidence.bad_name"))
    recipe = None
    if data.get("recipe") is not None:
        try:
            recipe = recipe_from_dict(data["recipe"])
        except RecipeError as exc:
            raise RecipeError(str(exc), output=name) from None
    return Output(
        name=name, kind=kind, cohort=cohort,
        comment=_get(data, "comment", str, ""),
        variables=_strings(data.get("variables"), "variables"),
        created_at=_get(data, "created_at", str, ""),
        table=table, model=model, file=file, local_results=tuple(results), recipe=recipe,
    )


def _term_support(data: Any) -> tuple[tuple[str, int], ...]:
    if not isinstance(data, list) or not all(
            isinstance(p, list) and len(p) == 2 and isinstance(p[0], str)
            and isinstance(p[1], int) and not isinstance(p[1], bool) for p in data):
        raise EvidenceError(text("evidence.bad_field", field="model.term_support"))
    return tuple((p[0], p[1]) for p in data)
