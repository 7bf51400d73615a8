"""Population-uniqueness estimators checked against independent computations."""

from __future__ import annotations

from math import comb

import numpy as np
import pytest

from enclave.privacy import estimate_population_uniqueness
from enclave.privacy.population import pitman_parameters, pitman_uniques, zayatz_uniques


def _sample_histogram(population: int, sample: int, seed: int = 0) -> dict[int, int]:
    # A population with Zipf-distributed class sizes, sampled without replacement.
    rng = np.random.default_rng(seed)
    sizes = rng.zipf(1.3, 200_000)
    sizes = sizes[sizes < 50_000]
    members = np.repeat(np.arange(len(sizes)), sizes)[:population]
    drawn = rng.choice(members, sample, replace=False)
    counts = np.bincount(drawn)
    values, freq = np.unique(counts[counts > 0], return_counts=True)
    return {int(v): int(f) for v, f in zip(values, freq, strict=True)}


def test_zayatz_matches_hypergeometric_hand_computation() -> None:
    histogram = {1: 4, 2: 2, 3: 1}
    n, population, u = 11, 200, 7

    def p_one(class_size: int) -> float:  # P(exactly one of the class drawn)
        return class_size * comb(population - class_size, n - 1) / comb(population, n)

    total = sum(count / u * p_one(size) for size, count in histogram.items())
    expected = 4 * (4 / u * p_one(1) / total) / (n / population)
    assert zayatz_uniques(histogram, population) == pytest.approx(expected, rel=1e-9)


def test_pitman_parameters_solve_the_likelihood_equations() -> None:
    histogram = _sample_histogram(1_000_000, 5_000)
    theta, alpha = pitman_parameters(histogram)
    n = sum(s * c for s, c in histogram.items())
    u = sum(histogram.values())
    # The score equations written as plain sums (Hoshino 2001), not digammas.
    d_theta = sum(1 / (theta + i * alpha) for i in range(1, u)) - sum(1 / (theta + i) for i in range(1, n))
    d_alpha = sum(i / (theta + i * alpha) for i in range(1, u)) - sum(
        c * sum(1 / (j - alpha) for j in range(1, s)) for s, c in histogram.items()
    )
    assert abs(d_theta) < 1e-6 and abs(d_alpha) < 1e-6
    assert 0 < alpha < 1


def test_dankar_rule_uses_pitman_for_small_sampling_fractions() -> None:
    estimate = estimate_population_uniqueness(_sample_histogram(1_000_000, 5_000), 1_000_000)
    assert estimate.sampling_fraction == pytest.approx(0.005)
    assert estimate.dankar_model == "pitman"
    assert estimate.dankar == estimate.pitman
    # the true population-unique share of this population is about 0.00045
    assert 0.0002 < estimate.dankar < 0.001


def test_dankar_rule_takes_the_smaller_of_zayatz_and_snb_for_large_fractions() -> None:
    estimate = estimate_population_uniqueness(_sample_histogram(1_000_000, 200_000), 1_000_000)
    assert estimate.sampling_fraction == pytest.approx(0.2)
    assert estimate.zayatz is not None and estimate.snb is not None
    assert estimate.dankar == pytest.approx(min(estimate.zayatz, estimate.snb))


def test_dankar_rule_falls_back_to_zayatz_when_pitman_does_not_converge() -> None:
    estimate = estimate_population_uniqueness({1: 300, 2: 120, 3: 50, 4: 20, 6: 10}, 1_000_000)
    assert estimate.pitman is None
    assert estimate.dankar_model == "zayatz" and estimate.dankar == estimate.zayatz


def test_no_sample_uniques_means_no_population_uniques() -> None:
    estimate = estimate_population_uniqueness({2: 10, 5: 3}, 10_000)
    assert (estimate.dankar, estimate.dankar_model) == (0.0, "none")


def test_pitman_uniques_match_the_exact_expected_singletons_of_the_fitted_model() -> None:
    # Under a Pitman (theta, alpha) partition of N records the expected number of
    # classes of size one is N * prod_{i=0}^{N-2} (theta + alpha + i) / (theta + 1 + i)
    # (Pitman 2006, Combinatorial Stochastic Processes, eq. 3.11 with j = 1): a plain
    # product over the population, where the estimator uses Hoshino's large-N gamma
    # form. The two must agree for a population of a million.
    population = 1_000_000
    histogram = _sample_histogram(population, 5_000)
    parameters = pitman_parameters(histogram)
    assert parameters is not None
    theta, alpha = parameters
    i = np.arange(population - 1, dtype=float)
    expected = population * float(np.exp(np.sum(np.log((theta + alpha + i) / (theta + 1 + i)))))
    assert pitman_uniques(histogram, population) == pytest.approx(expected, rel=1e-4)
    estimate = estimate_population_uniqueness(histogram, population)
    assert estimate.pitman == pytest.approx(expected / population, rel=1e-4)
