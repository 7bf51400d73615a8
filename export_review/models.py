"""Fit regressions through statsmodels and keep the evidence a checker needs."""

from __future__ import annotations

import re
import warnings
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from export_review.errors import OutputError
from export_review.messages import text
from export_review.outputs import Coefficient, ModelEvidence

__all__ = ["ModelMethod", "fit_model", "measure_term_support"]

ModelMethod = Literal["ols", "logit", "probit"]


def fit_model(method: ModelMethod, formula: str, data: pd.DataFrame) -> tuple[Any, ModelEvidence]:
    """Fit an OLS, logit or probit model from a formula.

    Rows with a missing value in any model variable are dropped, as
    statsmodels' formula interface does; ``nobs`` reports the rows used.

    Args:
        method: ``ols``, ``logit`` or ``probit``.
        formula: a patsy formula such as ``"income ~ age + C(sex)"``.
        data: the records (not modified).

    Returns:
        The statsmodels results object and the model evidence.

    Raises:
        OutputError: when the formula names unknown columns or the fit fails.
    """
    import statsmodels.formula.api as smf

    builders = {"ols": smf.ols, "logit": smf.logit, "probit": smf.probit}
    if method not in builders:
        raise OutputError(text("model.bad_method", method=method))
    try:
        model = builders[method](formula, data=data)
        with warnings.catch_warnings():
            # Convergence chatter is reported through the evidence, not as warnings
            # that would echo into logs.
            warnings.simplefilter("ignore")
            results = model.fit() if method == "ols" else model.fit(disp=0)
    except Exception as exc:  # statsmodels and patsy raise many types; messages may echo data
        raise OutputError(text("model.fit_failed", method=method)) from None if _hides(exc) else exc
    params = results.params
    conf = np.asarray(results.conf_int())
    stats = results.tvalues
    coefficients = tuple(
        Coefficient(
            name=str(name), estimate=float(params.iloc[i]), std_error=float(results.bse.iloc[i]),
            statistic=float(stats.iloc[i]), p_value=float(results.pvalues.iloc[i]),
            ci_low=float(conf[i, 0]), ci_high=float(conf[i, 1]),
        )
        for i, name in enumerate(params.index)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        summary = results.summary().as_text()
    dependent = str(model.endog_names)
    evidence = ModelEvidence(
        method=method, formula=formula, dependent=dependent, nobs=int(results.nobs),
        df_resid=float(results.df_resid), coefficients=coefficients, summary_text=summary,
        term_support=measure_term_support(np.asarray(model.exog, dtype=float),
                                          [str(n) for n in model.exog_names],
                                          np.asarray(model.endog, dtype=float), dependent,
                                          binary_outcome=method != "ols"),
    )
    return results, evidence


_LEVEL = re.compile(r"^(.*)\[T\.(.*)\]$")


def measure_term_support(exog: npt.NDArray[np.float64], names: list[str],
                         endog: npt.NDArray[np.float64], dependent: str, *,
                         binary_outcome: bool) -> tuple[tuple[str, int], ...]:
    """Count the records behind every 0/1 term of a design, on the term's rarer side.

    A coefficient of a dummy for a tiny group is, near enough, that group's
    own mean, and so is the intercept when the baseline category is tiny: the
    baseline of each factor (rows where all its dummies are 0) is measured too.

    Args:
        exog: the design matrix as fitted.
        names: its column names (patsy's, e.g. ``C(sex)[T.M]``).
        endog: the dependent variable as fitted.
        dependent: its name.
        binary_outcome: whether the outcome is 0/1 (logit, probit).

    Returns:
        ``(term, records)`` pairs.
    """
    n = exog.shape[0]
    support: list[tuple[str, int]] = []
    factors: dict[str, list[int]] = {}
    for j, name in enumerate(names):
        column = exog[:, j]
        if name == "Intercept" or not np.isin(column, (0.0, 1.0)).all():
            continue
        ones = int(column.sum())
        if ones in (0, n):
            continue  # a constant column singles out no group
        support.append((name, min(ones, n - ones)))
        level = _LEVEL.match(name)
        if level:
            factors.setdefault(level.group(1), []).append(j)
    for factor, columns in factors.items():
        baseline = int((exog[:, columns].sum(axis=1) == 0).sum())
        support.append((f"{factor}[baseline]", min(baseline, n - baseline)))
    if binary_outcome and np.isin(endog, (0.0, 1.0)).all():
        ones = int(endog.sum())
        support.append((dependent, min(ones, n - ones)))
    return tuple(support)


def _hides(exc: Exception) -> bool:
    # patsy's errors quote the formula (safe) but statsmodels' can quote data
    # values; hide the cause unless it is a plain missing-column error.
    return not isinstance(exc, KeyError | NameError)
