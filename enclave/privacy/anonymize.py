"""Additional processing (추가처리, stage 4-6): transform until the risk thresholds hold.

``anonymize`` pseudonymizes the linked dataset by policy, searches the
generalization lattice of its quasi-identifiers (see ``search``), suppresses
the records of classes that still break a threshold (all their
quasi-identifiers become ``*``) within the suppression budget, and reports
the information loss and exactly what changed per column. The search is
deterministic: the same data and policy give the same result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from enclave.privacy.errors import AnonymizationError
from enclave.privacy.hierarchies import SUPPRESSED
from enclave.privacy.policy import Policy
from enclave.privacy.risk import RiskMeasures, measure_risk
from enclave.privacy.search import LatticeDimension, search_lattice
from enclave.privacy.transform import ChangeLog, ColumnChange, pseudonymize_columns

__all__ = ["AnonymizationResult", "ColumnLoss", "InformationLoss", "anonymize"]


@dataclass(frozen=True)
class ColumnLoss:
    """Information lost in one quasi-identifier.

    Attributes:
        column: Quasi-identifier.
        level: Chosen hierarchy level.
        top_level: The hierarchy's top level (``*``); 0 without a hierarchy.
        level_name: Plain name of the level (``year``, ``band 10``, ...).
        non_uniform_entropy: Normalized non-uniform entropy, 0 (none) to 1 (all).
        suppressed: Records whose value was suppressed.
    """

    column: str
    level: int
    top_level: int
    level_name: str
    non_uniform_entropy: float
    suppressed: int

    def to_dict(self) -> dict[str, Any]:
        """Return the loss as a JSON-ready mapping."""
        return {
            "column": self.column,
            "level": self.level,
            "top_level": self.top_level,
            "level_name": self.level_name,
            "non_uniform_entropy": self.non_uniform_entropy,
            "suppressed": self.suppressed,
        }


@dataclass(frozen=True)
class InformationLoss:
    """Information loss of an anonymization.

    Attributes:
        discernibility: Sum of squared class sizes plus suppressed records x records.
        non_uniform_entropy: Mean normalized non-uniform entropy over quasi-identifiers.
        suppressed_records: Records suppressed.
        by_column: Loss per quasi-identifier.
    """

    discernibility: float
    non_uniform_entropy: float
    suppressed_records: int
    by_column: tuple[ColumnLoss, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return the loss as a JSON-ready mapping."""
        return {
            "discernibility": self.discernibility,
            "non_uniform_entropy": self.non_uniform_entropy,
            "suppressed_records": self.suppressed_records,
            "by_column": [c.to_dict() for c in self.by_column],
        }


@dataclass(frozen=True)
class AnonymizationResult:
    """The dataset after additional processing, and what it cost.

    Attributes:
        data: The processed dataset.
        levels: Chosen hierarchy level per quasi-identifier.
        information_loss: Loss measures.
        change_log: Everything that changed, per column, in counts.
        risk_before: Risk after pseudonymization at the policy's minimum levels.
        risk_after: Risk of ``data``.
        nodes_in_lattice: Size of the generalization lattice.
        nodes_evaluated: Nodes actually evaluated (the rest were pruned).
        policy_hash: Content hash of the policy used.
    """

    data: pd.DataFrame
    levels: dict[str, int]
    information_loss: InformationLoss
    change_log: ChangeLog
    risk_before: RiskMeasures
    risk_after: RiskMeasures
    nodes_in_lattice: int
    nodes_evaluated: int
    policy_hash: str

    def summary(self) -> dict[str, Any]:
        """Return the result without the data, as a JSON-ready mapping."""
        return {
            "levels": dict(self.levels),
            "information_loss": self.information_loss.to_dict(),
            "change_log": self.change_log.to_dict(),
            "risk_before": self.risk_before.to_dict(),
            "risk_after": self.risk_after.to_dict(),
            "nodes_in_lattice": self.nodes_in_lattice,
            "nodes_evaluated": self.nodes_evaluated,
            "policy_hash": self.policy_hash,
        }


def _min_levels(df: pd.DataFrame, policy: Policy) -> pd.DataFrame:
    from enclave.privacy.transform import generalize_column

    out = df.copy()
    for name in policy.quasi_identifiers:
        col = policy.column(name)
        if col.hierarchy is not None and col.min_level > 0:
            out[name] = generalize_column(df[name], col.hierarchy, col.min_level)
    return out


def anonymize(
    df: pd.DataFrame,
    policy: Policy,
    *,
    pseudonym_key: bytes | None = None,
) -> AnonymizationResult:
    """Pseudonymize and generalize ``df`` until the policy's thresholds hold.

    Args:
        df: The linked dataset (before pseudonymization); validate it first.
        policy: The pseudonymization policy with thresholds and hierarchies.
        pseudonym_key: The project's pseudonym key, needed if the policy has
            pseudonym steps.

    Returns:
        The processed data with its information loss, change log and risk.

    Raises:
        AnonymizationError: If no node meets the thresholds within the
            suppression budget, or there are fewer records than k.
        TransformationError: If a pseudonym step has no key.

    Example:
        >>> result = anonymize(df, policy, pseudonym_key=key)  # doctest: +SKIP
        >>> result.risk_after.smallest_class >= policy.thresholds.k  # doctest: +SKIP
        True
    """
    policy = policy.for_columns(df.columns)
    thresholds = policy.thresholds
    base, log = pseudonymize_columns(df, policy, pseudonym_key, generalize=False)
    n = len(base)
    if n < thresholds.effective_k:
        raise AnonymizationError("anonymize.too_few_records", records=n, k=thresholds.effective_k)
    # Work on categorical quasi-identifiers: every later step (risk before,
    # the lattice, the final check) then reads integer codes instead of
    # hashing millions of strings again.
    work = base.copy(deep=False)
    for name in policy.quasi_identifiers:
        if not isinstance(base[name].dtype, pd.CategoricalDtype):
            work[name] = base[name].astype("category")
    risk_before = measure_risk(_min_levels(work, policy), policy)
    dimensions = []
    for name in policy.quasi_identifiers:
        col = policy.column(name)
        dimensions.append(LatticeDimension(name, col.hierarchy, col.min_level, col.top_level))
    sensitive = [(c, policy.column(c).sensitive_kind) for c in policy.sensitive_attributes]
    outcome, dims = search_lattice(work, dimensions, sensitive, thresholds)
    budget = int(np.floor(thresholds.suppression_budget * n + 1e-9))
    if outcome.best is None:
        raise AnonymizationError("anonymize.no_solution", budget=budget, needed=outcome.fewest_suppressed)
    levels = dict(zip(policy.quasi_identifiers, outcome.best.levels, strict=True))

    data = base.copy()
    changes: list[ColumnChange] = []
    for name, level in levels.items():
        col = policy.column(name)
        if level == 0 or col.hierarchy is None:
            continue
        dim = dims[name]
        uniques = dim.uniques
        labels = col.hierarchy.generalize_values(uniques, level)
        unchanged = labels == col.hierarchy.generalize_values(uniques, 0)
        data[name] = pd.Series(
            pd.Categorical.from_codes(dim.maps[level][dim.codes0], categories=dim.labels[level]),
            index=base.index,
        )
        changes.append(
            ColumnChange(
                name,
                "generalize",
                int((~unchanged)[dim.codes0].sum()),
                len(uniques),
                int(dim.cards[level]),
                f"level {level} of {col.hierarchy.top} ({col.hierarchy.level_name(level)})",
            )
        )
    # Suppress the records of classes that still break a threshold, judged on
    # the rows themselves so that the released table is checked, not a model.
    from enclave.privacy.risk import encode_classes, encode_sensitive, l_diversity, t_closeness

    ids, n_classes = encode_classes(
        data.assign(**{q: work[q] for q in policy.quasi_identifiers if levels[q] == 0}),
        policy.quasi_identifiers,
    )
    sizes = np.bincount(ids, minlength=n_classes)
    failing = sizes < thresholds.effective_k
    for c, kind in sensitive:
        codes, card = encode_sensitive(data[c], kind)
        if thresholds.l is not None:
            distinct, entropy = l_diversity(ids, n_classes, codes, card)
            failing |= (distinct if thresholds.l_kind == "distinct" else entropy) < thresholds.l - 1e-9
        if thresholds.t is not None:
            failing |= t_closeness(ids, n_classes, codes, card, ordered=kind == "numeric") > (thresholds.t + 1e-12)
    rows = failing[ids]
    suppressed = int(rows.sum())
    if suppressed:
        for name in policy.quasi_identifiers:
            column = data[name] if levels[name] > 0 else work[name]
            categories = list(column.cat.categories)
            if SUPPRESSED not in categories:
                categories.append(SUPPRESSED)
            codes = column.cat.codes.to_numpy().copy()
            codes[rows] = categories.index(SUPPRESSED)
            data[name] = pd.Series(pd.Categorical.from_codes(codes, categories=categories), index=data.index)
            changes.append(
                ColumnChange(name, "suppress", suppressed, 0, 0, "records of classes that broke a threshold")
            )
    unchanged_qis = {q: work[q] for q in policy.quasi_identifiers if not isinstance(data[q].dtype, pd.CategoricalDtype)}
    risk_after = measure_risk(data.assign(**unchanged_qis), policy)
    by_column = tuple(
        ColumnLoss(
            column=name,
            level=levels[name],
            top_level=policy.column(name).top_level,
            level_name=(
                policy.column(name).hierarchy.level_name(levels[name])  # type: ignore[union-attr]
                if policy.column(name).hierarchy is not None
                else "value"
            ),
            non_uniform_entropy=loss,
            suppressed=suppressed,
        )
        for name, loss in zip(policy.quasi_identifiers, outcome.best.loss_by_column, strict=True)
    )
    info = InformationLoss(
        discernibility=outcome.best.discernibility,
        non_uniform_entropy=outcome.best.loss,
        suppressed_records=suppressed,
        by_column=by_column,
    )
    return AnonymizationResult(
        data=data,
        levels=levels,
        information_loss=info,
        change_log=log.extended(changes, len(data)),
        risk_before=risk_before,
        risk_after=risk_after,
        nodes_in_lattice=outcome.nodes_in_lattice,
        nodes_evaluated=outcome.nodes_evaluated,
        policy_hash=policy.content_hash,
    )
