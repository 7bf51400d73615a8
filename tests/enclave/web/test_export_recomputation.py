"""Submitted outputs are recomputed from the enclave's own data; what the kernel claims is not trusted.

Every test goes through the service's submission path, the JSON API a
workspace kernel calls (``POST /api/v1/projects/{id}/export-requests`` with a
project-scoped token), with evidence made by :class:`OutputSession` on the
project's approved dataset and, for the attacks, edited as a hostile kernel would.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select

from enclave.db.models import ExportOutput, ExportRequest
from export_review.membership import encode_members
from tests.factories import outputs_from, store_approved_dataset

Evidence = list[dict[str, Any]]


def _study_frame() -> pd.DataFrame:
    """240 records; ``clinic`` has one record at ``Z``, ``age`` puts exactly 3 records below 21."""
    rng = np.random.default_rng(12)
    n = 240
    age = rng.integers(21, 80, size=n)
    age[[5, 77, 150]] = [18, 19, 20]
    clinic = np.array(["A"] * 120 + ["B"] * 119 + ["Z"])
    return pd.DataFrame({
        "pseudonym": [f"{i:032x}" for i in range(n)],
        "sex": rng.choice(["F", "M"], size=n),
        "region": rng.choice(["north", "south", "east"], size=n),
        "clinic": clinic,
        "age": age,
        "cost": rng.uniform(100.0, 200.0, size=n).round(2),
        "rare": ["common"] * 237 + ["rare"] * 3,
    })


@pytest.fixture
def study(world, svc) -> tuple[int, str, pd.DataFrame]:  # noqa: ANN001
    project_id = world.project("active")
    frame = _study_frame()
    return project_id, store_approved_dataset(svc, project_id, frame), frame


@pytest.fixture
def submit(client, people, token_for) -> Callable[[int, Evidence], Any]:  # noqa: ANN001
    def post(project_id: int, evidence: Evidence) -> Any:
        headers = token_for(people["researcher"], scope=f"project:{project_id}")
        return client.post(f"/api/v1/projects/{project_id}/export-requests", headers=headers,
                           json={"title": "Tables", "outputs": evidence})
    return post


def _checks(svc, request_id: int) -> dict[str, dict[str, dict[str, Any]]]:  # noqa: ANN001
    """Each output's server results by rule."""
    with svc.session() as session:
        outputs = session.scalars(select(ExportOutput).where(ExportOutput.request_id == request_id)).all()
        return {o.name: {r["rule"]: r for r in json.loads(o.checks)["results"]} for o in outputs}


def _requests(svc) -> int:  # noqa: ANN001
    with svc.session() as session:
        return int(session.scalar(select(func.count()).select_from(ExportRequest)))


def _made(frame: pd.DataFrame, version: str, make: Callable[[Any, pd.DataFrame], object]) -> Evidence:
    return outputs_from(frame, version, make)


def test_honest_outputs_are_recomputed_and_safe_controls_pass(study, submit, svc) -> None:  # noqa: ANN001
    project_id, version, frame = study

    def make(session, df) -> None:  # noqa: ANN001
        session.frequency(df, "region", name="by_region")
        session.crosstab(df, "sex", "region", name="sex_by_region", where="age >= 0 and region != \"nowhere\"")
        session.summary(df, "cost", name="cost_summary")
        session.histogram(df, "age", bins=[0, 40, 60, 100], name="ages")
        session.ols("cost ~ age + C(sex)", df, name="cost_model")
        session.crosstab(df, "clinic", name="clinics", regroup={"clinic": {"Z": "B"}})

    answer = submit(project_id, _made(frame, version, make))
    assert answer.status_code == 201
    checks = _checks(svc, answer.get_json()["id"])
    for name, results in checks.items():
        assert results["Recomputation"]["status"] == "pass", name
        assert not [r for r in results.values() if r["status"] == "fail"], name
    assert "ModelCategorySupport" in checks["cost_model"]


def test_summaries_hide_minimum_and_maximum_by_default(study) -> None:  # noqa: ANN001
    _, version, frame = study
    evidence = _made(frame, version, lambda s, df: s.summary(df, "cost", name="s"))
    assert {c["column"][0] for c in evidence[0]["table"]["cells"]} == {"count", "mean", "std", "p25", "median",
                                                                         "p75"}


@pytest.mark.parametrize("with_members", [False, True], ids=["members stripped", "members forged"])
def test_forged_counts_fail_recomputation_and_the_checks_see_the_true_count(
        study, submit, svc, with_members: bool) -> None:  # noqa: ANN001
    project_id, version, frame = study
    evidence = _made(frame, version, lambda s, df: s.frequency(df, "rare", name="rare_counts"))
    for cell in evidence[0]["table"]["cells"]:
        if cell["row"] == ["rare"]:
            cell["count"], cell["value"] = 12, 12.0
            cell["members"] = encode_members(np.arange(1, 13, dtype=np.uint64)) if with_members else ""
        if cell["is_margin"]:
            cell["count"], cell["value"] = 249, 249.0
    evidence[0]["local_results"] = []
    answer = submit(project_id, evidence)
    assert answer.status_code == 201
    assert answer.get_json()["outputs"][0]["status"] == "fail"
    results = _checks(svc, answer.get_json()["id"])["rare_counts"]
    assert results["Recomputation"]["status"] == "fail"
    assert "rare" in results["Recomputation"]["message"]
    assert results["MinimumCellCount"]["status"] == "fail"


def test_a_relabelled_extreme_fails(study, submit, svc) -> None:  # noqa: ANN001
    project_id, version, frame = study
    evidence = _made(frame, version, lambda s, df: s.summary(df, "cost", statistics=["count", "mean", "p75"],
                                                             name="cost_summary"))
    for cell in evidence[0]["table"]["cells"]:
        if cell["column"] == ["p75"]:
            cell["value"] = float(frame["cost"].max())
    answer = submit(project_id, evidence)
    results = _checks(svc, answer.get_json()["id"])["cost_summary"]
    assert results["Recomputation"]["status"] == "fail"
    assert "p75" in results["Recomputation"]["message"]


def test_asking_for_the_maximum_fails_on_the_enclaves_figures(study, submit, svc) -> None:  # noqa: ANN001
    project_id, version, frame = study
    evidence = _made(frame, version, lambda s, df: s.summary(df, "cost", statistics=["count", "max"], name="top"))
    results = _checks(svc, submit(project_id, evidence).get_json()["id"])["top"]
    assert results["Recomputation"]["status"] == "pass"
    assert results["ExtremeValues"]["status"] == "fail"


def test_a_cohort_recut_by_three_records_fails_differencing_even_without_the_id_column(
        study, submit, svc) -> None:  # noqa: ANN001
    project_id, version, frame = study
    # The kernel drops the identifier and re-indexes: its member digests are of a meaningless index.
    kernel_frame = frame.drop(columns="pseudonym").set_axis(range(1000, 1000 + len(frame)))

    def make(session, df) -> None:  # noqa: ANN001
        session.record_id = None
        session.frequency(df, "sex", name="everyone")
        session.frequency(df, "sex", name="adults_only", where="age >= 21")

    answer = submit(project_id, _made(kernel_frame, version, make))
    results = _checks(svc, answer.get_json()["id"])
    assert results["everyone"]["Recomputation"]["status"] == "pass"
    assert results["adults_only"]["Recomputation"]["status"] == "pass"
    assert results["adults_only"]["Differencing"]["status"] == "fail"
    assert "everyone" in results["adults_only"]["Differencing"]["message"]


def test_a_dummy_for_a_group_of_one_fails(study, submit, svc) -> None:  # noqa: ANN001
    project_id, version, frame = study
    evidence = _made(frame, version, lambda s, df: s.ols("cost ~ age + C(clinic)", df, name="by_clinic"))
    results = _checks(svc, submit(project_id, evidence).get_json()["id"])["by_clinic"]
    assert results["Recomputation"]["status"] == "pass"
    assert results["ModelCategorySupport"]["status"] == "fail"
    assert "C(clinic)[T.Z]" in results["ModelCategorySupport"]["message"]


def test_an_edited_coefficient_and_residual_dof_fail(study, submit, svc) -> None:  # noqa: ANN001
    project_id, version, frame = study
    evidence = _made(frame, version, lambda s, df: s.ols("cost ~ age", df, name="fit"))
    evidence[0]["model"]["df_resid"] = 5000.0
    evidence[0]["model"]["coefficients"][1]["estimate"] += 0.5
    results = _checks(svc, submit(project_id, evidence).get_json()["id"])["fit"]
    assert results["Recomputation"]["status"] == "fail"
    assert "df_resid" in results["Recomputation"]["locations"] and "age" in results["Recomputation"]["locations"]


def test_a_table_made_from_data_changed_in_the_kernel_fails(study, submit, svc) -> None:  # noqa: ANN001
    project_id, version, frame = study
    edited = frame.assign(rare=frame["rare"].replace({"rare": "common"}))
    evidence = _made(edited, version, lambda s, df: s.frequency(df, "rare", name="rare_counts"))
    results = _checks(svc, submit(project_id, evidence).get_json()["id"])["rare_counts"]
    assert results["Recomputation"]["status"] == "fail"
    assert results["MinimumCellCount"]["status"] == "fail"


def test_an_output_without_a_recipe_fails_and_a_custom_file_goes_to_review(
        study, submit, svc, tmp_path) -> None:  # noqa: ANN001
    project_id, version, frame = study
    (tmp_path / "note.txt").write_text("A note on the method.", encoding="utf-8")

    def make(session, df) -> None:  # noqa: ANN001
        session.frequency(df, "region", name="by_region")
        session.add_file(tmp_path / "note.txt", "Method note", name="note")

    evidence = _made(frame, version, make)
    evidence[0]["recipe"] = None
    results = _checks(svc, submit(project_id, evidence).get_json()["id"])
    assert results["by_region"]["Recomputation"]["status"] == "fail"
    assert "no recipe" in results["by_region"]["Recomputation"]["message"]
    assert results["note"]["Recomputation"]["status"] == "review"


def _break(evidence: Evidence, how: str) -> Evidence:
    broken = copy.deepcopy(evidence)
    recipe = broken[1]["recipe"]
    if how == "unknown variable":
        recipe["parameters"]["rows"] = ["income_band"]
    elif how == "unknown dataset version":
        recipe["dataset_version"] = "987654"
    elif how == "unparsable filter":
        recipe["where"] = "age >>= 3"
    elif how == "code in the filter":
        recipe["where"] = "__import__('os').system('true')"
    elif how == "code in the formula":
        broken[2]["recipe"]["parameters"]["formula"] = "cost ~ __import__('os').getpid()"
    elif how == "rounding base 1":
        recipe["mitigation"]["rounding_base"] = 1
    return broken


@pytest.mark.parametrize("how, says", [
    ("unknown variable", "income_band"),
    ("unknown dataset version", "dataset version"),
    ("unparsable filter", "does not parse"),
    ("code in the filter", "filter language"),
    ("code in the formula", "formula"),
    ("rounding base 1", "rounding base of 1"),
])
def test_a_bad_recipe_refuses_the_request_naming_the_output(study, submit, svc, how: str, says: str) -> None:  # noqa: ANN001
    project_id, version, frame = study

    def make(session, df) -> None:  # noqa: ANN001
        session.frequency(df, "region", name="by_region")
        session.frequency(df, "sex", name="by_sex", round_to=5)
        session.ols("cost ~ age", df, name="fit")

    before = _requests(svc)
    answer = submit(project_id, _break(_made(frame, version, make), how))
    assert answer.status_code == 400
    error = answer.get_json()["error"]
    assert says in error
    assert ("by_sex" if how != "code in the formula" else "fit") in error
    assert _requests(svc) == before


def test_the_kernel_refuses_a_rounding_base_below_the_policy_minimum(study) -> None:  # noqa: ANN001
    from export_review import OutputError, OutputSession

    _, version, frame = study
    session = OutputSession(dataset_version=version, echo=None)
    session.frequency(frame, "region", name="t")
    with pytest.raises(OutputError, match="minimum of 5"):
        session.round("t", 2)


@pytest.mark.parametrize("comment", [
    "Outlier is " + "0123456789ABCDEF0123456789ABCDEF",
    "Outlier is id_0123456789abcdef0123456789abcdef",
    "Born 19800101, the oldest member",
], ids=["upper-case pseudonym", "prefixed pseudonym", "compact birth date"])
def test_identifier_variants_fail_on_the_server(study, submit, svc, comment: str) -> None:  # noqa: ANN001
    project_id, version, frame = study
    evidence = _made(frame, version, lambda s, df: s.frequency(df, "region", name="by_region", comment=comment))
    results = _checks(svc, submit(project_id, evidence).get_json()["id"])["by_region"]
    assert results["IdentifierScan"]["status"] == "fail"
    assert "comment" in results["IdentifierScan"]["message"]


def test_a_file_with_a_birth_date_column_fails_on_the_server(study, submit, svc, tmp_path) -> None:  # noqa: ANN001
    project_id, version, frame = study
    (tmp_path / "members.csv").write_text("region,dob\nnorth,800101\n", encoding="utf-8")
    evidence = _made(frame, version, lambda s, df: s.add_file(tmp_path / "members.csv", "A list", name="members"))
    results = _checks(svc, submit(project_id, evidence).get_json()["id"])["members"]
    assert results["IdentifierScan"]["status"] == "fail" and "line 2" in results["IdentifierScan"]["message"]


def test_a_three_way_difference_fails_the_linear_audit_naming_the_other_outputs(
        study, submit, svc) -> None:  # noqa: ANN001
    project_id, version, frame = study

    def make(session, df) -> None:  # noqa: ANN001
        session.frequency(df, "sex", name="everyone")
        session.frequency(df, "sex", name="young", where="age >= 21 and age < 50")
        session.frequency(df, "sex", name="old", where="age >= 50")

    results = _checks(svc, submit(project_id, _made(frame, version, make)).get_json()["id"])
    # No pair of outputs differs by fewer than 10 records: everyone − young − old does (3).
    assert results["old"]["Differencing"]["status"] == "pass"
    assert results["old"]["LinearDifferencing"]["status"] == "fail"
    assert {"everyone", "young"} <= set(results["old"]["LinearDifferencing"]["locations"])
    assert results["young"]["LinearDifferencing"]["status"] == "pass"


def test_a_linked_table_that_reveals_a_suppressed_cell_fails(study, submit, svc) -> None:  # noqa: ANN001
    project_id, version, frame = study

    def make(session, df) -> None:  # noqa: ANN001
        session.crosstab(df, "rare", "region", name="protected", suppress=True)
        session.frequency(df, "region", name="common_by_region", where='rare == "common"')

    results = _checks(svc, submit(project_id, _made(frame, version, make)).get_json()["id"])
    assert results["protected"]["MinimumCellCount"]["status"] == "pass"
    assert results["common_by_region"]["LinearDifferencing"]["status"] == "fail"
    assert "protected" in results["common_by_region"]["LinearDifferencing"]["message"]
