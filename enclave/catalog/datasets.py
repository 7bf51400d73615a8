"""Registering and finding datasets in the catalog (stage 1-2: what can be combined).

The catalog holds metadata only. Row counts are rounded before they are
stored, because an exact count of a small registry can itself disclose.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from enclave.agencies import agency_problem
from enclave.db.models import Dataset, DatasetVariable, Role, User
from enclave.errors import Conflict, InputError, PermissionDenied
from enclave.messages import label, text
from enclave.service import EnclaveService
from enclave.users import Operator

__all__ = [
    "VARIABLE_TYPES",
    "VariableSpec",
    "can_describe",
    "check_can_describe",
    "dataset_problems",
    "register_dataset",
    "round_count",
    "search_datasets",
]

VARIABLE_TYPES = ("integer", "number", "text", "category", "date", "boolean")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


@dataclass(frozen=True)
class VariableSpec:
    """A variable as an agency or steward describes it."""

    name: str
    type: str
    meaning: str = ""
    is_quasi_identifier: bool = False
    is_sensitive: bool = False


def round_count(count: int) -> int:
    """Round a row count for the catalog: to the nearest 1,000 (at least 1,000 when non-zero)."""
    if count <= 0:
        return 0
    return max(1000, round(count, -3))


def can_describe(actor: User | Operator, agency_code: str) -> bool:
    """Whether ``actor`` may describe datasets of ``agency_code``: its own agency, or any as steward or admin."""
    if actor.role in (Role.steward, Role.admin):
        return True
    return actor.role is Role.agency and actor.agency_code == agency_code


def check_can_describe(actor: User | Operator, agency_code: str) -> None:
    """Refuse (and audit) an actor who may not describe ``agency_code``'s datasets.

    Raises:
        PermissionDenied: A researcher, or an agency describing another agency's data.
    """
    if not can_describe(actor, agency_code):
        raise PermissionDenied(text("users.forbidden", role=label(actor.role)), audit={
            "actor": actor.username, "action": "catalog.register", "object_type": "dataset",
            "object_id": "", "outcome": "denied", "reason": "not_their_agency", "agency": str(agency_code)[:64]})


def dataset_problems(
    session: Session,
    *,
    agency_code: str,
    name: str,
    title: str,
    variables: Sequence[VariableSpec] | None,
    coverage_start: dt.date | None = None,
    coverage_end: dt.date | None = None,
) -> list[str]:
    """Every problem with a dataset description, one sentence each (empty when it can be stored).

    Args:
        session: The open session (to check the agency is registered and active).
        agency_code: The agency whose dataset it is.
        name: The dataset's short name.
        title: Its title.
        variables: Its variables; ``None`` when they could not be read at all
            (their source's own problems are reported by the caller).
        coverage_start: First day the data covers.
        coverage_end: Last day the data covers.
    """
    problems = []
    unusable = agency_problem(session, agency_code)
    if unusable:
        problems.append(unusable)
    if not _NAME.match(name):
        problems.append(text("catalog.bad_name", name=name[:64]))
    if not title.strip():
        problems.append(text("catalog.no_title"))
    elif len(title.strip()) > 300:
        problems.append(text("catalog.long_title"))
    if coverage_start and coverage_end and coverage_end < coverage_start:
        problems.append(text("catalog.bad_coverage"))
    if variables is not None and not variables:
        problems.append(text("catalog.no_variables"))
    seen: set[str] = set()
    for position, var in enumerate(variables or (), start=1):
        if not _NAME.match(var.name):
            problems.append(text("catalog.bad_variable", position=position))
        elif var.name in seen:
            problems.append(text("catalog.duplicate_variable", name=var.name))
        seen.add(var.name)
        if var.type not in VARIABLE_TYPES:
            problems.append(text("catalog.bad_type", name=var.name if _NAME.match(var.name) else position,
                                 types=", ".join(VARIABLE_TYPES)))
    return problems


def register_dataset(
    svc: EnclaveService,
    session: Session,
    actor: User | Operator,
    *,
    agency_code: str,
    name: str,
    title: str,
    row_count: int,
    variables: Sequence[VariableSpec],
    description: str = "",
    coverage_start: dt.date | None = None,
    coverage_end: dt.date | None = None,
    identifier_policy: str = "",
) -> Dataset:
    """Describe a dataset in the catalog.

    Agencies describe their own datasets; stewards and admins may describe any,
    always for a registered, active agency. Every problem with the description
    is reported at once, one per line.

    Raises:
        PermissionDenied: An agency describing another agency's data, or a researcher.
        InputError: Listing every problem found.
        Conflict: The agency already has a dataset of that name.
    """
    check_can_describe(actor, agency_code)
    problems = dataset_problems(session, agency_code=agency_code, name=name, title=title, variables=variables,
                                coverage_start=coverage_start, coverage_end=coverage_end)
    if row_count < 0:
        problems.append(text("catalog.bad_rows"))
    if problems:
        raise InputError("\n".join(problems))
    exists = session.scalar(select(Dataset.id).where(Dataset.agency_code == agency_code, Dataset.name == name))
    if exists is not None:
        raise Conflict(text("catalog.duplicate", name=name), audit={
            "actor": actor.username, "action": "catalog.register", "object_type": "dataset",
            "object_id": exists, "outcome": "denied", "reason": "duplicate", "agency": agency_code})
    dataset = Dataset(
        agency_code=agency_code, name=name, title=title.strip(), description=description.strip(),
        coverage_start=coverage_start, coverage_end=coverage_end, row_count_rounded=round_count(row_count),
        identifier_policy=identifier_policy, created_by=actor.username,
        variables=[
            DatasetVariable(position=i, name=v.name, type=v.type, meaning=v.meaning,
                            is_quasi_identifier=v.is_quasi_identifier, is_sensitive=v.is_sensitive)
            for i, v in enumerate(variables)
        ],
    )
    session.add(dataset)
    session.flush()
    svc.audit.record(session, actor=actor.username, action="catalog.register", object_type="dataset",
                     object_id=dataset.id, agency=agency_code, variables=len(variables))
    return dataset


def search_datasets(session: Session, query: str = "", agency_code: str | None = None) -> list[Dataset]:
    """Find datasets whose name, title, description or variables mention ``query``."""
    stmt = select(Dataset).options(selectinload(Dataset.variables)).order_by(Dataset.agency_code, Dataset.name)
    if agency_code:
        stmt = stmt.where(Dataset.agency_code == agency_code)
    if query.strip():
        like = f"%{query.strip().lower()}%"
        matching_vars = select(DatasetVariable.dataset_id).where(
            or_(DatasetVariable.name.ilike(like), DatasetVariable.meaning.ilike(like)))
        stmt = stmt.where(or_(Dataset.name.ilike(like), Dataset.title.ilike(like),
                              Dataset.description.ilike(like), Dataset.id.in_(matching_vars)))
    return list(session.scalars(stmt))
