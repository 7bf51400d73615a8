"""Fit regressions through statsmodels and keep the evidence a checker needs."""

from __future__ import annotations

import warnings
from typing import Any, Literal

import numpy as np
import pandas as pd

from export_review.errors import OutputError
from export_review.messages import text
from export_review.outputs import Coefficient, ModelEvidence

__all__ = ["ModelMethod", "fit_model"]

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
    )
    return results, evidence


def _hides(exc: Exception) -> bool:
    # patsy's errors quote the formula (safe) but statsmodels' can quote data
    # values; hide the cause unless it is a plain missing-column error.
    return not isinstance(exc, KeyError | NameError)
