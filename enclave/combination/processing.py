"""Additional processing and the risk review (추가처리, stage 4-6).

The project's pseudonymization policy is applied to the combined data and
additional processing searches the generalization lattice until the risk
thresholds hold; anonymeter attacks are run on a held-out split; a risk
report is written for the steward's adequacy review. Only the approved
version ever reaches the researcher's workspace.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence

import numpy as np
import pandas as pd

from enclave.combination.datasets import (
    latest_dataset,
    load_project,
    policy_path,
    read_parquet,
    reports_dir,
    store_dataset,
)
from enclave.db.models import RiskReview
from enclave.errors import InputError, NotFound
from enclave.jobs.progress import Progress, no_progress
from enclave.keys import project_key_id
from enclave.messages import text
from enclave.privacy import (
    SUPPRESSED,
    AnonymizationError,
    AnonymizationResult,
    AttackKind,
    AttackResults,
    Policy,
    PrefixHierarchy,
    PrivacyError,
    anonymize,
    build_risk_report,
    load_policy,
    run_attacks,
    split_control,
)
from enclave.service import EnclaveService
from enclave.store import atomic_write

__all__ = ["NOT_IN_REGISTRY", "review_risk"]

#: What a categorical quasi-identifier shows for a person absent from that registry.
NOT_IN_REGISTRY = "(not in registry)"


def _fill_absent(frame: pd.DataFrame, policy: Policy) -> pd.DataFrame:
    """Give categorical quasi-identifiers an explicit value where a registry has none.

    Linked data is ragged: a person on welfare may hold no employment insurance.
    That absence is information an attacker may know, so it is kept as a
    category of its own rather than dropped or imputed. Codes generalized by
    prefix (시군구 -> 시도) get zeros of the code's width instead, which
    generalize to an "unknown" 시도 ("00") that no real code uses. A missing
    number (a birth year) shows ``*``, as a suppressed value does.
    """
    out = frame.copy()
    for column in policy.quasi_identifiers:
        if column not in out or not out[column].isna().any():
            continue
        if pd.api.types.is_numeric_dtype(out[column]):
            # A number nobody sent (a birth year a registry lacks) is unknown to
            # the release as much as a suppressed one: it shows ``*`` at every level.
            out[column] = out[column].astype(object).where(out[column].notna(), SUPPRESSED)
            continue
        hierarchy = policy.column(column).hierarchy
        fixed_width = isinstance(hierarchy, PrefixHierarchy) and hierarchy.width
        absent = "0" * hierarchy.width if fixed_width else NOT_IN_REGISTRY  # type: ignore[union-attr]
        out[column] = out[column].astype(object).where(out[column].notna(), absent)
    return out



def _canonical_order(frame: pd.DataFrame) -> pd.DataFrame:
    """Order rows by their content, leaving pseudonyms out.

    Pseudonyms come from random link ids and a random project key, so the
    combined table's row order differs between runs. Ordering by content makes
    the held-out split, and so every risk figure, reproducible for a seed.
    """
    content = frame.drop(columns=[c for c in ("pseudonym",) if c in frame])
    order = np.argsort(pd.util.hash_pandas_object(content, index=False).to_numpy(), kind="stable")
    return frame.iloc[order].reset_index(drop=True)


def _escalating_k(k: int) -> tuple[int, ...]:
    """The k of each round of additional processing: the policy's, then doubled, up to 8×.

    The search meets k, l, t and prosecutor risk by construction; a further
    round runs only when an attack's whole interval lies over the limit (a
    decided excess). An interval that straddles the limit is never answered
    this way: it is reported for the steward to judge.
    """
    return (k, 2 * k, 4 * k, 8 * k)


#: Most attacks an inconclusive interval is measured again with.
MAX_ATTACKS = 5000


def _kind(attack: str) -> AttackKind:
    name = attack.split(":", 1)[0]
    return "singling_out" if name.startswith("singling_out") else name  # type: ignore[return-value]


def _process_and_attack(frame: pd.DataFrame, policy: Policy, pseudonym_key: bytes, n_attacks: int | None,
                        seed: int, progress: Progress, percent: int,
                        importance: Sequence[str] = ()) -> tuple[AnonymizationResult, AttackResults]:
    progress("processing", percent)
    result = anonymize(frame, policy, pseudonym_key=pseudonym_key, importance=importance)
    progress("attacks", percent + 8)
    # Attacks need records the release was not made from: a held-out split.
    # Both sides are taken at the granularity the search chose, so the attacker
    # knows what the release shows (a birth-year band, a 시도), not the raw value.
    train, control = split_control(frame, 0.3, seed=seed)
    processed = result.data
    released = processed.loc[processed.index.intersection(train.index)]
    control = processed.loc[processed.index.intersection(control.index)]
    train = released
    # Singling out is not run here: the released rows are the training rows, so
    # every query that isolates a released row isolates it by construction, and
    # k-anonymity already bounds what the quasi-identifiers single out. It is run
    # where it means something, on synthetic replicas (build_project_replica).
    # The number of attacks is sized for a +-0.03 interval on the attack rate
    # (or all the data has); an attack whose interval still straddles the limit
    # is measured once more with every held-out record, up to MAX_ATTACKS.
    attacks = run_attacks(train, released, control, policy, n_attacks=n_attacks, seed=seed,
                          attacks=("linkability", "inference"))
    limit = policy.thresholds.max_attack_risk
    available = min(len(train), len(control), MAX_ATTACKS)
    used = max((r.n_attacks for r in attacks.risks), default=0)
    undecided = sorted({_kind(r.attack) for r in attacks.inconclusive(limit)})
    if undecided and available > used:
        progress("attacks", percent + 14)
        again = run_attacks(train, released, control, policy, n_attacks=available, seed=seed,
                            attacks=tuple(undecided))
        attacks = attacks.replaced(again)
    return result, attacks


def review_risk(svc: EnclaveService, project_id: int, actor: str, *, n_attacks: int | None = None,
                seed: int = 0, progress: Progress = no_progress) -> RiskReview:
    """Pseudonymize, process for the least loss that meets the thresholds, attack, and report.

    The application's key variables, most important first, steer the search:
    it keeps them finest and blanks their values last.

    Args:
        svc: The open enclave.
        project_id: The project.
        actor: Who runs the processing; the approving steward must be someone else.
        n_attacks: anonymeter attacks per evaluation; None sizes them to the
            data for a narrow interval (see ``run_attacks``).
        seed: Seed of the split and the attacks, so figures are reproducible.
        progress: Told ``reading``, then ``processing`` and ``attacks`` in each
            round of additional processing, then ``storing``.

    Returns:
        A pending risk review with its report written to the reports folder.

    Raises:
        InputError: The policy does not fit the data (every problem listed),
            or no transformation meets the thresholds within the suppression budget.
    """
    progress("reading", 3)
    with svc.session() as session:
        combined = latest_dataset(session, project_id, "combined")
        if combined is None:
            raise NotFound(text("provisioning.not_combined"))
        key_id = project_key_id(project_id)
        frame = read_parquet(svc.get_object(session, combined.object_id, key_id)).to_pandas()
        pseudonym_key = svc.keyring.unwrap(session, project_key_id(project_id, "pseudonym"))
        project = load_project(session, project_id)
        agencies = project.agency_codes
        importance = [str(v) for v in json.loads(project.key_variables or "[]")]
    path = policy_path(svc, project_id)
    try:
        policy = load_policy(path).for_agencies(agencies)
        frame = _canonical_order(_fill_absent(frame, policy))
        policy.validate(frame)
        rounds = 0
        for round_index, k in enumerate(_escalating_k(policy.thresholds.k)):
            # Stricter rounds keep the policy's own hash: they are decisions under it.
            strict = dataclasses.replace(policy, thresholds=dataclasses.replace(policy.thresholds, k=k),
                                         base_hash=policy.content_hash)
            try:
                result, attacks = _process_and_attack(frame, strict, pseudonym_key, n_attacks, seed, progress,
                                                      percent=8 + 21 * round_index, importance=importance)
            except AnonymizationError:
                if rounds == 0:
                    raise
                break  # coarser classes are out of reach: the last round's report stands
            rounds += 1
            report = build_risk_report(strict, ran_by=actor, anonymization=result, attacks=attacks)
            if report.meets_thresholds or not attacks.above(policy.thresholds.max_attack_risk):
                # Only a decided excess of an attack limit justifies coarser
                # classes; anything else is the steward's to judge as reported.
                break
    except PrivacyError as error:
        svc.record_event(actor=actor, action="privacy.review", object_type="project", object_id=project_id,
                         outcome="failed", reason=type(error).__name__)
        raise InputError(str(error)) from None
    progress("storing", 93)
    folder = reports_dir(svc, project_id)
    with svc.session() as session:
        dataset = store_dataset(svc, session, project_id, "processed", result.data, actor, policy.content_hash)
        html_path = folder / f"risk-report-{dataset.id}.html"
        atomic_write(html_path, report.to_html().encode("utf-8"), mode=0o640)
        atomic_write(folder / f"risk-report-{dataset.id}.json", report.to_json().encode("utf-8"), mode=0o640)
        review = RiskReview(project_id=project_id, dataset_id=dataset.id, report_path=str(html_path),
                            report_hash=report.content_hash, policy_hash=policy.content_hash,
                            meets_thresholds=report.meets_thresholds,
                            summary=json.dumps({"summary": report.summary, "findings": list(report.findings),
                                                "levels": result.levels, "rows": len(result.data),
                                                "k_applied": report.thresholds.get("k"), "rounds": rounds,
                                                "undecided": list(report.undecided),
                                                "warnings": list(report.warnings),
                                                "suppressed_records":
                                                    result.information_loss.suppressed_records},
                                               ensure_ascii=False),
                            ran_by=actor)
        session.add(review)
        session.flush()
        svc.audit.record(session, actor=actor, action="privacy.review", object_type="project",
                         object_id=project_id, review=review.id, policy_hash=policy.content_hash,
                         report_hash=report.content_hash, meets_thresholds=report.meets_thresholds,
                         rows=len(result.data))
        return review


