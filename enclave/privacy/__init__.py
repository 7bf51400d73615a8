"""Pseudonymization and identification-risk review of linked data (stages 2 and 4-6).

A library with no web or database dependency: policies (YAML) say each
column's role and transformation and the risk thresholds;
``pseudonymize_columns`` applies them; ``measure_risk`` computes k-anonymity,
l-diversity, t-closeness, prosecutor risk and uniqueness; ``anonymize``
searches the generalization lattice with local suppression until the
thresholds hold; ``run_attacks`` and ``build_replica`` measure attack-based
risk with anonymeter and make SDV replicas; ``build_risk_report`` assembles
what a steward reads to approve or return the dataset.

Example:
    The adequacy review of a linked dataset (stage 4-2 to 4-6)::

        policy = load_policy("policies/pseudonymization/demo-linked-welfare-health-employment.yaml")
        policy.validate(linked)  # every problem at once
        result = anonymize(linked, policy, pseudonym_key=project_key)
        replica = build_replica(result.data, policy, seed=0)
        report = build_risk_report(policy, ran_by=user, anonymization=result, replica=replica)
        report.to_json(), report.to_html(), report.content_hash, report.meets_thresholds
        check_reviewer_independence(report.ran_by, reviewer)  # before recording approval
"""

from __future__ import annotations

from enclave.privacy.anonymize import (
    AnonymizationResult,
    ColumnLoss,
    InformationLoss,
    anonymize,
)
from enclave.privacy.attacks import (
    AttackKind,
    AttackResults,
    AttackRisk,
    attacks_for_width,
    run_attacks,
    split_control,
)
from enclave.privacy.errors import (
    AnonymizationError,
    AttackError,
    PolicyError,
    PolicyProblem,
    PolicyValidationError,
    PrivacyError,
    ReplicaError,
    ReviewerIndependenceError,
    RiskMeasurementError,
    TransformationError,
)
from enclave.privacy.hierarchies import (
    SUPPRESSED,
    CategoryHierarchy,
    DateHierarchy,
    Hierarchy,
    NumericBandHierarchy,
    PrefixHierarchy,
)
from enclave.privacy.local_suppression import LocalSuppression, suppress_locally
from enclave.privacy.policy import ColumnPolicy, Policy, Thresholds
from enclave.privacy.policy_file import load_policy, policy_from_dict
from enclave.privacy.population import PopulationUniqueness, estimate_population_uniqueness
from enclave.privacy.replica import ReplicaResult, build_replica
from enclave.privacy.report import RiskReport, build_risk_report, check_reviewer_independence
from enclave.privacy.risk import (
    RiskMeasures,
    SensitiveRisk,
    measure_k_anonymity,
    measure_risk,
)
from enclave.privacy.transform import ChangeLog, ColumnChange, pseudonymize_columns
from enclave.privacy.utility import column_distribution, describe_utility

__all__ = [
    "SUPPRESSED",
    "AnonymizationError",
    "AnonymizationResult",
    "AttackError",
    "AttackKind",
    "AttackResults",
    "AttackRisk",
    "CategoryHierarchy",
    "ChangeLog",
    "ColumnChange",
    "ColumnLoss",
    "ColumnPolicy",
    "DateHierarchy",
    "Hierarchy",
    "InformationLoss",
    "LocalSuppression",
    "NumericBandHierarchy",
    "Policy",
    "PolicyError",
    "PolicyProblem",
    "PolicyValidationError",
    "PopulationUniqueness",
    "PrefixHierarchy",
    "PrivacyError",
    "ReplicaError",
    "ReplicaResult",
    "ReviewerIndependenceError",
    "RiskMeasurementError",
    "RiskMeasures",
    "RiskReport",
    "SensitiveRisk",
    "Thresholds",
    "TransformationError",
    "anonymize",
    "attacks_for_width",
    "build_replica",
    "build_risk_report",
    "check_reviewer_independence",
    "column_distribution",
    "describe_utility",
    "estimate_population_uniqueness",
    "load_policy",
    "measure_k_anonymity",
    "measure_risk",
    "policy_from_dict",
    "pseudonymize_columns",
    "run_attacks",
    "split_control",
    "suppress_locally",
]
