"""The Fellegi–Sunter model: agreement levels, m and u by EM, and match weights.

A candidate pair is described by one agreement level per field (from the
fields' Dice similarities; -1 where either record lacks the field). Under
conditional independence the likelihood ratio of a pattern is the product over
fields of ``m[f, level] / u[f, level]``, where ``m`` is the probability of the
level among true matches and ``u`` among non-matches (Fellegi and Sunter
1969). Both, and the share of matches ``lambda``, are estimated without
labels by expectation–maximisation over the candidate pairs (Winkler 1988;
Jaro 1989). EM runs on the distinct patterns with their counts, so its cost
does not grow with the number of pairs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["FellegiSunterModel", "agreement_levels", "estimate_model"]

# Probabilities are kept away from 0 and 1 so a level never seen in one class
# gives a large but finite weight.
_FLOOR = 1e-6


def agreement_levels(similarity: NDArray[np.float32], thresholds: tuple[float, ...]) -> NDArray[np.int8]:
    """Discretise Dice similarities into agreement levels.

    Args:
        similarity: Similarities in [0, 1]; NaN where either value is missing.
        thresholds: Strictly decreasing; at or above ``thresholds[0]`` is the
            top level ``len(thresholds)``, below the last is level 0 (disagreement).

    Returns:
        Levels as int8, -1 where the similarity is NaN.

    Example:
        >>> agreement_levels(np.array([1.0, 0.8, 0.1, np.nan], np.float32), (0.99, 0.7))
        array([ 2,  1,  0, -1], dtype=int8)
    """
    levels = np.zeros(similarity.shape, dtype=np.int8)
    for threshold in thresholds:
        levels += (similarity >= threshold).astype(np.int8)
    levels[np.isnan(similarity)] = -1
    return levels


@dataclass(frozen=True)
class FellegiSunterModel:
    """Estimated m and u per field and level, and the prior share of matches.

    Attributes:
        fields: Field names, in column order.
        m: ``(fields, levels)``: P(level | match).
        u: ``(fields, levels)``: P(level | non-match).
        prior: Share of matches among the pairs the model was fitted on.
        iterations: EM iterations run.
        converged: Whether the parameters settled before the iteration limit.
    """

    fields: tuple[str, ...]
    m: NDArray[np.float64] = field(repr=False)
    u: NDArray[np.float64] = field(repr=False)
    prior: float
    iterations: int = 0
    converged: bool = True

    @property
    def weights(self) -> NDArray[np.float64]:
        """Return ``log2(m / u)`` per field and level (the partial match weights)."""
        return np.asarray(np.log2(self.m / self.u), dtype=np.float64)

    def match_weight(self, levels: NDArray[np.int8]) -> NDArray[np.float64]:
        """Return each pair's total match weight: prior log-odds plus the fields' partial weights.

        Args:
            levels: ``(pairs, fields)`` from :func:`agreement_levels`; -1 adds nothing.

        Returns:
            log2 of the posterior odds that the pair is a match.
        """
        weights = self.weights
        total = np.full(len(levels), np.log2(self.prior / (1 - self.prior)))
        for f in range(len(self.fields)):
            column = levels[:, f]
            known = column >= 0
            total[known] += weights[f, column[known]]
        return total

    def match_probability(self, levels: NDArray[np.int8]) -> NDArray[np.float64]:
        """Return each pair's posterior probability of being a match."""
        weight = np.clip(self.match_weight(levels), -60, 60)
        odds = np.exp2(weight)
        return np.asarray(odds / (1 + odds))

    def to_dict(self) -> dict[str, Any]:
        """Return the model as JSON-able figures (probabilities only, never values)."""
        return {
            "fields": list(self.fields),
            "m": np.round(self.m, 6).tolist(),
            "u": np.round(self.u, 6).tolist(),
            "prior": round(self.prior, 8),
            "iterations": self.iterations,
            "converged": self.converged,
        }


def _normalise(table: NDArray[np.float64]) -> NDArray[np.float64]:
    table = np.maximum(table, _FLOOR)
    return np.asarray(table / table.sum(axis=1, keepdims=True))


def estimate_model(
    levels: NDArray[np.int8],
    n_levels: int,
    fields: tuple[str, ...],
    *,
    u_start: NDArray[np.float64] | None = None,
    m_start: NDArray[np.float64] | None = None,
    prior_start: float = 0.1,
    fix_u: bool = False,
    fix_m: bool = False,
    total_pairs: int | None = None,
    max_iterations: int = 200,
    tolerance: float = 1e-7,
) -> FellegiSunterModel:
    """Estimate m, u and the match share by EM on the pairs' agreement patterns.

    Args:
        levels: ``(pairs, fields)`` levels in ``-1 .. n_levels - 1``.
        n_levels: Levels per field, disagreement included.
        fields: Field names.
        u_start: Starting u (for instance from random pairs, which are nearly
            all non-matches); None starts from levels falling off with agreement.
        m_start: Starting m; None starts from levels rising with agreement.
        prior_start: Starting share of matches.
        fix_u: Keep ``u_start`` as it is and fit only m and the match share.
            Candidate pairs from blocking hold few non-matches unlike each
            other, so u estimated on them is poorly identified; u from random
            pairs is the better estimate (Splink does the same).
        fix_m: Keep ``m_start`` as it is (with ``fix_u``, EM then fits only the match share).
        total_pairs: The number of pairs the candidates were blocked from
            (all pairs of the two files). The pairs blocking left out are taken
            as non-matches, so the prior is the share of matches among all
            pairs — the prior that goes with u from random pairs — rather than
            among the candidates, which blocking made mostly matches.
        max_iterations: EM iterations at most.
        tolerance: Stop when no parameter moves by more than this.

    Returns:
        The fitted model.

    Raises:
        ValueError: If ``levels`` has no rows or the wrong number of columns.
    """
    if levels.ndim != 2 or levels.shape[1] != len(fields) or len(levels) == 0:
        raise ValueError("levels must be a non-empty (pairs, fields) array")
    patterns, counts = np.unique(levels, axis=0, return_counts=True)
    counts = counts.astype(np.float64)
    n_fields = len(fields)
    ramp = np.arange(1, n_levels + 1, dtype=np.float64)
    m = _normalise(np.tile(ramp**3, (n_fields, 1)) if m_start is None else np.array(m_start, dtype=np.float64))
    u = _normalise(
        np.tile(ramp[::-1] ** 3, (n_fields, 1)) if u_start is None else np.array(u_start, dtype=np.float64)
    )
    prior = min(max(prior_start, 1e-6), 1 - 1e-6)
    # One-hot of each pattern's known levels: (patterns, fields, levels).
    onehot = np.zeros((len(patterns), n_fields, n_levels), dtype=np.float64)
    rows, cols = np.nonzero(patterns >= 0)
    onehot[rows, cols, patterns[rows, cols]] = 1.0
    known = onehot.sum(axis=2)  # (patterns, fields): 1 where the field is present
    converged = False
    iteration = 0
    for iteration in range(1, max_iterations + 1):  # noqa: B007 - the count is reported
        log_m = np.einsum("pfl,fl->p", onehot, np.log(m))
        log_u = np.einsum("pfl,fl->p", onehot, np.log(u))
        log_odds = np.log(prior) - np.log1p(-prior) + log_m - log_u
        posterior = 1.0 / (1.0 + np.exp(-np.clip(log_odds, -700, 700)))
        w_match = counts * posterior
        w_non = counts * (1 - posterior)
        new_m = (
            m
            if fix_m
            else _normalise(np.einsum("p,pfl->fl", w_match, onehot) / np.maximum(w_match @ known, _FLOOR)[:, None])
        )
        new_u = (
            u
            if fix_u
            else _normalise(np.einsum("p,pfl->fl", w_non, onehot) / np.maximum(w_non @ known, _FLOOR)[:, None])
        )
        population = counts.sum() if total_pairs is None else max(float(total_pairs), counts.sum())
        new_prior = float(min(max(w_match.sum() / population, 1e-12), 1 - 1e-9))
        change = max(np.abs(new_m - m).max(), np.abs(new_u - u).max(), abs(new_prior - prior))
        m, u, prior = new_m, new_u, new_prior
        if change < tolerance:
            converged = True
            break
    return FellegiSunterModel(fields=fields, m=m, u=u, prior=prior, iterations=iteration, converged=converged)
