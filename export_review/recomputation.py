"""The enclave's recomputation: make each output again from its own data and compare.

Nothing the kernel sends about its own output is trusted: counts, largest
contributions, member digests, statistic labels, degrees of freedom. The
service re-executes the output's :class:`~export_review.recipes.Recipe` with
:func:`~export_review.recipes.execute_recipe` (the same code the kernel ran) on
its stored copy of the approved dataset version the recipe names, then

* compares every released figure, count, label and suppression with its own,
  failing the output (naming the places) when they differ, and
* hands its own output, evidence included, to the disclosure rules, the
  differencing check and the release, so the checks see the enclave's figures.

Record membership is digested from the dataset's record identifier column
(``pseudonym``) as the enclave stores it, or from the row position within the
stored version when there is none: cohorts are the filter applied to the
enclave's copy, so re-indexing or dropping the identifier in the kernel
changes nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import pandas as pd

from export_review.checks.base import CellRef, CheckResult
from export_review.errors import RecipeError
from export_review.membership import MemberArray, digest_record_ids
from export_review.messages import text
from export_review.outputs import Cohort, Output
from export_review.policy import DisclosurePolicy
from export_review.recipes import execute_recipe

__all__ = [
    "RECOMPUTATION_RULE",
    "RECOMPUTATION_VERSION",
    "RECORD_ID_COLUMN",
    "DatasetSource",
    "StoredDatasets",
    "compare_outputs",
    "dataset_record_ids",
    "recompute_output",
]

RECOMPUTATION_RULE = "Recomputation"
RECOMPUTATION_VERSION = "1.0"
#: The enclave's stable record identifier in a project's processed dataset.
RECORD_ID_COLUMN = "pseudonym"
# Recomputation runs the same code on the same rows, so honest figures agree
# to the last bit; the tolerance only absorbs row order chosen by the kernel.
_RELATIVE = 1e-9
_ABSOLUTE = 1e-9


class DatasetSource(Protocol):
    """Where the service reads a project's approved dataset versions from."""

    def load(self, version: str) -> tuple[pd.DataFrame, MemberArray] | None:
        """Return the version's records and their digests, or ``None`` when it is not approved."""


def dataset_record_ids(frame: pd.DataFrame, version: str) -> MemberArray:
    """Digest the stable record identifiers of a stored dataset version.

    Args:
        frame: the dataset as the enclave stores it.
        version: its version (names row positions when there is no identifier column).

    Returns:
        One digest per row.
    """
    if RECORD_ID_COLUMN in frame.columns:
        return digest_record_ids(frame[RECORD_ID_COLUMN])
    positions = pd.Series(np.arange(len(frame)), dtype="int64").astype("string")
    return digest_record_ids(f"{version}:" + positions)


@dataclass
class StoredDatasets:
    """Dataset versions the service may recompute from, each read at most once per request.

    Attributes:
        loaders: approved version to a function returning its records.
    """

    loaders: dict[str, Callable[[], pd.DataFrame]]
    _cache: dict[str, tuple[pd.DataFrame, MemberArray]] = field(default_factory=dict)

    def load(self, version: str) -> tuple[pd.DataFrame, MemberArray] | None:
        """Return the records and digests of ``version``, or ``None`` if it is not approved."""
        if version not in self.loaders:
            return None
        if version not in self._cache:
            frame = self.loaders[version]()
            self._cache[version] = (frame, dataset_record_ids(frame, version))
        return self._cache[version]


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=_RELATIVE, abs_tol=_ABSOLUTE)


def compare_outputs(claimed: Output, recomputed: Output) -> tuple[list[str], list[CellRef]]:
    """List where the kernel's output differs from the enclave's recomputation.

    Args:
        claimed: the output as the kernel sent it.
        recomputed: the enclave's output from the same recipe.

    Returns:
        Places that differ (``"kind"``, ``"cells"``, ``"df_resid"``, coefficient
        names ...) and the differing cells, by the enclave's labels.
    """
    places: list[str] = []
    cells: list[CellRef] = []
    if claimed.kind != recomputed.kind:
        return ["kind"], []
    mine, theirs = recomputed.table, claimed.table
    if mine is not None:
        if theirs is None:
            return ["table"], []
        for attribute in ("statistic", "row_vars", "col_vars", "value_var", "has_margins",
                          "rounding_base", "extreme_statistics"):
            if getattr(mine, attribute) != getattr(theirs, attribute):
                places.append(attribute)
        claimed_cells = {c.coordinates: c for c in theirs.cells}
        if len(claimed_cells) != len(mine.cells) or len(theirs.cells) != len(mine.cells):
            places.append("cells")
        for i, cell in enumerate(mine.cells):
            other = claimed_cells.get(cell.coordinates)
            if other is None or other.count != cell.count or other.suppressed != cell.suppressed \
                    or other.statistic != cell.statistic or other.is_margin != cell.is_margin \
                    or not _same(other.value, cell.value):
                cells.append(CellRef.of(cell, i))
    model, their_model = recomputed.model, claimed.model
    if model is not None:
        if their_model is None:
            return ["model"], []
        for attribute in ("method", "formula", "dependent", "nobs", "df_resid"):
            if getattr(model, attribute) != getattr(their_model, attribute):
                places.append(attribute)
        if [c.name for c in model.coefficients] != [c.name for c in their_model.coefficients]:
            places.append("coefficients")
        else:
            for mine_c, their_c in zip(model.coefficients, their_model.coefficients, strict=True):
                if not all(_same(getattr(mine_c, k), getattr(their_c, k))
                           for k in ("estimate", "std_error", "statistic", "p_value",
                                     "ci_low", "ci_high")):
                    places.append(mine_c.name)
    if claimed.cohort.size != recomputed.cohort.size:
        places.append("cohort.size")
    return places, cells


def recompute_output(output: Output, datasets: DatasetSource,
                     policy: DisclosurePolicy) -> tuple[Output, CheckResult]:
    """Re-execute an output's recipe on the enclave's data and compare.

    Args:
        output: the output as the kernel sent it.
        datasets: the project's approved dataset versions.
        policy: the disclosure policy (its minimum rounding base applies).

    Returns:
        The output to check and release (the enclave's own when recomputed,
        else the kernel's) and the ``Recomputation`` result: ``pass`` when the
        figures agree, ``fail`` when they differ or there is no recipe,
        ``review`` for custom files.

    Raises:
        RecipeError: the recipe names an unknown dataset version or variable,
            a filter outside the language, or a refused rounding base (the
            error carries the output's name).
    """
    if output.kind == "file":
        return output, CheckResult(RECOMPUTATION_RULE, RECOMPUTATION_VERSION, "review",
                                   text("rule.recomputation.file"))
    recipe = output.recipe
    if recipe is None:
        return output, CheckResult(RECOMPUTATION_RULE, RECOMPUTATION_VERSION, "fail",
                                   text("rule.recomputation.no_recipe"))
    loaded = datasets.load(recipe.dataset_version)
    if loaded is None:
        raise RecipeError(text("recipe.unknown_version"), output=output.name)
    frame, ids = loaded
    try:
        done = execute_recipe(recipe, frame, ids,
                              minimum_rounding_base=policy.minimum_rounding_base)
    except RecipeError as exc:
        raise RecipeError(str(exc), output=output.name) from None
    variables = recipe.variables
    if done.model is not None:
        variables = tuple(dict.fromkeys([done.model.dependent,
                                         *(c.name for c in done.model.coefficients)]))
    mine = Output(
        name=output.name, kind=done.kind,
        cohort=Cohort(output.cohort.dataset, output.cohort.description, done.cohort_size),
        comment=output.comment, variables=variables, created_at=output.created_at,
        table=done.table, model=done.model, recipe=recipe,
    )
    places, cells = compare_outputs(output, mine)
    if not places and not cells:
        return mine, CheckResult(RECOMPUTATION_RULE, RECOMPUTATION_VERSION, "pass",
                                 text("rule.recomputation.pass"))
    where = ", ".join([*places[:5], *(c.label() for c in cells[:5])])
    return mine, CheckResult(
        RECOMPUTATION_RULE, RECOMPUTATION_VERSION, "fail",
        text("rule.recomputation.differs", n=len(places) + len(cells), where=where),
        tuple(cells), tuple(places))
