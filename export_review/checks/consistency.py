"""Check that evidence agrees with itself, so released figures are the ones checked.

Evidence is made in the researcher's kernel, which the researcher controls.
The server cannot recompute a table without the data, but it can refuse
evidence whose released values disagree with the counts and totals the rules
read, whose margins do not add up, or whose file bytes do not match their hash.
"""

from __future__ import annotations

import hashlib
import math

from export_review.checks.base import CheckResult, DisclosureCheck, flagged_cells
from export_review.messages import text
from export_review.outputs import Cell, Output

__all__ = ["EvidenceConsistency"]


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-6)


class EvidenceConsistency(DisclosureCheck):
    """Fail outputs whose released values do not follow from their own evidence."""

    name = "EvidenceConsistency"
    version = "1.0"

    def _cell_ok(self, cell: Cell, base: int | None) -> bool:
        if cell.suppressed:
            return cell.value is None
        if cell.value is None:
            return False
        if cell.members.size and cell.members.size != cell.count:
            return False
        if cell.statistic == "count":
            expected = float(cell.count)
            if base:
                expected = float(base * int((cell.count + base / 2) // base))
            return _close(cell.value, expected)
        if cell.count == 0 or math.isnan(cell.value):
            return True
        if cell.total is None or (cell.top and len(cell.top) > cell.count):
            return False
        if cell.statistic == "sum":
            return _close(cell.value, cell.total)
        if cell.statistic == "mean":
            return _close(cell.value, cell.total / cell.count)
        if cell.statistic == "max" and cell.top:
            return _close(cell.value, cell.top[0])
        return True

    def check_table(self, output: Output) -> CheckResult | None:
        if output.table is None:
            return None
        table = output.table
        bad = [(i, c) for i, c in enumerate(table.cells)
               if not self._cell_ok(c, table.rounding_base)]
        if table.has_margins and table.statistic == "count":
            bad += self._margin_problems(output)
        if bad:
            refs = flagged_cells(sorted(dict(bad).items()))
            return self.result("fail", text("rule.consistency.fail"), refs)
        return self.result("pass", text("rule.consistency.pass"))

    def _margin_problems(self, output: Output) -> list[tuple[int, Cell]]:
        assert output.table is not None
        cells = output.table.cells
        interior = [c for c in cells if not c.is_margin]
        bad: list[tuple[int, Cell]] = []
        for i, margin in enumerate(cells):
            if not margin.is_margin:
                continue
            is_row_total = margin.row in {c.row for c in interior}
            is_col_total = margin.column in {c.column for c in interior}
            if is_row_total:
                parts = [c.count for c in interior if c.row == margin.row]
            elif is_col_total:
                parts = [c.count for c in interior if c.column == margin.column]
            else:
                parts = [c.count for c in interior]
            if sum(parts) != margin.count:
                bad.append((i, margin))
        return bad

    def check_model(self, output: Output) -> CheckResult | None:
        model = output.model
        if model is None:
            return None
        # Residual dof can be no more than observations minus estimated parameters.
        if model.df_resid > model.nobs - len(model.coefficients) + 1e-9 or model.nobs < 0:
            return self.result("fail", text("rule.consistency.model"), locations=("df_resid",))
        return self.result("pass", text("rule.consistency.pass"))

    def check_file(self, output: Output) -> CheckResult | None:
        file = output.file
        if file is None:
            return None
        if hashlib.sha256(file.content).hexdigest() != file.sha256:
            return self.result("fail", text("rule.consistency.file", file=file.filename),
                               locations=(file.filename,))
        return self.result("pass", text("rule.consistency.pass"))
