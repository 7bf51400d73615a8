"""Utility-aware additional processing: local suppression, the optimum, importance, attack verdicts."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from enclave.privacy import (
    SUPPRESSED,
    AttackResults,
    AttackRisk,
    anonymize,
    attacks_for_width,
    build_risk_report,
    policy_from_dict,
)

_PREFIX_1 = {"kind": "prefix", "lengths": [1], "width": 2}


def _policy(columns: dict[str, object], *, k: int, budget: float, **extra: object) -> object:
    return policy_from_dict(
        {"dataset": "utility", "thresholds": {"k": k, "suppression_budget": budget, **extra}, "columns": columns}
    )


# --- local suppression keeps what full-domain generalization would lose -----------------------------


def _outliers() -> pd.DataFrame:
    # 100 records in two region codes, and five men each alone in a region
    # whose first digit is also his alone: at k = 5 no generalization short
    # of '*' for everyone makes them safe.
    common = pd.DataFrame(
        {"sex": ["M", "F"] * 50, "region": ["11"] * 50 + ["12"] * 50}
    )
    rare = pd.DataFrame({"sex": ["M"] * 5, "region": ["21", "32", "43", "54", "65"]})
    return pd.concat([common, rare], ignore_index=True)


def test_local_suppression_keeps_a_column_that_full_domain_generalization_would_lose() -> None:
    df = _outliers()
    columns = {"sex": {"role": "quasi_identifier"}, "region": {"role": "quasi_identifier", "hierarchy": _PREFIX_1}}

    generalized_only = anonymize(df, _policy(columns, k=5, budget=0.0))
    assert generalized_only.levels["region"] == 2  # '*': one value for everyone
    assert set(generalized_only.data["region"].astype(str)) == {SUPPRESSED}

    local = anonymize(df, _policy(columns, k=5, budget=0.05))
    region = local.data["region"].astype(str)
    assert local.levels["region"] == 0
    assert sorted(set(region)) == [SUPPRESSED, "11", "12"]
    assert (region == SUPPRESSED).sum() == 5  # only the five outliers' region values
    assert (local.data["sex"].astype(str).iloc[100:] == "M").all()  # their other values stay
    assert local.information_loss.suppressed_records == 5
    assert local.information_loss.removed_records == 0
    assert local.risk_after.smallest_class >= 5
    assert local.utility is not None and not local.utility["region"]["single_value"]


# --- the optimum on a small lattice, checked by hand -------------------------------------------------


def _hand_lattice() -> pd.DataFrame:
    rows = [("11", "x")] * 3 + [("12", "y")] * 3 + [("21", "x"), ("22", "x"), ("21", "y"), ("22", "y")]
    return pd.DataFrame(rows, columns=["a", "b"])


_HAND_COLUMNS = {
    "a": {"role": "quasi_identifier", "hierarchy": _PREFIX_1},
    "b": {"role": "quasi_identifier", "hierarchy": {"kind": "categories", "levels": {"x": ["g"], "y": ["g"]}}},
}


def test_search_finds_the_hand_computed_optimum_of_generalization_and_local_suppression() -> None:
    """Ten records, k = 2; a = 11 (3), 12 (3), 21 (2), 22 (2); b = x (5), y (5).

    a's maximal non-uniform entropy is 6 log2(10/3) + 4 log2(10/2) bits.
    Node (a: first digit, b: value) passes with no suppression: every record of
    a costs log2(6/3) or log2(4/2) = 1 bit, 10 bits in all, mean loss
    10 / max / 2 = 0.2537. Node (value, value) fails k only for the four 2x
    records; blanking their a (the column with more values goes first) makes
    classes (*, x) and (*, y) of two: 4 log2(10/2) bits, mean loss 0.2356, the
    optimum when four suppressed records fit the budget. Suppressing those four
    records whole would also cost b 4 log2(10/5) of its 10 bits: 0.4356.
    Every other node leaves a column with one value.
    """
    a_max = 6 * math.log2(10 / 3) + 4 * math.log2(10 / 2)
    df = _hand_lattice()

    with_budget = anonymize(df, _policy(_HAND_COLUMNS, k=2, budget=0.4))
    assert with_budget.levels == {"a": 0, "b": 0}
    assert with_budget.information_loss.non_uniform_entropy == pytest.approx(4 * math.log2(5) / a_max / 2)
    assert with_budget.information_loss.suppressed_records == 4
    assert list(with_budget.data["a"].astype(str).iloc[6:]) == [SUPPRESSED] * 4
    assert list(with_budget.data["b"].astype(str).iloc[6:]) == ["x", "x", "y", "y"]
    assert with_budget.information_loss.is_optimal
    assert with_budget.nodes_evaluated < with_budget.nodes_in_lattice == 9  # bounded, not exhaustive

    without = anonymize(df, _policy(_HAND_COLUMNS, k=2, budget=0.0))
    assert without.levels == {"a": 1, "b": 0}
    assert without.information_loss.non_uniform_entropy == pytest.approx(10 / a_max / 2)
    assert without.information_loss.suppressed_records == 0


# --- the researcher's key variables -----------------------------------------------------------------


def test_the_researchers_key_variable_is_kept_finer_than_a_non_key_one() -> None:
    # Every (a, b) pair three times: k = 5 needs one of the two coarsened to
    # its first digit, and either choice loses the same information.
    values = ["11", "12", "21", "22", "31", "32"]
    df = pd.DataFrame([(a, b) for a in values for b in values for _ in range(3)], columns=["a", "b"])
    columns = {
        "a": {"role": "quasi_identifier", "hierarchy": _PREFIX_1},
        "b": {"role": "quasi_identifier", "hierarchy": _PREFIX_1},
    }
    policy = _policy(columns, k=5, budget=0.0)
    for key, other in (("a", "b"), ("b", "a")):
        result = anonymize(df, policy, importance=[key])
        assert result.levels[key] == 0
        assert result.levels[other] == 1
        assert result.information_loss.importance == (key,)
    report = build_risk_report(policy, ran_by="Analyst Kim", anonymization=anonymize(df, policy, importance=["a"]))
    assert not any("'a'" in w for w in report.warnings)


# --- attack limits: decided, or reported as inconclusive -------------------------------------------------


def _attack(low: float, high: float, n: int = 1068) -> AttackRisk:
    return AttackRisk("inference:dx", (low + high) / 2, low, high, 0.5, 0.3, 0.2, n, True)


@pytest.mark.parametrize(
    ("low", "high", "verdict"),
    [(0.05, 0.2, "below"), (0.3, 0.42, "inconclusive"), (0.36, 0.5, "above")],
)
def test_an_attack_interval_decides_only_when_it_lies_wholly_on_one_side(low: float, high: float, verdict: str) -> None:
    assert _attack(low, high).verdict(0.35) == verdict


def test_an_inconclusive_attack_interval_is_reported_for_the_steward_not_failed() -> None:
    df = _outliers()
    columns = {"sex": {"role": "quasi_identifier"}, "region": {"role": "quasi_identifier", "hierarchy": _PREFIX_1}}
    policy = _policy(columns, k=5, budget=0.05, max_attack_risk=0.35)
    result = anonymize(df, policy)
    report = build_risk_report(
        policy, ran_by="Analyst Kim", anonymization=result, attacks=AttackResults((_attack(0.3, 0.42),), 0.95, 0)
    )
    assert report.meets_thresholds  # nothing decided against the data
    assert report.findings == ()
    assert len(report.undecided) == 1 and "inconclusive" in report.undecided[0]
    risk = report.to_dict()["attacks"]["risks"][0]
    assert risk["verdict"] == "inconclusive"
    assert risk["ci_width"] == pytest.approx(0.12)
    assert "inconclusive" in report.summary
    html = report.to_html()
    assert html.index("inconclusive") < html.index("<table>")  # on the first screen

    decided = build_risk_report(
        policy, ran_by="Analyst Kim", anonymization=result, attacks=AttackResults((_attack(0.36, 0.5),), 0.95, 0)
    )
    assert not decided.meets_thresholds and decided.undecided == ()


def test_attacks_are_sized_for_the_interval_width_asked_for() -> None:
    assert attacks_for_width(0.03, 0.95) == 1068
    assert attacks_for_width(0.1, 0.95) == 97


def test_a_quasi_identifier_left_with_one_value_is_a_first_screen_warning() -> None:
    df = _outliers()
    columns = {"sex": {"role": "quasi_identifier"}, "region": {"role": "quasi_identifier", "hierarchy": _PREFIX_1}}
    policy = _policy(columns, k=5, budget=0.0)
    report = build_risk_report(policy, ran_by="Analyst Kim", anonymization=anonymize(df, policy))
    assert any("'region'" in w and "single value" in w for w in report.warnings)
    html = report.to_html()
    assert html.index("single value") < html.index("<table>")
    assert report.to_dict()["utility"]["region"]["distinct_after"] == 0


# --- meaningful hierarchies declared in the policy ---------------------------------------------------


def test_the_project_policy_generalizes_sigungu_to_sido_then_region_and_keeps_withheld_values() -> None:
    import numpy as np

    from enclave.privacy import load_policy

    policy = load_policy("policies/pseudonymization/linked-project.yaml")
    region = policy.column("region_code").hierarchy
    assert region is not None and region.step_names == ("prefix 2", "권역")
    codes = np.array(["11110", "41135", "52111", "26350", "50110", "*"], dtype=object)
    assert list(region.generalize_values(codes, 1)) == ["11", "41", "52", "26", "50", "*"]
    assert list(region.generalize_values(codes, 2)) == ["수도권", "수도권", "호남권", "영남권", "강원·제주권", "*"]
    assert list(region.uncovered_mask(np.array(["11110", "99110"], dtype=object))) == [False, True]
    birth = policy.column("birth_year").hierarchy
    assert birth is not None and birth.step_names == ("band 5", "band 10", "band 20", "band 40")
    assert list(birth.generalize_values(np.array([1961, 1965], dtype=object), 3)) == ["1945-1964", "1965-1984"]
    household = policy.column("household_type").hierarchy
    assert household is not None and household.step_names == ("household", "living")


def test_prefix_groups_name_every_problem_of_the_policy() -> None:
    from enclave.privacy.hierarchies import hierarchy_from_dict

    built, problems = hierarchy_from_dict(
        {"kind": "prefix", "lengths": [2], "width": 5, "groups": {"levels": {"11": ["a"], "26": ["b", "c"]}}}
    )
    assert built is None and any("groups:" in p and "same number" in p for p in problems)
