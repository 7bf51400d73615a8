"""Additional processing (추가처리, stage 4-6): transform until the risk thresholds hold.

``anonymize`` pseudonymizes the linked dataset by policy, searches the
generalization lattice of its quasi-identifiers together with local
suppression (see ``search`` and ``local_suppression``) for the least
information loss that meets the thresholds within the suppression budget,
blanks the few values (``*``) that still break a threshold, least important
column first, and reports the information loss and exactly what changed per
column. The search is deterministic: the same data and policy give the same
result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from enclave.privacy.errors import AnonymizationError
from enclave.privacy.hierarchies import SUPPRESSED
from enclave.privacy.local_suppression import suppress_locally
from enclave.privacy.policy import Policy
from enclave.privacy.risk import RiskMeasures, encode_sensitive, measure_risk
from enclave.privacy.search import LatticeDimension, aggregate_rows, search_lattice, suppression_plan
from enclave.privacy.transform import ChangeLog, ColumnChange, pseudonymize_columns
from enclave.privacy.utility import describe_utility

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
        suppressed: Records whose value of this column was suppressed (``*``).
        distinct_before: Distinct values at the policy's minimum level.
        distinct_after: Distinct values at the chosen level (``*`` of blanked
            cells not counted).
    """

    column: str
    level: int
    top_level: int
    level_name: str
    non_uniform_entropy: float
    suppressed: int
    distinct_before: int = 0
    distinct_after: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Return the loss as a JSON-ready mapping."""
        return {
            "column": self.column,
            "level": self.level,
            "top_level": self.top_level,
            "level_name": self.level_name,
            "non_uniform_entropy": self.non_uniform_entropy,
            "suppressed": self.suppressed,
            "distinct_before": self.distinct_before,
            "distinct_after": self.distinct_after,
        }


@dataclass(frozen=True)
class InformationLoss:
    """Information loss of an anonymization.

    Attributes:
        discernibility: Sum of squared class sizes plus fully suppressed records x records.
        non_uniform_entropy: Mean normalized non-uniform entropy over
            quasi-identifiers, weighted by the researcher's importance.
        suppressed_records: Records with at least one value suppressed.
        by_column: Loss per quasi-identifier.
        removed_records: Records with every quasi-identifier suppressed.
        is_optimal: Whether the search proved this the least loss over the lattice.
        lower_bound: No transformation of the lattice has less loss than this.
        importance: The importance ranking the search used (most important first).
    """

    discernibility: float
    non_uniform_entropy: float
    suppressed_records: int
    by_column: tuple[ColumnLoss, ...]
    removed_records: int = 0
    is_optimal: bool = True
    lower_bound: float | None = None
    importance: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return the loss as a JSON-ready mapping."""
        return {
            "discernibility": self.discernibility,
            "non_uniform_entropy": self.non_uniform_entropy,
            "suppressed_records": self.suppressed_records,
            "removed_records": self.removed_records,
            "is_optimal": self.is_optimal,
            "lower_bound": self.lower_bound,
            "importance": list(self.importance),
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
        utility: Per quasi-identifier, its distribution before and after
            (values held by fewer than k records are only counted), distinct
            values kept and share suppressed (see ``utility``).
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
    utility: dict[str, dict[str, Any]] | None = None

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
            "utility": self.utility,
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
    importance: Sequence[str] | None = None,
    keep_columns: bool = True,
) -> AnonymizationResult:
    """Pseudonymize and generalize ``df`` until the policy's thresholds hold.

    Args:
        df: The linked dataset (before pseudonymization); validate it first.
        policy: The pseudonymization policy with thresholds and hierarchies.
        pseudonym_key: The project's pseudonym key, needed if the policy has
            pseudonym steps.
        importance: Quasi-identifiers in decreasing importance to the
            researcher's analysis (the plan's key variables): the search keeps
            them finest and blanks their values last.
        keep_columns: Keep as many quasi-identifiers as possible at two values
            or more before minimizing loss (False: loss alone, as ARX).

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
    at_min_levels = _min_levels(work, policy)
    risk_before = measure_risk(at_min_levels, policy)
    dimensions = []
    for name in policy.quasi_identifiers:
        col = policy.column(name)
        dimensions.append(LatticeDimension(name, col.hierarchy, col.min_level, col.top_level))
    sensitive = [(c, policy.column(c).sensitive_kind) for c in policy.sensitive_attributes]
    outcome, dims = search_lattice(
        work, dimensions, sensitive, thresholds, importance=importance, keep_columns=keep_columns
    )
    budget = int(np.floor(thresholds.suppression_budget * n + 1e-9))
    if outcome.best is None:
        raise AnonymizationError("anonymize.no_solution", budget=budget, needed=outcome.fewest_suppressed)
    order = list(policy.quasi_identifiers)
    levels = dict(zip(order, outcome.best.levels, strict=True))

    # Local suppression is decided on the table of distinct rows, exactly as
    # the search evaluated it, then spread back to the records of each row.
    qi_codes = [dims[c].maps[levels[c]][dims[c].codes0] for c in order]
    cards = [dims[c].cards[levels[c]] for c in order]
    use_sensitive = thresholds.l is not None or thresholds.t is not None
    s_parts = [encode_sensitive(work[c], kind) for c, kind in sensitive] if use_sensitive else []
    kinds = [kind for _, kind in sensitive] if use_sensitive else []
    ids, table_qi, table_sens, weight = aggregate_rows(
        qi_codes, [codes for codes, _ in s_parts], cards, [card for _, card in s_parts]
    )
    suppression_order, whole = suppression_plan(order, outcome.best.levels, dims, importance)
    cut = suppress_locally(
        table_qi,
        cards,
        table_sens,
        [card for _, card in s_parts],
        kinds,
        weight,
        thresholds,
        suppression_order,
        whole_columns=whole,
    )
    blanked = cut.mask[ids]
    data = base.copy()
    changes: list[ColumnChange] = []
    for j, name in enumerate(order):
        col = policy.column(name)
        dim = dims[name]
        level = levels[name]
        categories = list(dim.labels[level])
        codes = qi_codes[j].copy()
        if blanked[:, j].any():
            if SUPPRESSED not in categories:
                categories.append(SUPPRESSED)
            codes[blanked[:, j]] = categories.index(SUPPRESSED)
        if level > 0 or blanked[:, j].any():
            data[name] = pd.Series(pd.Categorical.from_codes(codes, categories=categories), index=base.index)
        if level > 0 and col.hierarchy is not None:
            uniques = dim.uniques
            labels = col.hierarchy.generalize_values(uniques, level)
            unchanged = labels == col.hierarchy.generalize_values(uniques, 0)
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
        if blanked[:, j].any():
            changes.append(
                ColumnChange(
                    name,
                    "suppress",
                    int(blanked[:, j].sum()),
                    int(dim.cards[level]),
                    int(dim.cards[level]),
                    "local suppression: values that broke a threshold, least important column first",
                )
            )
    suppressed = int(blanked.any(axis=1).sum())
    unchanged_qis = {q: work[q] for q in policy.quasi_identifiers if not isinstance(data[q].dtype, pd.CategoricalDtype)}
    risk_after = measure_risk(data.assign(**unchanged_qis), policy)
    utility = describe_utility(at_min_levels, data, order, thresholds.effective_k)
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
            suppressed=cells,
            distinct_before=int(dims[name].cards[policy.column(name).min_level]),
            distinct_after=int(dims[name].cards[levels[name]]),
        )
        for name, loss, cells in zip(
            order, outcome.best.loss_by_column, outcome.best.cells_by_column, strict=True
        )
    )
    info = InformationLoss(
        discernibility=outcome.best.discernibility,
        non_uniform_entropy=outcome.best.loss,
        suppressed_records=suppressed,
        by_column=by_column,
        removed_records=cut.removed_records,
        is_optimal=outcome.is_optimal,
        lower_bound=outcome.lower_bound,
        importance=tuple(c for c in (importance or ()) if c in set(order)),
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
        utility=utility,
    )
