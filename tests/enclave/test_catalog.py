"""Describing datasets in the catalog from the identifier policies the partner tool reads."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from enclave.catalog import VariableSpec, import_dataset_from_policy, register_dataset, variables_from_schema
from enclave.db.models import Dataset
from enclave.errors import Conflict, InputError, PermissionDenied
from enclave.service import EnclaveService
from enclave.users import Operator
from linkage.policy import load_identifier_policies
from tests.enclave.domain_fixtures import register_agencies

POLICIES = Path(__file__).resolve().parents[2] / "policies" / "identifiers"
SHIPPED = sorted(p.name for p in POLICIES.glob("*.yaml") if p.name != "scheme.yaml")
OPERATOR = Operator("cli:tester")


def _count(svc: EnclaveService) -> int:
    with svc.session() as session:
        return session.scalar(select(func.count(Dataset.id))) or 0


def test_every_identifier_policy_is_shipped_for_a_test() -> None:
    assert SHIPPED == ["employment.yaml", "health.yaml", "welfare.yaml"]


@pytest.mark.parametrize("policy", SHIPPED)
def test_every_shipped_policy_imports_with_its_content_columns_and_derived_demographics(
        svc: EnclaveService, policy: str) -> None:
    schema = load_identifier_policies(POLICIES).schema(policy.removesuffix(".yaml"))
    register_agencies(svc, schema.dataset)
    with svc.session() as session:
        dataset = import_dataset_from_policy(svc, session, OPERATOR, policy=(POLICIES / policy).read_bytes(),
                                             policy_name=f"identifiers/{policy}", agency_code=schema.dataset,
                                             row_count=54_321)
        names = [v.name for v in dataset.variables]
        by_name = {v.name: v for v in dataset.variables}
        assert names == [c.column for c in schema.content] + list(schema.derived)
        # Identifiers never become catalog variables: they stay at the agency.
        assert not set(names) & {c.column for c in schema.identifiers} - set(schema.derived)
        for column in schema.content:
            assert by_name[column.column].meaning == column.label
            assert by_name[column.column].type == {"string": "text"}.get(column.type, column.type)
        for name in schema.derived:
            assert by_name[name].is_quasi_identifier
        assert dataset.title and dataset.row_count_rounded == 54_000
        assert dataset.identifier_policy.startswith(f"identifiers/{policy} (v{schema.version}, sha256:")
        events = svc.audit.query(session, action="catalog.register")
    assert events[0].actor == "cli:tester" and events[0].details["variables"] == len(names)


def test_the_demo_describes_its_datasets_with_the_same_mapping(svc: EnclaveService) -> None:
    from enclave.demo import agencies as demo

    # One mapping, in the catalog: the demo keeps no copy of its own.
    assert not hasattr(demo, "_TYPES") and not hasattr(demo, "_DERIVED")
    schema = load_identifier_policies(POLICIES).schema("health")
    assert [v.name for v in variables_from_schema(schema)] == [c.column for c in schema.content] + list(schema.derived)


_GOOD = (POLICIES / "welfare.yaml").read_text(encoding="utf-8")

BAD_POLICIES = {
    "unknown type": (_GOOD.replace("{type: integer, label: 보장가구원수}", "{type: money, label: 보장가구원수}"),
                     ["content.household_size: type must be one of"]),
    "duplicate variable": (_GOOD.replace("  income_krw:", "  payment_krw:"), ["duplicate key 'payment_krw'"]),
    "missing columns": ("kind: identifier_schema\ndataset: welfare\nversion: 1\n",
                        ["'identifiers' must map at least one column"]),
    "malformed YAML": (_GOOD.replace("content:\n", "content: [\n"), ["not valid YAML"]),
    "two problems": (_GOOD.replace("{type: integer, label: 보장가구원수}", "{type: money}")
                     .replace("{type: date, label: 취득일}", "{type: when}"),
                     ["content.household_size: type", "content.eligibility_start: type"]),
}


@pytest.mark.parametrize("case", sorted(BAD_POLICIES))
def test_a_bad_policy_lists_every_problem_and_stores_nothing(svc: EnclaveService, case: str) -> None:
    register_agencies(svc, "welfare")
    text, expected = BAD_POLICIES[case]
    with pytest.raises(InputError) as raised, svc.session() as session:
        import_dataset_from_policy(svc, session, OPERATOR, policy=text.encode("utf-8"), policy_name="welfare.yaml",
                                   agency_code="welfare")
    for fragment in expected:
        assert fragment in raised.value.message
    assert _count(svc) == 0


def test_a_cp949_policy_is_refused_with_the_other_problems(svc: EnclaveService) -> None:
    with pytest.raises(InputError) as raised, svc.session() as session:
        # The shipped policy as an agency's Windows editor saves it (CP949 has no em dash).
        cp949 = _GOOD.replace("—", "-").encode("cp949")
        import_dataset_from_policy(svc, session, OPERATOR, policy=cp949, policy_name="welfare.yaml",
                                   agency_code="nobody")
    lines = raised.value.message.splitlines()
    assert any("cannot be read as UTF-8" in line for line in lines)
    # The unregistered agency is named in the same answer: one round of fixes.
    assert any("No active agency is registered with code nobody" in line for line in lines)
    assert _count(svc) == 0


def test_register_dataset_lists_every_problem_of_the_description(svc: EnclaveService) -> None:
    register_agencies(svc, "welfare")
    with pytest.raises(InputError) as raised, svc.session() as session:
        register_dataset(svc, session, OPERATOR, agency_code="welfare", name="Bad Name", title=" ", row_count=-1,
                         variables=[VariableSpec("sex", "category"), VariableSpec("sex", "category"),
                                    VariableSpec("age", "years")])
    lines = raised.value.message.splitlines()
    assert len(lines) == 5  # name, title, duplicate, type, rows
    assert any("listed twice" in line for line in lines) and any("unknown type" in line for line in lines)
    assert _count(svc) == 0


def test_datasets_of_an_unregistered_or_revoked_agency_are_refused(svc: EnclaveService) -> None:
    from enclave.agencies import revoke_agency

    register_agencies(svc, "welfare")
    revoke_agency(svc, "welfare", actor="t")
    for code in ("welfare", "nobody"):
        with pytest.raises(InputError, match=f"No active agency is registered with code {code}"), \
                svc.session() as session:
            register_dataset(svc, session, OPERATOR, agency_code=code, name="x", title="X", row_count=0,
                             variables=[VariableSpec("x", "integer")])


def test_an_agency_describes_only_its_own_datasets_and_a_refusal_is_audited(svc: EnclaveService) -> None:
    from enclave.users import add_user

    register_agencies(svc, "welfare", "health")
    with svc.session() as session:
        user = add_user(svc, session, username="agency-welfare", role="agency", password="long enough password",
                        actor="t", agency_code="welfare").user
        register_dataset(svc, session, user, agency_code="welfare", name="own", title="Own", row_count=0,
                         variables=[VariableSpec("x", "integer")])
    with pytest.raises(PermissionDenied), svc.session() as session:
        user = session.merge(user)
        import_dataset_from_policy(svc, session, user, policy=(POLICIES / "health.yaml").read_bytes(),
                                   policy_name="health.yaml", agency_code="health")
    with svc.session() as session:
        denied = [e for e in svc.audit.query(session, action="catalog.register") if e.outcome == "denied"]
    assert denied[0].actor == "agency-welfare" and denied[0].details["reason"] == "not_their_agency"
    assert _count(svc) == 1


def test_a_second_dataset_of_the_same_name_is_a_conflict(svc: EnclaveService) -> None:
    register_agencies(svc, "welfare")
    policy = (POLICIES / "welfare.yaml").read_bytes()
    with svc.session() as session:
        import_dataset_from_policy(svc, session, OPERATOR, policy=policy, policy_name="w.yaml", agency_code="welfare")
    with pytest.raises(Conflict), svc.session() as session:
        import_dataset_from_policy(svc, session, OPERATOR, policy=policy, policy_name="w.yaml", agency_code="welfare")
    assert _count(svc) == 1
