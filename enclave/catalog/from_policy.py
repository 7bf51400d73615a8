"""Describing a dataset from the identifier policy its agency's partner tool reads.

An agency already declares, in ``policies/identifiers/<agency>.yaml``, which of
its columns are identifiers (they never leave the agency) and which are
content, with a type and a label each, plus the demographics the partner tool
derives. The catalog entry is read from that same file, so what researchers
can ask for is exactly what the agency will send.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from enclave.catalog.datasets import VariableSpec, check_can_describe, dataset_problems, register_dataset
from enclave.db.models import Dataset, User
from enclave.errors import InputError
from enclave.service import EnclaveService
from enclave.users import Operator
from linkage.errors import PolicyError
from linkage.policy import DatasetSchema, load_dataset_schema

__all__ = ["QUASI_IDENTIFIERS", "import_dataset_from_policy", "variables_from_schema"]

#: The partner tool's content types and the catalog's.
_TYPES = {"category": "category", "integer": "integer", "number": "number", "date": "date",
          "boolean": "boolean", "string": "text"}
#: Content variables that, combined, could single a person out (the catalog flags them).
QUASI_IDENTIFIERS = frozenset({"sex", "birth_year", "age_band", "sido_code", "region_code", "household_type",
                               "household_size", "insurance_type", "employment_status", "industry_code"})
#: Demographics the partner tool derives from identifiers (type, meaning for the catalog).
_DERIVED = {
    "sex": ("category", "성별 — derived from the resident registration number or sex field"),
    "birth_year": ("integer", "출생연도 — derived from the resident registration number or birth date"),
    "region_code": ("category", "시군구 코드 — 5-digit district code of the address"),
}


def variables_from_schema(schema: DatasetSchema) -> list[VariableSpec]:
    """The catalog variables of an identifier schema: its content columns, then the derived demographics.

    Identifier columns are left out: they stay at the agency.
    """
    variables = [VariableSpec(name=c.column, type=_TYPES[c.type], meaning=c.label,
                              is_quasi_identifier=c.column in QUASI_IDENTIFIERS)
                 for c in schema.content]
    variables += [VariableSpec(name=name, type=_DERIVED[name][0], meaning=_DERIVED[name][1],
                               is_quasi_identifier=True) for name in schema.derived]
    return variables


def import_dataset_from_policy(
    svc: EnclaveService,
    session: Session,
    actor: User | Operator,
    *,
    policy: bytes,
    policy_name: str,
    agency_code: str,
    name: str | None = None,
    title: str | None = None,
    description: str | None = None,
    row_count: int = 0,
    coverage_start: dt.date | None = None,
    coverage_end: dt.date | None = None,
) -> Dataset:
    """Describe a dataset in the catalog from its identifier policy file.

    Args:
        svc: The open enclave.
        session: The open session.
        actor: Who describes it (the agency itself, a steward or an admin).
        policy: The identifier policy file's bytes.
        policy_name: The file's name, kept with the entry with the policy's version and hash.
        agency_code: The agency whose dataset it is.
        name: The dataset's short name; the policy's ``dataset`` when omitted.
        title: Its title; the policy's description (or name) when omitted.
        description: Its description; the policy's when omitted.
        row_count: About how many rows it has (stored rounded).
        coverage_start: First day the data covers.
        coverage_end: Last day the data covers.

    Raises:
        InputError: Every problem of the file and of the description at once; nothing is stored.
        PermissionDenied: An agency describing another agency's data, or a researcher.
        Conflict: The agency already has a dataset of that name.
    """
    check_can_describe(actor, agency_code)
    problems: list[str] = []
    schema: DatasetSchema | None = None
    try:
        schema = load_dataset_schema(policy, policy_name)
    except PolicyError as error:
        problems.extend(error.problems)
    variables = variables_from_schema(schema) if schema is not None else None
    name = name or (schema.dataset if schema is not None else "")
    title = title or (schema.description if schema is not None else "") or name
    if problems:
        problems += dataset_problems(session, agency_code=agency_code, name=name, title=title, variables=variables,
                                     coverage_start=coverage_start, coverage_end=coverage_end)
        raise InputError("\n".join(problems))
    assert schema is not None and variables is not None
    label = f"{policy_name} (v{schema.version}, sha256:{schema.content_hash[:16]})"
    return register_dataset(
        svc, session, actor, agency_code=agency_code, name=name, title=title[:300],
        description=description if description is not None else schema.description, row_count=row_count,
        variables=variables, coverage_start=coverage_start, coverage_end=coverage_end,
        identifier_policy=label[:200])
