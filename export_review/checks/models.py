"""Rules for fitted models."""

from __future__ import annotations

from typing import Any

from export_review.checks.base import CheckResult, DisclosureCheck
from export_review.messages import text
from export_review.outputs import Output

__all__ = ["ResidualDegreesOfFreedom"]


class ResidualDegreesOfFreedom(DisclosureCheck):
    """Fail models with fewer than ``minimum`` residual degrees of freedom.

    With few residual degrees of freedom a model nearly reproduces its data:
    fitted values and residuals come close to individual records.

    Args:
        minimum: the smallest safe residual degrees of freedom (default 10).
    """

    name = "ResidualDegreesOfFreedom"
    version = "1.0"

    def __init__(self, minimum: int = 10) -> None:
        self.minimum = int(minimum)

    def settings(self) -> dict[str, Any]:
        return {"minimum": self.minimum}

    def check_model(self, output: Output) -> CheckResult | None:
        if output.model is None:
            return None
        dof = output.model.df_resid
        if dof < self.minimum:
            return self.result("fail", text("rule.dof.fail", dof=f"{dof:g}", minimum=self.minimum),
                               locations=("df_resid",))
        return self.result("pass", text("rule.dof.pass", dof=f"{dof:g}", minimum=self.minimum))
