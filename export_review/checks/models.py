"""Rules for fitted models."""

from __future__ import annotations

from typing import Any

from export_review.checks.base import CheckResult, DisclosureCheck
from export_review.messages import text
from export_review.outputs import Output

__all__ = ["ModelCategorySupport", "ResidualDegreesOfFreedom"]


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


class ModelCategorySupport(DisclosureCheck):
    """Fail models with a category, dummy or binary outcome resting on fewer than ``threshold`` records.

    The coefficient of a dummy for a group of one is that record's deviation
    from the rest; the same holds for a factor's baseline through the
    intercept, and for the rare side of a binary outcome. The support is
    measured from the design matrix the model was fitted on (on the server:
    the enclave's refit), never from labels the kernel chose.

    Args:
        threshold: the fewest records a term may rest on (default 10).
    """

    name = "ModelCategorySupport"
    version = "1.0"

    def __init__(self, threshold: int = 10) -> None:
        self.threshold = int(threshold)

    def settings(self) -> dict[str, Any]:
        return {"threshold": self.threshold}

    def check_model(self, output: Output) -> CheckResult | None:
        if output.model is None:
            return None
        thin = [name for name, n in output.model.term_support if n < self.threshold]
        if thin:
            return self.result("fail", text("rule.category_support.fail", n=len(thin),
                                            threshold=self.threshold, terms=", ".join(thin[:5])),
                               locations=tuple(thin))
        return self.result("pass", text("rule.category_support.pass", threshold=self.threshold))
