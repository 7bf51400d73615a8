"""Population-uniqueness estimates from a sample's equivalence-class sizes.

When the data is a sample of a larger population (a cohort drawn from all
residents), a record unique in the sample need not be unique in the
population. These estimators guess how many *population* records are unique,
from the sample's class-size histogram alone, as ARX does:

* Zayatz (1991): hypergeometric chance that a sample unique is a population unique.
* Pitman (Hoshino 2001): Pitman sampling formula, parameters by maximum likelihood.
* SNB (Chen & Keller-McNulty 1998): slide negative binomial, parameters from
  the numbers of sample classes of size 1 and 2 and a Shlosser estimate of
  the number of non-empty population classes (Haas et al. 1995).
* Dankar et al. (2012) decision rule: Pitman when the sampling fraction is at
  most 10 % (Zayatz if Pitman does not converge), else the smaller of Zayatz
  and SNB (Zayatz if SNB does not converge).

Everything is deterministic: the solvers start from fixed points.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from scipy import optimize, special, stats

__all__ = [
    "PopulationModel",
    "PopulationUniqueness",
    "estimate_population_uniqueness",
    "pitman_parameters",
    "pitman_uniques",
    "shlosser_classes",
    "snb_uniques",
    "zayatz_uniques",
]

PopulationModel = Literal["pitman", "zayatz", "snb", "none"]


@dataclass(frozen=True)
class PopulationUniqueness:
    """Estimated share of population records that are unique on the quasi-identifiers.

    Each share is the estimated number of population uniques divided by the
    population size; None when the model did not converge.

    Attributes:
        population_size: Size of the population the sample was drawn from.
        sampling_fraction: Records in the sample divided by ``population_size``.
        zayatz: Zayatz's estimate.
        pitman: Pitman's estimate.
        snb: The slide-negative-binomial estimate.
        dankar: The estimate chosen by Dankar et al.'s rule.
        dankar_model: Which model the rule chose (``none`` if no sample uniques).
    """

    population_size: int
    sampling_fraction: float
    zayatz: float | None
    pitman: float | None
    snb: float | None
    dankar: float
    dankar_model: PopulationModel

    def to_dict(self) -> dict[str, Any]:
        """Return the estimates as a JSON-ready mapping."""
        return {
            "population_size": self.population_size,
            "sampling_fraction": self.sampling_fraction,
            "zayatz": self.zayatz,
            "pitman": self.pitman,
            "snb": self.snb,
            "dankar": self.dankar,
            "dankar_model": self.dankar_model,
        }


def _valid(value: float | None) -> bool:
    return value is not None and math.isfinite(value) and value != 0.0


def zayatz_uniques(histogram: dict[int, int], population_size: int) -> float:
    """Estimate the number of population uniques with Zayatz's method.

    Args:
        histogram: Class size -> number of sample classes of that size.
        population_size: Population size N.

    Returns:
        Estimated number of population uniques.
    """
    n = sum(size * count for size, count in histogram.items())
    u = sum(histogram.values())
    c1 = histogram.get(1, 0)
    if c1 == 0:
        return 0.0
    f = n / population_size
    total = 0.0
    for size, count in histogram.items():
        total += count / u * float(stats.hypergeom.pmf(1, population_size, size, n))
    p1 = c1 / u * float(stats.hypergeom.pmf(1, population_size, 1, n))
    if total <= 0:
        return math.nan
    return c1 * (p1 / total) / f


def _pitman_equations(
    params: np.ndarray[Any, Any],
    sizes: np.ndarray[Any, Any],
    counts: np.ndarray[Any, Any],
    u: float,
    n: float,
) -> list[float]:
    t, a = float(params[0]), float(params[1])
    if a <= 0 or a >= 1 or t <= -a:
        return [1e6, 1e6]
    # Closed forms of the sums in the likelihood equations (digamma
    # differences), so the cost does not grow with the number of classes.
    o1 = (special.digamma(t / a + u) - special.digamma(t / a + 1.0)) / a
    o2 = special.digamma(t + n) - special.digamma(t + 1.0)
    o3 = (u - 1.0) / a - (t / a) * o1
    big = sizes > 1
    o4 = float(np.sum(counts[big] * (special.digamma(sizes[big] - a) - special.digamma(1.0 - a))))
    return [float(o1 - o2), float(o3 - o4)]


def pitman_parameters(histogram: dict[int, int]) -> tuple[float, float] | None:
    """Solve the Pitman model's maximum-likelihood equations for (theta, alpha).

    Args:
        histogram: Class size -> number of sample classes of that size.

    Returns:
        ``(theta, alpha)``, or None if the solver does not converge.
    """
    sizes = np.array(sorted(histogram), dtype=float)
    counts = np.array([histogram[int(s)] for s in sizes], dtype=float)
    n = float(np.sum(sizes * counts))
    u = float(np.sum(counts))
    c1 = float(histogram.get(1, 0))
    c2 = float(histogram.get(2, 0)) or 1.0
    # ARX's starting point (moment-style guess from c1 and c2).
    c = c1 * (c1 - 1.0) / c2
    denominator = 2.0 * c1 * u + c1 * c - n * c
    starts = []
    if denominator != 0:
        t0 = (n * u * c - c1 * (n - 1.0) * (2.0 * u + c)) / denominator
        a0 = (t0 * (c1 - n) + (n - 1.0) * c1) / (n * u)
        starts.append((t0, a0))
    starts += [(1.0, 0.5), (10.0, 0.5), (100.0, 0.3), (1.0, 0.9), (1000.0, 0.1)]
    for t0, a0 in starts:
        if not (0 < a0 < 1 and t0 > -a0):
            continue
        sol = optimize.root(_pitman_equations, x0=[t0, a0], args=(sizes, counts, u, n), method="hybr")
        t, a = float(sol.x[0]), float(sol.x[1])
        residual = _pitman_equations(sol.x, sizes, counts, u, n)
        if sol.success and 0 < a < 1 and t > -a and max(abs(r) for r in residual) < 1e-6:
            return t, a
    return None


def pitman_uniques(histogram: dict[int, int], population_size: int) -> float:
    """Estimate the number of population uniques with the Pitman model.

    Args:
        histogram: Class size -> number of sample classes of that size.
        population_size: Population size N.

    Returns:
        Estimated number of population uniques, NaN if the model does not converge.
    """
    if histogram.get(1, 0) == 0:
        return 0.0
    params = pitman_parameters(histogram)
    if params is None:
        return math.nan
    t, a = params
    value = math.exp(special.gammaln(t + 1.0) - special.gammaln(t + a) + a * math.log(population_size))
    return value if 0.0 <= value <= population_size else math.nan


def shlosser_classes(histogram: dict[int, int], sampling_fraction: float) -> float:
    """Estimate the number of non-empty population classes (Haas et al.'s Shlosser form).

    Args:
        histogram: Class size -> number of sample classes of that size.
        sampling_fraction: Sample size divided by population size.

    Returns:
        Estimated number of non-empty classes in the population.
    """
    f = sampling_fraction
    u = sum(histogram.values())
    c1 = histogram.get(1, 0)
    var1 = var2 = var3 = var4 = 0.0
    for size, count in histogram.items():
        q = (1.0 - f) ** size
        var1 += size * f * f * (1.0 - f * f) ** (size - 1) * count
        # (1-f)^i * ((1+f)^i - 1) written without (1+f)^i, which overflows.
        var2 += ((1.0 - f * f) ** size - q) * count
        var3 += q * count
        var4 += size * f * (1.0 - f) ** (size - 1) * count
    if var2 == 0 or var4 == 0:
        return float(u)
    return u + c1 * (var1 / var2) * (var3 / var4) ** 2


def _snb_equations(params: np.ndarray[Any, Any], k: float, f: float, c1: float, c2: float) -> list[float]:
    a, b = float(params[0]), float(params[1])
    if a <= 0 or not 0 < b < 1:
        return [1e9, 1e9]
    d = (1.0 - f) * (1.0 - b)
    e1 = k * f * (b / (1.0 - d)) ** a * (a * d / (1.0 - d) + 1.0) - c1
    e2 = k * a * b**a * f * f * (1.0 - b) / 2.0 * (1.0 - d) ** (-(a + 2.0)) * (2.0 - (1.0 - a) * d) - c2
    return [e1 / max(c1, 1.0), e2 / max(c2, 1.0)]


def snb_uniques(histogram: dict[int, int], population_size: int) -> float:
    """Estimate the number of population uniques with the slide negative binomial model.

    Args:
        histogram: Class size -> number of sample classes of that size.
        population_size: Population size N.

    Returns:
        Estimated number of population uniques, NaN if the model does not converge.
    """
    c1 = float(histogram.get(1, 0))
    if c1 == 0:
        return 0.0
    c2 = float(histogram.get(2, 0))
    n = sum(size * count for size, count in histogram.items())
    f = n / population_size
    k = shlosser_classes(histogram, f)
    for a0 in (1.0, 0.5, 2.0, 0.1, 5.0):
        for b0 in (0.5, 0.1, 0.9, 0.01):
            sol = optimize.root(_snb_equations, x0=[a0, b0], args=(k, f, c1, c2), method="hybr")
            a, b = float(sol.x[0]), float(sol.x[1])
            if sol.success and a > 0 and 0 < b < 1:
                residual = _snb_equations(sol.x, k, f, c1, c2)
                if max(abs(r) for r in residual) < 1e-8:
                    value = k * b**a
                    return value if 0.0 <= value <= population_size else math.nan
    return math.nan


def estimate_population_uniqueness(histogram: dict[int, int], population_size: int) -> PopulationUniqueness:
    """Estimate population uniqueness with Zayatz, Pitman, SNB and Dankar's rule.

    Args:
        histogram: Class size -> number of sample classes of that size.
        population_size: Size of the population the sample was drawn from
            (at least the number of records).

    Returns:
        The estimates, as shares of the population.
    """
    n = sum(size * count for size, count in histogram.items())
    f = n / population_size
    if histogram.get(1, 0) == 0:
        return PopulationUniqueness(population_size, f, 0.0, 0.0, 0.0, 0.0, "none")
    zayatz = zayatz_uniques(histogram, population_size)
    pitman = pitman_uniques(histogram, population_size)
    snb = snb_uniques(histogram, population_size)
    chosen: float
    model: PopulationModel
    if f <= 0.1:
        chosen, model = (pitman, "pitman") if _valid(pitman) else (zayatz, "zayatz")
    elif _valid(snb) and not (zayatz < snb):
        chosen, model = snb, "snb"
    else:
        chosen, model = zayatz, "zayatz"

    def share(value: float) -> float | None:
        return value / population_size if math.isfinite(value) else None

    return PopulationUniqueness(
        population_size=population_size,
        sampling_fraction=f,
        zayatz=share(zayatz),
        pitman=share(pitman),
        snb=share(snb),
        dankar=(chosen / population_size) if _valid(chosen) else 0.0,
        dankar_model=model,
    )
