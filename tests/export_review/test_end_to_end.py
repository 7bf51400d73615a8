"""The stage-5 story in library terms: kernel outputs to a verified release."""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pandas as pd
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from export_review import (
    Actor,
    Decision,
    ExportRequestState,
    OutputSession,
    ReleaseLedger,
    ReviewBoard,
    approved_outputs,
    build_release_package,
    decide_request,
    review_outputs,
    transition,
    verify_release_package,
)
from export_review.policy import DisclosurePolicy


def test_safe_table_and_model_are_released_and_the_disclosive_table_is_not(
        session: OutputSession, people: Callable[..., pd.DataFrame],
        policy: DisclosurePolicy, signing_key: Ed25519PrivateKey) -> None:
    data = people({("F", "Busan"): 40, ("F", "Jeju"): 4, ("F", "Seoul"): 60,
                   ("M", "Busan"): 35, ("M", "Jeju"): 20, ("M", "Seoul"): 55})
    data["age"] = np.arange(len(data)) % 60 + 20
    session.frequency(data, "sex", name="safe_table")
    session.crosstab(data, "sex", "region", name="disclosive_table")
    session.ols("cost ~ age", data, name="regression")
    evidence = json.loads(json.dumps([o.to_evidence() for o in session.outputs.values()]))

    state = transition(ExportRequestState.DRAFT, ExportRequestState.SUBMITTED,
                       Actor.AUTHOR, "researcher").target
    ledger = ReleaseLedger("P1")
    verdicts = {v.name: v for v in review_outputs(evidence, policy, ledger)}
    state = transition(state, ExportRequestState.IN_REVIEW, Actor.SYSTEM).target
    assert verdicts["disclosive_table"].status == "fail"
    failed = next(r for r in verdicts["disclosive_table"].results
                  if r.rule == "MinimumCellCount")
    assert [c.label() for c in failed.cells] == ["F / Jeju"]
    assert verdicts["safe_table"].status == "pass" and verdicts["regression"].status == "pass"

    boards = []
    for name, verdict in verdicts.items():
        board = ReviewBoard(name, "researcher", verdict.status)
        decision = Decision.APPROVE if verdict.status == "pass" else Decision.REJECT
        board.vote("steward1", decision)
        board.vote("steward2", decision)
        boards.append(board)
    next_state = decide_request(boards)
    assert next_state is ExportRequestState.APPROVED
    state = transition(state, next_state, Actor.SYSTEM).target
    package = build_release_package(evidence, list(verdicts.values()), boards, signing_key,
                                    {"project": "P1", "request_id": 1})
    transition(state, ExportRequestState.RELEASED, Actor.SYSTEM)
    for name in approved_outputs(boards):
        output = verdicts[name].output
        assert output is not None
        ledger.record_release(output, request_id=1)

    release = verify_release_package(package, signing_key.public_key())
    assert sorted(release.output_names) == ["regression", "safe_table"]
    assert "outputs/disclosive_table.csv" not in release.files
    assert ledger.is_released("safe_table") and not ledger.is_released("disclosive_table")
