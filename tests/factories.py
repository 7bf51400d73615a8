"""Shared test builders: a project's approved dataset, and outputs made from it as a kernel makes them.

The service recomputes every output from its own stored copy of the project's
approved dataset, so a test that submits outputs first stores that dataset
(:func:`store_approved_dataset`) and then makes the outputs from the same frame
with the version the enclave gave it (:func:`outputs_from`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

__all__ = ["outputs_from", "sample_frame", "store_approved_dataset"]


def sample_frame() -> pd.DataFrame:
    """62 records: ``region`` north 30 / south 32, ``sex`` F 60 / M 2, keyed by ``pseudonym``."""
    return pd.DataFrame({"pseudonym": [f"P{i:04d}" for i in range(62)],
                         "region": ["north"] * 30 + ["south"] * 32,
                         "sex": ["F"] * 60 + ["M"] * 2})


def store_approved_dataset(svc: Any, project_id: int, frame: pd.DataFrame) -> str:
    """Store ``frame`` as the project's processed dataset with an approved risk review; return its version."""
    from enclave.combination.datasets import store_dataset
    from enclave.db.models import ReviewState, RiskReview

    with svc.session() as session:
        dataset = store_dataset(svc, session, project_id, "processed", frame, "test", "0" * 64)
        session.add(RiskReview(project_id=project_id, dataset_id=dataset.id, report_path="", report_hash="0" * 64,
                               policy_hash="0" * 64, meets_thresholds=True, ran_by="test",
                               state=ReviewState.approved, reviewer="test"))
        session.flush()
        return str(dataset.id)


def outputs_from(frame: pd.DataFrame, version: str,
                 make: Callable[[Any, pd.DataFrame], object]) -> list[dict[str, Any]]:
    """Evidence of the outputs ``make(session, frame)`` records, as a kernel holding ``version`` sends it."""
    from export_review import OutputSession, default_policy, output_to_evidence

    session = OutputSession(policy=default_policy(), dataset="linked", record_id="pseudonym", echo=None,
                            dataset_version=version)
    make(session, frame)
    return [output_to_evidence(o) for o in session.outputs.values()]
