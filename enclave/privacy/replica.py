"""Synthetic replicas of pseudonymized data, checked for quality and for privacy risk.

A replica lets researchers write and test code before they enter the
enclave, as dummy data does elsewhere. It is fitted with SDV (Gaussian copula
by default, CTGAN on request) on part of the pseudonymized records; the rest
is held out as anonymeter's control set. SDMetrics' quality report says how
faithful it is; anonymeter's attacks say how much it reveals about the
records it was fitted on. ``may_release`` is true only when the upper
confidence bound of every attack risk is under the policy's
``max_attack_risk``; a steward must still approve the release (the service
records that decision).

Pseudonyms, direct identifiers and columns the policy does not name are
never given to the synthesizer: a replica must not carry identifiers.

SDV is under the Business Source License 1.1 (free for this use, not OSI open source).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from enclave.privacy.attacks import AttackResults, run_attacks, split_control
from enclave.privacy.errors import ReplicaError
from enclave.privacy.policy import Policy

__all__ = ["ReplicaResult", "SynthesizerName", "build_replica"]

SynthesizerName = Literal["gaussian_copula", "ctgan"]
MIN_RECORDS = 50
_TABLE = "replica"


@dataclass(frozen=True)
class ReplicaResult:
    """A synthetic replica and the evidence for (or against) its release.

    Attributes:
        data: The synthetic records.
        synthesizer: Which SDV synthesizer made them.
        quality_score: SDMetrics overall quality score (0..1).
        quality_properties: SDMetrics score per property (column shapes, pair trends).
        attacks: anonymeter risks of the replica against the fitted records.
        may_release: Whether every attack's upper bound is under ``max_attack_risk``.
        max_attack_risk: The policy threshold applied.
        rows_fitted: Records the synthesizer was fitted on.
        rows_control: Records held out as the control set.
        seed: Seed of the split, the fit, the sampling and the attacks.
    """

    data: pd.DataFrame
    synthesizer: SynthesizerName
    quality_score: float
    quality_properties: dict[str, float | None]
    attacks: AttackResults
    may_release: bool
    max_attack_risk: float
    rows_fitted: int
    rows_control: int
    seed: int

    def to_dict(self) -> dict[str, Any]:
        """Return the evidence (not the synthetic data) as a JSON-ready mapping."""
        return {
            "synthesizer": self.synthesizer,
            "quality_score": self.quality_score,
            "quality_properties": dict(self.quality_properties),
            "attacks": self.attacks.to_dict(),
            "may_release": self.may_release,
            "max_attack_risk": self.max_attack_risk,
            "rows_fitted": self.rows_fitted,
            "rows_control": self.rows_control,
            "seed": self.seed,
        }


def _replica_columns(df: pd.DataFrame, policy: Policy) -> list[str]:
    pseudonyms = set(policy.pseudonym_columns)
    wanted = [c.name for c in policy.columns if c.role != "direct_identifier" and c.name not in pseudonyms]
    return [c for c in wanted if c in df.columns]


def _sdtypes(df: pd.DataFrame) -> dict[str, str]:
    # Set every sdtype ourselves: SDV's detection may call a code column an
    # "id" or PII and then invent values unrelated to the data.
    out = {}
    for c in df.columns:
        numeric = pd.api.types.is_numeric_dtype(df[c].dtype) and not pd.api.types.is_bool_dtype(df[c].dtype)
        out[c] = "numerical" if numeric else "categorical"
    return out


def build_replica(
    df: pd.DataFrame,
    policy: Policy,
    *,
    synthesizer: SynthesizerName = "gaussian_copula",
    seed: int = 0,
    control_fraction: float = 0.3,
    n_attacks: int = 500,
    epochs: int = 300,
) -> ReplicaResult:
    """Fit a synthesizer on pseudonymized data and check the replica's quality and risk.

    Args:
        df: Pseudonymized (or additionally processed) data.
        policy: Policy naming quasi-identifiers, sensitive attributes and
            ``max_attack_risk``.
        synthesizer: ``gaussian_copula`` (default) or ``ctgan``.
        seed: Seed of the split, fit, sampling and attacks.
        control_fraction: Share of records held out as the control set.
        n_attacks: anonymeter attacks per evaluation.
        epochs: Training epochs (CTGAN only).

    Returns:
        The replica with its quality score, attack risks and release verdict.

    Raises:
        ReplicaError: If the synthesizer is unknown, the data too small, or fitting fails.
        AttackError: If the attacks cannot be run.
    """
    if synthesizer not in ("gaussian_copula", "ctgan"):
        raise ReplicaError("replica.unknown_synthesizer", name=str(synthesizer))
    if len(df) < MIN_RECORDS:
        raise ReplicaError("replica.too_few_rows", needed=MIN_RECORDS, records=len(df))
    policy = policy.for_columns(df.columns)
    columns = _replica_columns(df, policy)
    data = df[columns].copy()
    for c, kind in _sdtypes(data).items():
        if kind == "categorical":
            data[c] = data[c].astype(str)
    fitted, control = split_control(data, control_fraction, seed=seed)
    sdtypes = _sdtypes(fitted)
    table_metadata = {"columns": {c: {"sdtype": t} for c, t in sdtypes.items()}}
    with warnings.catch_warnings():
        # SDV and its dependencies warn about their own internals (future
        # deprecations, convergence notes); none concerns the caller.
        warnings.simplefilter("ignore")
        from sdmetrics.reports.single_table import QualityReport
        from sdv.metadata import Metadata
        from sdv.single_table import CTGANSynthesizer, GaussianCopulaSynthesizer

        metadata = Metadata.load_from_dict({"tables": {_TABLE: table_metadata}})
        state = np.random.get_state()
        try:
            np.random.seed(seed)
            model: Any
            if synthesizer == "ctgan":
                import torch

                torch.manual_seed(seed)
                model = CTGANSynthesizer(metadata, epochs=epochs, enable_gpu=False)
            else:
                model = GaussianCopulaSynthesizer(metadata)
            model.fit({_TABLE: fitted})
            model._set_random_state(seed)  # SDV's own hook for reproducible sampling
            sampled = model.sample(len(fitted))
        except Exception as exc:  # SDV raises many types; the message may quote values
            raise ReplicaError("replica.failed", reason=type(exc).__name__) from None
        finally:
            np.random.set_state(state)
        replica = sampled[_TABLE] if isinstance(sampled, dict) else sampled
        replica = replica[columns].reset_index(drop=True)
        report = QualityReport()
        report.generate(fitted, replica, table_metadata, verbose=False)
        score = float(report.get_score())
        properties = {
            str(row["Property"]): (None if math.isnan(float(row["Score"])) else float(row["Score"]))
            for _, row in report.get_properties().iterrows()
        }
    attacks = run_attacks(fitted, replica, control, policy, n_attacks=n_attacks, seed=seed)
    threshold = policy.thresholds.max_attack_risk
    may_release = bool(attacks.risks) and all(r.ci_high < threshold for r in attacks.risks)
    return ReplicaResult(
        data=replica,
        synthesizer=synthesizer,
        quality_score=score,
        quality_properties=properties,
        attacks=attacks,
        may_release=may_release,
        max_attack_risk=threshold,
        rows_fitted=len(fitted),
        rows_control=len(control),
        seed=seed,
    )
