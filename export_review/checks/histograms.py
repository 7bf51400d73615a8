"""Rules for histograms and for released extremes (a minimum or maximum is one record)."""

from __future__ import annotations

from typing import Any

from export_review.checks.base import CheckResult, DisclosureCheck, describe_cells, flagged_cells
from export_review.messages import text
from export_review.outputs import Output

__all__ = ["ExtremeValues", "HistogramBins"]


class HistogramBins(DisclosureCheck):
    """Fail histogram bins holding fewer than ``threshold`` records (empty bins pass).

    Args:
        threshold: the smallest safe bin count (default 10).
    """

    name = "HistogramBins"
    version = "1.0"

    def __init__(self, threshold: int = 10) -> None:
        self.threshold = int(threshold)

    def settings(self) -> dict[str, Any]:
        return {"threshold": self.threshold}

    def check_table(self, output: Output) -> CheckResult | None:
        if output.kind != "histogram" or output.table is None:
            return None
        small = [(i, c) for i, c in enumerate(output.table.cells)
                 if not c.suppressed and 0 < c.count < self.threshold]
        if not small:
            return self.result("pass", text("rule.bins.pass", threshold=self.threshold))
        refs = flagged_cells(small)
        return self.result("fail", text("rule.bins.fail", n=len(refs), threshold=self.threshold,
                                        cells=describe_cells(refs)), refs)


class ExtremeValues(DisclosureCheck):
    """Fail released minima, maxima and data-driven histogram edges: each is one record's value."""

    name = "ExtremeValues"
    version = "1.0"

    def check_table(self, output: Output) -> CheckResult | None:
        table = output.table
        if table is None:
            return None
        if output.kind == "histogram":
            if table.extreme_statistics:
                return self.result("fail", text("rule.extremes.edges"),
                                   locations=table.extreme_statistics)
            return self.result("pass", text("rule.extremes.pass"))
        extremes = set(table.extreme_statistics)
        flagged = [
            (i, c) for i, c in enumerate(table.cells)
            if not c.suppressed and c.count > 0
            and (c.statistic in extremes or (c.column and c.column[-1] in extremes))
        ]
        if not flagged:
            return self.result("pass", text("rule.extremes.pass"))
        refs = flagged_cells(flagged)
        return self.result("fail", text("rule.extremes.fail", cells=describe_cells(refs)), refs)
