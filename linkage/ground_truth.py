"""Scoring a linkage map against the synthetic generator's ground truth.

Only benchmarks and tests use this: the ground truth exists for synthetic data
alone and never reaches the enclave. Quality is measured on cross-agency
record pairs: a predicted pair is two records of different agencies sharing a
link id; a true pair is two records of different agencies of the same person
(duplicates inside an agency make several true pairs, which one-to-one
linking cannot all find — by design).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
from numpy.typing import NDArray

__all__ = ["LinkageAccuracy", "score_linkage"]


@dataclass(frozen=True)
class LinkageAccuracy:
    """Pairwise precision and recall.

    Attributes:
        true_positives: Predicted pairs that are the same person.
        false_positives: Predicted pairs that are different persons.
        false_negatives: True pairs not predicted.
        precision: TP / (TP + FP).
        recall: TP / (TP + FN).
    """

    true_positives: int
    false_positives: int
    false_negatives: int
    precision: float
    recall: float

    def to_dict(self) -> dict[str, float | int]:
        """Return the scores as a dict."""
        return asdict(self)


def score_linkage(
    linkage_map: pa.Table,
    serial_order: Mapping[str, NDArray[Any]],
    truth: pd.DataFrame,
) -> LinkageAccuracy:
    """Score a linkage map against ground truth.

    Args:
        linkage_map: Columns ``agency``, ``serial``, ``link_id``.
        serial_order: Per agency, the serials in the order of the agency's file rows
            (the row order of its match-key table).
        truth: Columns ``agency``, ``row``, ``person``.

    Returns:
        Precision and recall over cross-agency record pairs.
    """
    rows = pd.concat(
        [
            pd.DataFrame({"agency": agency, "serial": serials, "row": np.arange(len(serials))})
            for agency, serials in serial_order.items()
        ],
        ignore_index=True,
    )
    con = duckdb.connect()
    con.register("map", linkage_map.select(["agency", "serial", "link_id"]))
    con.register("rows", rows)
    con.register("truth", truth[["agency", "row", "person"]])
    con.execute(
        """
        CREATE TEMP TABLE rec AS
        SELECT m.agency, m.link_id, t.person
        FROM map m JOIN rows r USING (agency, serial) JOIN truth t USING (agency, row)
        """
    )
    predicted = con.execute(
        """
        SELECT count(*), coalesce(sum(CASE WHEN a.person = b.person THEN 1 ELSE 0 END), 0)
        FROM rec a JOIN rec b ON a.link_id = b.link_id AND a.agency < b.agency
        """
    ).fetchone()
    true_pairs = con.execute(
        """
        SELECT count(*) FROM rec a JOIN rec b ON a.person = b.person AND a.agency < b.agency
        """
    ).fetchone()
    con.close()
    assert predicted is not None and true_pairs is not None
    n_pred, tp = int(predicted[0]), int(predicted[1])
    n_true = int(true_pairs[0])
    fp, fn = n_pred - tp, n_true - tp
    return LinkageAccuracy(
        true_positives=tp,
        false_positives=fp,
        false_negatives=fn,
        precision=round(tp / n_pred, 6) if n_pred else 1.0,
        recall=round(tp / n_true, 6) if n_true else 1.0,
    )
