"""Attack-based identification risk with anonymeter (Giomi et al. 2023).

Three attacks are run against a *released* table (a pseudonymized dataset
or a synthetic replica) using the records it was made from (``original``)
and records held out from its making (``control``). The control set measures
what an attacker would guess about people not in the data anyway; the risk
is the excess success on the original over the control, with a confidence
interval:

* singling out, univariate and multivariate: predicates that isolate one person;
* linkability: an attacker holding one agency's columns links them to the
  other agencies' columns through the released table (one attack per agency);
* inference: guessing each sensitive attribute from the quasi-identifiers.

Each risk is anonymeter's residual risk ``(attack - control) / (1 - control)``
with an interval that carries the uncertainty of both rates. Against a limit
an interval says one of three things (``AttackRisk.verdict``): *below* (its
upper end is under the limit), *above* (its lower end is at or over it) or
*inconclusive* (it straddles the limit). Only the first two decide; an
inconclusive interval is reported for the steward to judge, never answered
by coarsening the data blindly. ``attacks_for_width`` sizes the number of
attacks for an interval of a chosen width, and ``run_attacks`` uses as many
as the data allows up to that number, so an interval is as narrow as the
data can make it.

Randomness is drawn from a seed, so a given seed reproduces every risk but
one: univariate singling out, whose candidate queries anonymeter gathers in
polars' unordered group-by order before shuffling them, so its control rate
(and risk) varies slightly from run to run. Linkability baselines use an
unseeded generator inside anonymeter; they are reported but no risk depends
on them.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from enclave.privacy.errors import AttackError
from enclave.privacy.policy import Policy

__all__ = [
    "AttackKind",
    "AttackResults",
    "AttackRisk",
    "Verdict",
    "attacks_for_width",
    "run_attacks",
    "split_control",
]

AttackKind = Literal["singling_out", "linkability", "inference"]
Verdict = Literal["below", "above", "inconclusive"]
MIN_ROWS = 20
DEFAULT_HALF_WIDTH = 0.03
"""Half-width of the attack-rate interval the number of attacks is sized for."""


def attacks_for_width(half_width: float, confidence_level: float) -> int:
    """Return how many attacks give an attack-rate interval of at most ``half_width`` each side.

    The worst case of a binomial rate (p = 0.5) needs ``z^2 / (4 h^2)``
    attacks: 1,068 for +-0.03 at 95 %. The residual risk's interval is wider
    by the control rate's own error, which the reported width shows.

    Args:
        half_width: Wanted half-width of the interval (0..0.5).
        confidence_level: Confidence level of the interval.

    Returns:
        The number of attacks.
    """
    from scipy.stats import norm

    z = float(norm.ppf(0.5 + confidence_level / 2))
    return int(math.ceil(z * z / (4 * half_width * half_width)))


@dataclass(frozen=True)
class AttackRisk:
    """The risk of one attack with its confidence interval.

    Attributes:
        attack: Attack name, e.g. ``singling_out_multivariate``,
            ``linkability:welfare`` or ``inference:income``.
        risk: Best estimate of the risk (0..1).
        ci_low: Lower confidence bound.
        ci_high: Upper confidence bound (what release decisions use).
        attack_rate: Success rate on the original records.
        control_rate: Success rate on the control records.
        baseline_rate: Success rate of random guessing.
        n_attacks: Number of attacks made.
        better_than_baseline: False when the attack did no better than random
            guessing (anonymeter then warns that the risk is not meaningful).
    """

    attack: str
    risk: float
    ci_low: float
    ci_high: float
    attack_rate: float
    control_rate: float
    baseline_rate: float
    n_attacks: int
    better_than_baseline: bool

    @property
    def ci_width(self) -> float:
        """Width of the confidence interval (upper minus lower bound)."""
        return self.ci_high - self.ci_low

    def verdict(self, limit: float) -> Verdict:
        """Say what the interval decides against ``limit``.

        Args:
            limit: The policy's highest allowed risk.

        Returns:
            ``below`` when the whole interval is under the limit, ``above``
            when its lower bound is at or over it, else ``inconclusive``: at
            this number of attacks the data cannot tell.
        """
        if self.ci_high < limit:
            return "below"
        if self.ci_low >= limit:
            return "above"
        return "inconclusive"

    def to_dict(self) -> dict[str, Any]:
        """Return the risk as a JSON-ready mapping."""
        return {
            "ci_width": self.ci_width,
            "attack": self.attack,
            "risk": self.risk,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "attack_rate": self.attack_rate,
            "control_rate": self.control_rate,
            "baseline_rate": self.baseline_rate,
            "n_attacks": self.n_attacks,
            "better_than_baseline": self.better_than_baseline,
        }


@dataclass(frozen=True)
class AttackResults:
    """Every attack risk of one evaluation.

    Attributes:
        risks: One entry per attack.
        confidence_level: Confidence level of the intervals.
        seed: Seed the attacks were drawn with.
    """

    risks: tuple[AttackRisk, ...]
    confidence_level: float
    seed: int

    @property
    def highest_upper_bound(self) -> float:
        """Largest upper confidence bound over all attacks (0 with no attacks)."""
        return max((r.ci_high for r in self.risks), default=0.0)

    def exceeding(self, threshold: float) -> tuple[AttackRisk, ...]:
        """Return the attacks whose upper confidence bound is not under ``threshold``."""
        return tuple(r for r in self.risks if r.ci_high >= threshold)

    def above(self, limit: float) -> tuple[AttackRisk, ...]:
        """Return the attacks whose whole interval is at or over ``limit`` (a decided failure)."""
        return tuple(r for r in self.risks if r.verdict(limit) == "above")

    def inconclusive(self, limit: float) -> tuple[AttackRisk, ...]:
        """Return the attacks whose interval straddles ``limit`` (undecided at this data size)."""
        return tuple(r for r in self.risks if r.verdict(limit) == "inconclusive")

    def replaced(self, newer: AttackResults) -> AttackResults:
        """Return these results with each attack that ``newer`` measured again replaced by it."""
        by_name = {r.attack: r for r in newer.risks}
        return replace(self, risks=tuple(by_name.get(r.attack, r) for r in self.risks))

    def to_dict(self, limit: float | None = None) -> dict[str, Any]:
        """Return the results as a JSON-ready mapping, with each verdict when ``limit`` is given."""
        risks = []
        for r in self.risks:
            entry = r.to_dict()
            if limit is not None:
                entry["verdict"] = r.verdict(limit)
            risks.append(entry)
        out: dict[str, Any] = {"confidence_level": self.confidence_level, "seed": self.seed, "risks": risks}
        if limit is not None:
            out["limit"] = limit
        return out


def split_control(
    df: pd.DataFrame, control_fraction: float = 0.3, *, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split records into a part to release (or fit on) and a held-out control set.

    Args:
        df: Records.
        control_fraction: Share of records held out.
        seed: Seed of the random split.

    Returns:
        ``(training, control)``, both with a fresh index.
    """
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(df))
    cut = int(round(len(df) * (1.0 - control_fraction)))
    return (
        df.iloc[order[:cut]].reset_index(drop=True),
        df.iloc[order[cut:]].reset_index(drop=True),
    )


def _prepare(df: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    out = {}
    for c in columns:
        s = df[c]
        if pd.api.types.is_bool_dtype(s.dtype) or not pd.api.types.is_numeric_dtype(s.dtype):
            out[c] = s.astype(str)
        else:
            out[c] = s.astype(float)
    return pd.DataFrame(out).reset_index(drop=True)


@contextmanager
def _seeded(seed: int) -> Iterator[None]:
    # anonymeter draws targets with pandas' sample(), i.e. numpy's global
    # generator, and control rows with polars' sample(); seed both for
    # reproducibility and restore numpy's state afterwards.
    import polars
    from anonymeter.evaluators import linkability_evaluator

    state = np.random.get_state()
    np.random.seed(seed)
    polars.set_random_seed(seed)
    # The linkability baseline draws from an unseeded default_rng(); give it a
    # generator seeded from the (seeded) global one so the baseline reproduces too.
    unseeded = getattr(linkability_evaluator, "_random_links", None)
    if unseeded is not None:
        linkability_evaluator._random_links = _seeded_random_links
    try:
        yield
    finally:
        np.random.set_state(state)
        if unseeded is not None:
            linkability_evaluator._random_links = unseeded


def _seeded_random_links(n_synthetic: int, n_attacks: int, n_neighbors: int) -> np.ndarray[Any, Any]:
    rng = np.random.default_rng(np.random.randint(0, 2**31 - 1))
    return np.array([rng.choice(n_synthetic, size=n_neighbors, replace=False) for _ in range(n_attacks)])


def _risk(name: str, evaluator: Any, confidence: float, n_attacks: int, **kw: Any) -> AttackRisk:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        risk = evaluator.risk(confidence_level=confidence, **kw)
        results = evaluator.results(confidence_level=confidence, **kw)
    weak = any("baseline" in str(w.message).lower() for w in caught)
    low, high = (float(x) for x in risk.ci)
    return AttackRisk(
        attack=name,
        risk=float(risk.value),
        ci_low=low,
        ci_high=high,
        attack_rate=float(results.attack_rate.value),
        control_rate=float(results.control_rate.value) if results.control_rate else 0.0,
        baseline_rate=float(results.baseline_rate.value),
        n_attacks=n_attacks,
        better_than_baseline=not weak,
    )


def _agency_splits(policy: Policy, columns: Sequence[str]) -> list[tuple[str, list[str], list[str]]]:
    agencies = {a: [c for c in cols if c in columns] for a, cols in policy.agencies.items()}
    splits = []
    for agency, own in agencies.items():
        others = [c for a, cols in agencies.items() if a != agency for c in cols]
        if own and others:
            splits.append((agency, own, others))
    if not splits:
        # Without agency labels, split the quasi-identifiers in half: an
        # attacker holding one half tries to link to the other.
        qis = [c for c in policy.quasi_identifiers if c in columns]
        if len(qis) >= 2:
            half = len(qis) // 2
            splits.append(("half", qis[:half], qis[half:]))
    return splits


def run_attacks(
    original: pd.DataFrame,
    released: pd.DataFrame,
    control: pd.DataFrame,
    policy: Policy,
    *,
    n_attacks: int | None = None,
    seed: int = 0,
    attacks: Sequence[AttackKind] = ("singling_out", "linkability", "inference"),
) -> AttackResults:
    """Run anonymeter's attacks and report each risk with its confidence interval.

    Only the policy's quasi-identifiers and sensitive attributes are used;
    pseudonyms and other columns are never part of an attack.

    Args:
        original: Records the released table was made from.
        released: The released table (pseudonymized data or a synthetic replica).
        control: Records held out from the making of ``released``.
        policy: Policy naming quasi-identifiers, sensitive attributes, agencies
            and the confidence level.
        n_attacks: Attacks per evaluation; None sizes them with
            ``attacks_for_width`` for an interval of +-0.03. Either way no
            more than the original and control records allow.
        seed: Seed of every random choice.
        attacks: Which attacks to run.

    Returns:
        The attack risks.

    Raises:
        AttackError: If the tables are too small, lack columns, or an attack fails.
    """
    from anonymeter.evaluators import (
        InferenceEvaluator,
        LinkabilityEvaluator,
        SinglingOutEvaluator,
    )

    policy = policy.for_columns(original.columns)
    columns = [c for c in (*policy.quasi_identifiers, *policy.sensitive_attributes)]
    missing = sorted({c for c in columns for t in (original, released, control) if c not in t.columns})
    if missing:
        raise AttackError("attack.columns_differ", count=len(missing), columns=", ".join(missing))
    if min(len(original), len(released), len(control)) < MIN_ROWS:
        raise AttackError(
            "attack.too_few_rows",
            needed=MIN_ROWS,
            ori=len(original),
            rel=len(released),
            ctl=len(control),
        )
    ori, syn, ctl = (_prepare(t, columns) for t in (original, released, control))
    confidence = policy.thresholds.confidence_level
    wanted = n_attacks if n_attacks is not None else attacks_for_width(DEFAULT_HALF_WIDTH, confidence)
    n = int(min(wanted, len(ori), len(ctl)))
    risks: list[AttackRisk] = []
    with _seeded(seed), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            if "singling_out" in attacks:
                for mode in ("univariate", "multivariate"):
                    evaluator = SinglingOutEvaluator(
                        ori=ori,
                        syn=syn,
                        control=ctl,
                        n_attacks=n,
                        n_cols=min(3, len(columns)),
                        # anonymeter's default (10 million tries) runs for many minutes on
                        # coarse data where unique queries are rare; a few hundred tries per
                        # attack finds the queries that exist, and fewer found is reported.
                        max_attempts=200 * max(n, 1),
                        seed=seed,
                    )
                    evaluator.evaluate(mode=mode)
                    risks.append(_risk(f"singling_out_{mode}", evaluator, confidence, n))
            if "linkability" in attacks:
                for agency, own, others in _agency_splits(policy, columns):
                    evaluator = LinkabilityEvaluator(
                        ori=ori,
                        syn=syn,
                        control=ctl,
                        n_attacks=n,
                        aux_cols=(own, others),
                        n_neighbors=1,
                    )
                    evaluator.evaluate(n_jobs=1)
                    risks.append(_risk(f"linkability:{agency}", evaluator, confidence, n))
            if "inference" in attacks:
                qis = [c for c in policy.quasi_identifiers if c in columns]
                for secret in policy.sensitive_attributes:
                    numeric = policy.column(secret).sensitive_kind == "numeric"
                    evaluator = InferenceEvaluator(
                        ori=ori,
                        syn=syn,
                        control=ctl,
                        aux_cols=qis,
                        secret=secret,
                        regression=numeric,
                        n_attacks=n,
                    )
                    evaluator.evaluate(n_jobs=1)
                    risks.append(_risk(f"inference:{secret}", evaluator, confidence, n))
        except AttackError:
            raise
        except Exception as exc:  # anonymeter raises plain ValueError/RuntimeError
            raise AttackError("attack.failed", attack="anonymeter", reason=type(exc).__name__) from None
    return AttackResults(tuple(risks), confidence, seed)
