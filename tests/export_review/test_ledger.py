"""The release ledger catches differencing between released and new outputs."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from export_review import OutputSession, ReleaseLedger, review_outputs
from export_review.policy import DisclosurePolicy


def test_cohort_minus_a_few_people_collides_with_the_released_table(
        session: OutputSession, people: Callable[..., pd.DataFrame],
        policy: DisclosurePolicy) -> None:
    cohort_a = people({("F", "Busan"): 30, ("F", "Seoul"): 40,
                       ("M", "Busan"): 25, ("M", "Seoul"): 50})
    session.crosstab(cohort_a, "sex", "region", name="all_patients", cohort="everyone")
    ledger = ReleaseLedger("P1")
    ledger.record_release(session.get("all_patients"), request_id=7)
    # The same table without three people: subtracting isolates those three.
    cohort_b = cohort_a.drop(index=[0, 1, 2])
    session.crosstab(cohort_b, "sex", "region", name="without_three", cohort="age >= 18")
    [verdict] = review_outputs([session.get("without_three").to_evidence()], policy, ledger)
    differencing = next(r for r in verdict.results if r.rule == "Differencing")
    assert verdict.status == "fail" and differencing.status == "fail"
    assert "all_patients" in differencing.message
    assert differencing.locations == ("all_patients",)
    assert {c.label() for c in differencing.cells} >= {"F / Busan", "All / All"}


def test_table_differing_by_one_small_category_collides_on_the_total(
        session: OutputSession, people: Callable[..., pd.DataFrame],
        policy: DisclosurePolicy) -> None:
    data = people({("F", "Busan"): 30, ("F", "Jeju"): 4, ("F", "Seoul"): 40,
                   ("M", "Busan"): 25, ("M", "Jeju"): 3, ("M", "Seoul"): 50})
    session.frequency(data, "sex", name="by_sex")
    ledger = ReleaseLedger("P1")
    ledger.record_release(session.get("by_sex"), request_id=1)
    mainland = data[data["region"] != "Jeju"]
    session.frequency(mainland, "sex", name="by_sex_mainland", cohort="region != Jeju")
    [verdict] = review_outputs([session.get("by_sex_mainland").to_evidence()], policy, ledger)
    assert "Differencing" in verdict.failed_rules


def test_unrelated_or_large_differences_do_not_collide(
        session: OutputSession, people: Callable[..., pd.DataFrame],
        policy: DisclosurePolicy) -> None:
    data = people({("F", "Busan"): 30, ("F", "Seoul"): 40, ("M", "Busan"): 25,
                   ("M", "Seoul"): 50})
    session.crosstab(data, "sex", "region", name="first")
    ledger = ReleaseLedger("P1")
    ledger.record_release(session.get("first"))
    other = people({("F", "Busan"): 31, ("F", "Seoul"): 41, ("M", "Busan"): 26,
                    ("M", "Seoul"): 51}, start=10_000)
    session.crosstab(other, "sex", "region", name="other_people")
    bigger_cut = data.drop(index=range(0, 20))
    session.crosstab(bigger_cut, "sex", "region", name="minus_twenty")
    verdicts = review_outputs([session.get("other_people").to_evidence()], policy, ledger)
    assert "Differencing" not in verdicts[0].failed_rules
    # Removing 20 people changes F/Busan by 20: no cell isolates fewer than 10.
    verdicts = review_outputs([session.get("minus_twenty").to_evidence()], policy, ledger)
    assert "Differencing" not in verdicts[0].failed_rules


def test_two_outputs_in_one_request_are_compared_with_each_other(
        session: OutputSession, people: Callable[..., pd.DataFrame],
        policy: DisclosurePolicy) -> None:
    data = people({("F", "Busan"): 30, ("F", "Seoul"): 40, ("M", "Busan"): 25,
                   ("M", "Seoul"): 50})
    session.frequency(data, "sex", name="a")
    session.frequency(data.iloc[2:], "sex", name="b")
    verdicts = review_outputs([session.get(n).to_evidence() for n in ("a", "b")], policy,
                              ReleaseLedger("P1"))
    assert verdicts[0].status == "pass"
    assert "Differencing" in verdicts[1].failed_rules


def test_ledger_survives_json_round_trip(session: OutputSession,
                                         people: Callable[..., pd.DataFrame],
                                         policy: DisclosurePolicy) -> None:
    data = people({("F", "Busan"): 30, ("M", "Busan"): 25})
    session.frequency(data, "sex", name="a")
    ledger = ReleaseLedger("P1")
    ledger.record_release(session.get("a"), request_id="12", released_at="2026-01-01T00:00:00")
    restored = ReleaseLedger.from_json(ledger.to_json())
    assert restored.project_id == "P1" and restored.is_released("a")
    assert "PS0000" not in ledger.to_json()  # digests, never the pseudonyms themselves
    session.frequency(data.iloc[1:], "sex", name="b")
    collisions = restored.find_collisions(session.get("b"), 10)
    assert collisions and collisions[0].released_output == "a"
    assert collisions[0].request_id == "12" and collisions[0].isolated == 1
