"""Reading a dataset description from the catalog form and from the API's JSON.

Both report every problem at once, by line or position, and never echo a
value back in a problem: a line may hold anything someone pasted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from enclave.catalog import (
    VariableSpec,
    check_can_describe,
    dataset_problems,
    import_dataset_from_policy,
    register_dataset,
)
from enclave.db.models import Dataset, User
from enclave.errors import InputError
from enclave.service import EnclaveService
from enclave.web.messages import text

__all__ = [
    "DatasetInput",
    "dataset_from_json",
    "describe_dataset",
    "read_count",
    "read_date",
    "variables_from_lines",
    "variables_to_lines",
]

_FLAGS = {"qi": "is_quasi_identifier", "quasi-identifier": "is_quasi_identifier", "sensitive": "is_sensitive"}


@dataclass
class DatasetInput:
    """What a caller sent, read into the catalog's terms, with every problem found on the way."""

    agency_code: str = ""
    name: str = ""
    title: str = ""
    description: str = ""
    identifier_policy: str = ""
    row_count: int = 0
    coverage_start: dt.date | None = None
    coverage_end: dt.date | None = None
    variables: list[VariableSpec] = field(default_factory=list)
    policy: bytes | None = None
    problems: list[str] = field(default_factory=list)


def variables_from_lines(lines: str) -> tuple[list[VariableSpec], list[str]]:
    """Read one variable per line: ``name | type | meaning | flags`` (flags: ``qi``, ``sensitive``).

    Blank lines and lines starting with ``#`` are skipped.

    Returns:
        The variables, and a problem per unreadable line.
    """
    variables: list[VariableSpec] = []
    problems: list[str] = []
    for number, line in enumerate(lines.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) < 2 or len(parts) > 4 or not parts[0] or not parts[1]:
            problems.append(text("dataset_form.bad_line", line=number))
            continue
        flags = {f.strip().lower() for f in (parts[3] if len(parts) > 3 else "").replace(",", " ").split()}
        unknown = flags - set(_FLAGS)
        if unknown:
            problems.append(text("dataset_form.bad_flags", line=number))
            continue
        chosen = {_FLAGS[f] for f in flags}
        variables.append(VariableSpec(name=parts[0], type=parts[1].lower(), meaning=parts[2] if len(parts) > 2 else "",
                                      is_quasi_identifier="is_quasi_identifier" in chosen,
                                      is_sensitive="is_sensitive" in chosen))
    return variables, problems


def variables_to_lines(variables: list[VariableSpec]) -> str:
    """Write variables the way :func:`variables_from_lines` reads them."""
    lines = []
    for v in variables:
        flags = " ".join(f for f, on in (("qi", v.is_quasi_identifier), ("sensitive", v.is_sensitive)) if on)
        lines.append(" | ".join([v.name, v.type, v.meaning] + ([flags] if flags else [])))
    return "\n".join(lines)


def read_date(value: Any, name: str, problems: list[str]) -> dt.date | None:
    """A date written YYYY-MM-DD, ``None`` when empty; a problem otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    problems.append(text("error.bad_date", field=name))
    return None


def read_count(value: Any, name: str, problems: list[str]) -> int:
    """A whole number of rows, 0 when empty; a problem otherwise."""
    if value is None or value == "":
        return 0
    if isinstance(value, str) and value.strip().replace(",", "").isdigit():
        return int(value.strip().replace(",", ""))
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    problems.append(text("error.missing_field", field=name))
    return 0


def _text(body: dict[str, Any], name: str, problems: list[str], *, required: bool = False) -> str:
    value = body.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        problems.append(text("error.missing_field", field=name))
        return ""
    return value


def _json_variables(raw: Any, problems: list[str]) -> list[VariableSpec]:
    if not isinstance(raw, list):
        problems.append(text("error.missing_field", field="variables"))
        return []
    variables = []
    for position, item in enumerate(raw, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not isinstance(item.get("type"), str):
            problems.append(text("dataset_form.bad_variable", position=position))
            continue
        meaning = item.get("meaning", item.get("label", ""))
        qi, sensitive = item.get("is_quasi_identifier", False), item.get("is_sensitive", False)
        if not isinstance(meaning, str) or not isinstance(qi, bool) or not isinstance(sensitive, bool):
            problems.append(text("dataset_form.bad_variable", position=position))
            continue
        variables.append(VariableSpec(name=item["name"], type=item["type"], meaning=meaning,
                                      is_quasi_identifier=qi, is_sensitive=sensitive))
    return variables


def dataset_from_json(body: dict[str, Any], default_agency: str | None) -> DatasetInput:
    """Read ``POST /api/v1/catalog/datasets``'s body; ``variables`` or ``policy_yaml`` describes the columns.

    Args:
        body: The JSON object sent.
        default_agency: The calling agency's own code (``None`` for stewards and admins).
    """
    problems: list[str] = []
    agency = body.get("agency_code", default_agency)
    if not isinstance(agency, str) or not agency:
        problems.append(text("error.missing_field", field="agency_code"))
        agency = ""
    policy_yaml = body.get("policy_yaml")
    if policy_yaml is not None and not isinstance(policy_yaml, str):
        problems.append(text("error.missing_field", field="policy_yaml"))
        policy_yaml = None
    found = DatasetInput(
        agency_code=agency, name=_text(body, "name", problems, required=policy_yaml is None),
        title=_text(body, "title", problems, required=policy_yaml is None),
        description=_text(body, "description", problems),
        identifier_policy=_text(body, "identifier_policy", problems),
        row_count=read_count(body.get("row_count"), "row_count", problems),
        coverage_start=read_date(body.get("coverage_start"), "coverage_start", problems),
        coverage_end=read_date(body.get("coverage_end"), "coverage_end", problems),
        policy=None if policy_yaml is None else policy_yaml.encode("utf-8"))
    if policy_yaml is None:
        found.variables = _json_variables(body.get("variables"), problems)
    elif body.get("variables") is not None:
        problems.append(text("dataset_form.variables_or_policy"))
    found.problems = problems
    return found


def describe_dataset(svc: EnclaveService, session: Session, actor: User, found: DatasetInput) -> Dataset:
    """Store what a page or the API sent as a catalog entry, or refuse it with every problem at once.

    Raises:
        PermissionDenied: The actor may not describe that agency's datasets (checked first).
        InputError: Every problem of the input and of the description, one per line; nothing stored.
        Conflict: The agency already has a dataset of that name.
    """
    check_can_describe(actor, found.agency_code)
    if found.problems:
        more = dataset_problems(session, agency_code=found.agency_code, name=found.name or "-",
                                title=found.title or "-",
                                variables=found.variables if found.policy is None else None,
                                coverage_start=found.coverage_start, coverage_end=found.coverage_end)
        raise InputError("\n".join(found.problems + more))
    if found.policy is not None:
        return import_dataset_from_policy(
            svc, session, actor, policy=found.policy,
            policy_name=found.identifier_policy or "identifier policy", agency_code=found.agency_code,
            name=found.name or None, title=found.title or None, description=found.description or None,
            row_count=found.row_count, coverage_start=found.coverage_start, coverage_end=found.coverage_end)
    return register_dataset(
        svc, session, actor, agency_code=found.agency_code, name=found.name, title=found.title,
        description=found.description, identifier_policy=found.identifier_policy[:200], row_count=found.row_count,
        variables=found.variables, coverage_start=found.coverage_start, coverage_end=found.coverage_end)
