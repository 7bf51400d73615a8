"""Rules over table cells: counts, dominance, zeros, missing and negative values.

These apply to crosstabs, pivot tables, frequency tables and summaries. Cells
already suppressed are not released and are skipped.
"""

from __future__ import annotations

from typing import Any

from export_review.checks.base import (
    CheckResult,
    DisclosureCheck,
    Status,
    describe_cells,
    flagged_cells,
)
from export_review.messages import text
from export_review.outputs import Cell, Output

__all__ = [
    "DominanceRule",
    "MinimumCellCount",
    "MinimumRoundingBase",
    "MissingValues",
    "NegativeValues",
    "PRatioRule",
    "ZeroCells",
]


def _visible(output: Output) -> list[tuple[int, Cell]]:
    assert output.table is not None
    return [(i, c) for i, c in enumerate(output.table.cells) if not c.suppressed]


class MinimumCellCount(DisclosureCheck):
    """Fail any released cell backed by fewer than ``threshold`` records.

    Zero cells are left to :class:`ZeroCells`. Cells of a table rounded to a
    base get ``review`` instead of ``fail``: rounding blurs a small count, and
    a checker decides whether the base is enough.

    Args:
        threshold: the smallest safe count (default 10).
    """

    name = "MinimumCellCount"
    version = "1.0"

    def __init__(self, threshold: int = 10) -> None:
        self.threshold = int(threshold)

    def settings(self) -> dict[str, Any]:
        return {"threshold": self.threshold}

    def check_table(self, output: Output) -> CheckResult | None:
        if output.table is None or output.kind == "histogram":
            return None
        small = [(i, c) for i, c in _visible(output) if 0 < c.count < self.threshold]
        if not small:
            return self.result("pass", text("rule.min_count.pass", threshold=self.threshold))
        refs = flagged_cells(small)
        status: Status = "review" if output.table.rounding_base else "fail"
        return self.result(status, text("rule.min_count.fail", n=len(refs),
                                        threshold=self.threshold, cells=describe_cells(refs)),
                           refs)


def _magnitude(output: Output) -> list[tuple[int, Cell]]:
    return [(i, c) for i, c in _visible(output) if c.is_magnitude and c.count > 0]


class DominanceRule(DisclosureCheck):
    """Fail magnitude cells where the ``n`` largest contributors make ``k`` or more of the total.

    Follows the (n, k) rule as ACRO implements it (share ``>= k`` fails).
    Cells with negative contributions get ``review``: dominance is undefined
    when values can cancel.

    Args:
        n: how many largest contributors (default 2).
        k: the largest safe share, as a fraction (default 0.9).
    """

    name = "DominanceRule"
    version = "1.0"

    def __init__(self, n: int = 2, k: float = 0.9) -> None:
        self.n = int(n)
        self.k = float(k)

    def settings(self) -> dict[str, Any]:
        return {"n": self.n, "k": self.k}

    def check_table(self, output: Output) -> CheckResult | None:
        if output.table is None:
            return None
        cells = _magnitude(output)
        if not cells:
            return None
        negative = [(i, c) for i, c in cells if c.n_negative > 0]
        dominated = [
            (i, c) for i, c in cells
            if c.n_negative == 0 and c.total is not None and c.total > 0
            and sum(c.top[: self.n]) / c.total >= self.k
        ]
        if dominated:
            refs = flagged_cells(dominated)
            return self.result("fail", text("rule.dominance.fail", n=self.n, k=round(self.k * 100),
                                            cells=describe_cells(refs)), refs)
        if negative:
            refs = flagged_cells(negative)
            return self.result("review", text("rule.dominance.negative",
                                              cells=describe_cells(refs)), refs)
        return self.result("pass", text("rule.dominance.pass", n=self.n, k=round(self.k * 100)))


class PRatioRule(DisclosureCheck):
    """Fail magnitude cells where the others' total is under ``p`` of the largest contribution.

    The second-largest contributor could subtract their own value from the
    total and estimate the largest to within ``p``.

    Args:
        p: the smallest safe ratio (default 0.10).
    """

    name = "PRatioRule"
    version = "1.0"

    def __init__(self, p: float = 0.1) -> None:
        self.p = float(p)

    def settings(self) -> dict[str, Any]:
        return {"p": self.p}

    def check_table(self, output: Output) -> CheckResult | None:
        if output.table is None:
            return None
        cells = _magnitude(output)
        if not cells:
            return None
        failing: list[tuple[int, Cell]] = []
        negative: list[tuple[int, Cell]] = []
        for i, c in cells:
            if c.n_negative > 0:
                negative.append((i, c))
                continue
            if not c.top or c.total is None or c.top[0] == 0:
                continue
            rest = c.total - sum(c.top[:2])
            if rest / c.top[0] < self.p:
                failing.append((i, c))
        if failing:
            refs = flagged_cells(failing)
            return self.result("fail", text("rule.p_ratio.fail", p=round(self.p * 100),
                                            cells=describe_cells(refs)), refs)
        if negative:
            refs = flagged_cells(negative)
            return self.result("review", text("rule.dominance.negative",
                                              cells=describe_cells(refs)), refs)
        return self.result("pass", text("rule.p_ratio.pass", p=round(self.p * 100)))


class ZeroCells(DisclosureCheck):
    """Flag released interior cells with no records.

    A zero can tell that nobody in a group has an attribute (attribute
    disclosure), unless it is structural; a checker decides.

    Args:
        status: what a zero cell gets, ``review`` (default) or ``fail``.
    """

    name = "ZeroCells"
    version = "1.0"

    def __init__(self, status: Status = "review") -> None:
        self.status: Status = status

    def settings(self) -> dict[str, Any]:
        return {"status": self.status}

    def check_table(self, output: Output) -> CheckResult | None:
        if output.table is None or output.kind != "table":
            return None
        zeros = [(i, c) for i, c in _visible(output) if not c.is_margin and c.count == 0]
        if not zeros:
            return self.result("pass", text("rule.zeros.pass"))
        refs = flagged_cells(zeros)
        return self.result(self.status, text("rule.zeros.found", n=len(refs),
                                             cells=describe_cells(refs)), refs)


class MissingValues(DisclosureCheck):
    """Flag released cells computed over a variable with missing values.

    Missing values are dropped from statistics, so the reported count differs
    from the group size; the difference can itself be disclosive. A magnitude
    cell with no contributors has no statistic at all (its value is missing in
    the released table); it is flagged too, as ACRO does, besides being a zero cell.

    Args:
        status: what such a cell gets, ``review`` (default) or ``fail``.
    """

    name = "MissingValues"
    version = "1.1"

    def __init__(self, status: Status = "review") -> None:
        self.status: Status = status

    def settings(self) -> dict[str, Any]:
        return {"status": self.status}

    def check_table(self, output: Output) -> CheckResult | None:
        if output.table is None:
            return None
        flagged = [(i, c) for i, c in _visible(output)
                   if c.n_missing > 0 or (c.is_magnitude and c.count == 0)]
        if not flagged:
            return self.result("pass", text("rule.missing.pass"))
        refs = flagged_cells(flagged)
        return self.result(self.status, text("rule.missing.found", n=len(refs),
                                             cells=describe_cells(refs)), refs)


class NegativeValues(DisclosureCheck):
    """Send for review any magnitude cell with negative contributions; never pass it silently.

    Dominance and p-ratio assume non-negative contributions; with negatives a
    person must judge whether one contributor can be recovered.
    """

    name = "NegativeValues"
    version = "1.0"

    def check_table(self, output: Output) -> CheckResult | None:
        if output.table is None:
            return None
        magnitude = [(i, c) for i, c in _visible(output) if c.is_magnitude]
        if not magnitude:
            return None
        flagged = [(i, c) for i, c in magnitude if c.n_negative > 0]
        if not flagged:
            return self.result("pass", text("rule.negative.pass"))
        refs = flagged_cells(flagged)
        return self.result("review", text("rule.negative.found", n=len(refs),
                                          cells=describe_cells(refs)), refs)


class MinimumRoundingBase(DisclosureCheck):
    """Fail tables whose counts are rounded to a base below the policy's minimum.

    Rounding to 1 or 2 leaves small counts as they are while the table looks
    protected. The session refuses such a base when it rounds, the enclave
    refuses a recipe with one, and this rule fails evidence that claims one.

    Args:
        minimum: the smallest acceptable rounding base (default 5).
    """

    name = "MinimumRoundingBase"
    version = "1.0"

    def __init__(self, minimum: int = 5) -> None:
        self.minimum = max(2, int(minimum))

    def settings(self) -> dict[str, Any]:
        return {"minimum": self.minimum}

    def check_table(self, output: Output) -> CheckResult | None:
        if output.table is None or output.table.rounding_base is None:
            return None
        base = output.table.rounding_base
        if base < self.minimum:
            return self.result("fail", text("rule.rounding.fail", base=base, minimum=self.minimum),
                               locations=("rounding_base",))
        return None
