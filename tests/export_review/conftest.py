"""Fixtures for the export-review tests.

Fixtures:

``policy``
    The shipped default disclosure policy (``policies/disclosure/default.yaml``).
``session``
    A quiet :class:`export_review.OutputSession` on ``policy``, with records
    identified by the ``pid`` column.
``people``
    A factory ``people(counts, **columns)``: a DataFrame with one row per
    person, where ``counts`` maps a ``(sex, region)`` pair to how many people
    have it; rows get a ``pid`` pseudonym-like id and a ``cost`` value.
``signing_key``
    A fresh Ed25519 private key.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from export_review import DisclosurePolicy, OutputSession, default_policy


@pytest.fixture
def policy() -> DisclosurePolicy:
    return default_policy()


@pytest.fixture
def session(policy: DisclosurePolicy) -> OutputSession:
    return OutputSession(policy=policy, dataset="test", record_id="pid", echo=None)


@pytest.fixture
def people() -> Callable[..., pd.DataFrame]:
    def make(counts: dict[tuple[str, str], int], start: int = 0) -> pd.DataFrame:
        rows = []
        for (sex, region), n in counts.items():
            rows.extend({"sex": sex, "region": region} for _ in range(n))
        frame = pd.DataFrame(rows)
        frame.insert(0, "pid", [f"PS{start + i:08d}" for i in range(len(frame))])
        frame["cost"] = np.linspace(100.0, 200.0, len(frame))
        return frame

    return make


@pytest.fixture
def signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()
