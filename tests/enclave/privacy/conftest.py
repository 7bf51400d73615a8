"""Fixtures of the pseudonymization and identification-risk tests.

Fixtures:

``demo_policy_path``
    Path of the demo's linked welfare+health+employment policy under
    ``policies/pseudonymization/``.
``demo_policy``
    That policy, loaded.
``linked_frame``
    A factory ``linked_frame(n=2000, seed=0)`` returning a synthetic linked
    dataset with the demo policy's columns (link ids, sex, birth date,
    5-digit region codes, household type, employment status, benefit type,
    payment amount, income, diagnosis group, visit date). Values are random,
    never real people.
``pseudonym_key``
    A fixed 32-byte project pseudonym key.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from enclave.privacy import Policy, load_policy

ROOT = Path(__file__).resolve().parents[3]
DEMO_POLICY = ROOT / "policies" / "pseudonymization" / "demo-linked-welfare-health-employment.yaml"

REGIONS = [f"{sido}{sigungu:03d}" for sido in (11, 26, 27, 41, 48) for sigungu in range(110, 200, 10)]
HOUSEHOLDS = ["single", "couple", "couple_with_children", "single_parent", "three_generation", "other"]


def make_linked_frame(n: int = 2000, seed: int = 0) -> pd.DataFrame:
    """Return a synthetic linked dataset shaped like the demo's (see module docstring)."""
    rng = np.random.default_rng(seed)
    birth = pd.Timestamp("1940-01-01") + pd.to_timedelta(rng.integers(0, 365 * 65, n), unit="D")
    visits = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
    return pd.DataFrame(
        {
            "link_id": [f"LNK{i:08d}" for i in range(n)],
            "sex": rng.choice(["M", "F"], n),
            "birth_date": birth.strftime("%Y-%m-%d"),
            "region_code": rng.choice(REGIONS, n),
            "household_type": rng.choice(HOUSEHOLDS, n),
            "employment_status": rng.choice(["employed", "self_employed", "unemployed", "inactive"], n),
            "benefit_type": rng.choice(["livelihood", "medical", "housing", "education"], n),
            "payment_amount": rng.gamma(2.0, 300_000.0, n).round(),
            "income": rng.lognormal(16.5, 0.8, n).round(-3),
            "diagnosis_group": rng.choice([f"D{i:02d}" for i in range(12)], n),
            "visit_date": visits.strftime("%Y-%m-%d"),
        }
    )


@pytest.fixture
def demo_policy_path() -> Path:
    return DEMO_POLICY


@pytest.fixture
def demo_policy() -> Policy:
    return load_policy(DEMO_POLICY)


@pytest.fixture
def linked_frame() -> Callable[..., pd.DataFrame]:
    return make_linked_frame


@pytest.fixture
def pseudonym_key() -> bytes:
    return bytes(range(32))
