"""From agencies' packages to the data a researcher may use (stages 4-4 to 4-6).

1. the linkage unit links the match keys and seals the linkage map to the enclave;
2. the enclave combines the content through the map, with project pseudonyms;
3. the project's pseudonymization policy is applied and additional processing
   searches the generalization lattice until the risk thresholds hold;
   anonymeter attacks are run on a held-out split; a risk report is written;
4. a steward who did not run the processing approves or returns it (적정성 검토);
5. only the approved version reaches the researcher's workspace.

Every intermediate table is stored encrypted under the project's data key.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.combination import combine_submissions
from enclave.db.models import (
    LinkedDataset,
    Project,
    ProjectState,
    ReviewState,
    RiskReview,
    Role,
    Submission,
    SyntheticReplica,
    User,
    utcnow,
)
from enclave.errors import Conflict, InputError, NotFound, PermissionDenied
from enclave.keys import project_key_id
from enclave.linkage_unit import LinkageUnitRole
from enclave.messages import text
from enclave.parties import enclave_trusted_signers
from enclave.privacy import (
    AnonymizationError,
    AnonymizationResult,
    AttackResults,
    Policy,
    PrefixHierarchy,
    PrivacyError,
    anonymize,
    build_replica,
    build_risk_report,
    check_reviewer_independence,
    load_policy,
    run_attacks,
    split_control,
)
from enclave.projects.application import steward_may_decide
from enclave.projects.lifecycle import move_project
from enclave.service import EnclaveService
from enclave.store import atomic_write
from linkage.sealing import open_package

__all__ = [
    "DEFAULT_POLICY",
    "build_project_replica",
    "combine_project",
    "decide_adequacy",
    "decide_replica",
    "deliver_linkage_map",
    "latest_review",
    "read_project_dataset",
    "review_risk",
]

#: The pseudonymization policy used when a project has none of its own.
DEFAULT_POLICY = "linked-project.yaml"
#: What a categorical quasi-identifier shows for a person absent from that registry.
NOT_IN_REGISTRY = "(not in registry)"


def _fill_absent(frame: pd.DataFrame, policy: Policy) -> pd.DataFrame:
    """Give categorical quasi-identifiers an explicit value where a registry has none.

    Linked data is ragged: a person on welfare may hold no employment insurance.
    That absence is information an attacker may know, so it is kept as a
    category of its own rather than dropped or imputed. Codes generalized by
    prefix (시군구 -> 시도) get zeros of the code's width instead, which
    generalize to an "unknown" 시도 ("00") that no real code uses.
    """
    out = frame.copy()
    for column in policy.quasi_identifiers:
        if column not in out or not out[column].isna().any() or pd.api.types.is_numeric_dtype(out[column]):
            continue
        hierarchy = policy.column(column).hierarchy
        fixed_width = isinstance(hierarchy, PrefixHierarchy) and hierarchy.width
        absent = "0" * hierarchy.width if fixed_width else NOT_IN_REGISTRY  # type: ignore[union-attr]
        out[column] = out[column].astype(object).where(out[column].notna(), absent)
    return out


def _parquet(table: pa.Table | pd.DataFrame) -> bytes:
    if isinstance(table, pd.DataFrame):
        table = pa.Table.from_pandas(table, preserve_index=False)
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()


def _read_parquet(data: bytes) -> pa.Table:
    return pq.read_table(io.BytesIO(data))


def _project(session: Session, project_id: int) -> Project:
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound(text("projects.not_found"))
    return project


def _reports_dir(svc: EnclaveService, project_id: int) -> Path:
    return svc.settings.reports_dir / f"project-{project_id}"


def deliver_linkage_map(svc: EnclaveService, linkage_unit: LinkageUnitRole, project_id: int, actor: str) -> dict:
    """Have the linkage unit link the project's match keys; the enclave receives the sealed map.

    Returns:
        The linkage quality report (aggregate counts only).

    Raises:
        Conflict: The project is not approved and waiting for data.
    """
    with svc.session() as session:
        state = _project(session, project_id).state
    if state is not ProjectState.approved:
        raise Conflict(text("projects.wrong_state", state=state.value))
    run, sealed = linkage_unit.run_linkage(project_id, svc.keys.sealing_public_key, actor=actor)
    quality = json.loads(run.quality)
    opened = open_package(sealed, svc.keys.sealing_key, enclave_trusted_signers(svc.settings),
                          source="linkage map").expect("linkage_map", "linkage map")
    with svc.session() as session:
        svc.put_object(session, f"projects/{project_id}/linkage-map", opened.payload, project_key_id(project_id))
        svc.audit.record(session, actor=actor, action="combination.receive_map", object_type="project",
                         object_id=project_id, rows=opened.manifest.row_count,
                         package_sha256=hashlib.sha256(sealed).hexdigest())
    from linkage.quality import QualityReport

    folder = _reports_dir(svc, project_id)
    atomic_write(folder / "linkage-quality.json", json.dumps(quality, indent=1, ensure_ascii=False).encode(),
                 mode=0o640)
    atomic_write(folder / "linkage-quality.html", QualityReport.from_dict(quality).to_html().encode("utf-8"),
                 mode=0o640)
    return quality


def combine_project(svc: EnclaveService, project_id: int, actor: str) -> LinkedDataset:
    """Join every agency's content through the linkage map, with project pseudonyms.

    Raises:
        NotFound: No linkage map yet, or an agency's content is missing.
    """
    key_id = project_key_id(project_id)
    with svc.session() as session:
        project = _project(session, project_id)
        if project.state is not ProjectState.approved:
            raise Conflict(text("projects.wrong_state", state=project.state.value))
        rows = list(session.scalars(select(Submission).where(Submission.project_id == project_id)
                                    .order_by(Submission.id)))
        latest = {r.agency_code: r for r in rows}
        missing = sorted(set(project.agency_codes) - set(latest))
        if missing:
            raise NotFound(text("provisioning.missing_content", agencies=", ".join(missing)))
        if not svc.store.exists(f"projects/{project_id}/linkage-map"):
            raise NotFound(text("provisioning.no_map"))
        contents = {agency: _read_parquet(svc.get_object(session, r.object_id, key_id))
                    for agency, r in latest.items()}
        linkage_map = _read_parquet(svc.get_object(session, f"projects/{project_id}/linkage-map", key_id))
        pseudonym_key = svc.keyring.unwrap(session, project_key_id(project_id, "pseudonym"))
        combined = combine_submissions(contents, linkage_map, pseudonym_key, project.keep_unlinked)
        dataset = _store_dataset(svc, session, project_id, "combined", combined, actor, policy_hash="")
        svc.audit.record(session, actor=actor, action="combination.combine", object_type="project",
                         object_id=project_id, dataset=dataset.id, rows=dataset.row_count,
                         agencies=len(contents), keep_unlinked=project.keep_unlinked)
        return dataset


def _store_dataset(svc: EnclaveService, session: Session, project_id: int, stage: str,
                   table: pa.Table | pd.DataFrame, actor: str, policy_hash: str) -> LinkedDataset:
    data = _parquet(table)
    columns = list(table.column_names if isinstance(table, pa.Table) else table.columns)
    count = table.num_rows if isinstance(table, pa.Table) else len(table)
    dataset = LinkedDataset(project_id=project_id, stage=stage, object_id="", row_count=count,
                            columns=json.dumps([str(c) for c in columns]), policy_hash=policy_hash,
                            created_by=actor)
    session.add(dataset)
    session.flush()
    dataset.object_id = f"projects/{project_id}/linked/{stage}-{dataset.id}"
    svc.put_object(session, dataset.object_id, data, project_key_id(project_id))
    return dataset


def _latest(session: Session, project_id: int, stage: str) -> LinkedDataset | None:
    return session.scalar(select(LinkedDataset).where(LinkedDataset.project_id == project_id,
                                                      LinkedDataset.stage == stage)
                          .order_by(LinkedDataset.id.desc()).limit(1))


def policy_path(svc: EnclaveService, project_id: int) -> Path:
    """The project's own pseudonymization policy, or the default one."""
    folder = svc.settings.policies_dir / "pseudonymization"
    own = folder / f"project-{project_id}.yaml"
    return own if own.exists() else folder / DEFAULT_POLICY


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

    The lattice search meets k, l, t and prosecutor risk by construction; an
    attack risk above the limit is answered by coarser classes, as stage 4-6
    prescribes (process further until the thresholds hold).
    """
    return (k, 2 * k, 4 * k, 8 * k)


def _process_and_attack(frame: pd.DataFrame, policy: Policy, pseudonym_key: bytes, n_attacks: int,
                        seed: int) -> tuple[AnonymizationResult, AttackResults]:
    result = anonymize(frame, policy, pseudonym_key=pseudonym_key)
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
    # Inference attacks are cheap and get enough attacks for tight intervals on
    # binary attributes; linkability (nearest neighbours per agency) gets the base number.
    cheap = run_attacks(train, released, control, policy, n_attacks=4 * n_attacks, seed=seed,
                        attacks=("inference",))
    costly = run_attacks(train, released, control, policy, n_attacks=n_attacks, seed=seed,
                         attacks=("linkability",))
    return result, dataclasses.replace(cheap, risks=costly.risks + cheap.risks)


def review_risk(svc: EnclaveService, project_id: int, actor: str, *, n_attacks: int = 100,
                seed: int = 0) -> RiskReview:
    """Pseudonymize, process until the thresholds hold, attack, and report.

    Args:
        svc: The open enclave.
        project_id: The project.
        actor: Who runs the processing; the approving steward must be someone else.
        n_attacks: anonymeter attacks per evaluation.
        seed: Seed of the split and the attacks, so figures are reproducible.

    Returns:
        A pending risk review with its report written to the reports folder.

    Raises:
        InputError: The policy does not fit the data (every problem listed),
            or no transformation meets the thresholds within the suppression budget.
    """
    with svc.session() as session:
        combined = _latest(session, project_id, "combined")
        if combined is None:
            raise NotFound(text("provisioning.not_combined"))
        key_id = project_key_id(project_id)
        frame = _read_parquet(svc.get_object(session, combined.object_id, key_id)).to_pandas()
        pseudonym_key = svc.keyring.unwrap(session, project_key_id(project_id, "pseudonym"))
    path = policy_path(svc, project_id)
    try:
        policy = load_policy(path)
        frame = _canonical_order(_fill_absent(frame, policy))
        policy.validate(frame)
        rounds = 0
        for k in _escalating_k(policy.thresholds.k):
            # Stricter rounds keep the policy's own hash: they are decisions under it.
            strict = dataclasses.replace(policy, thresholds=dataclasses.replace(policy.thresholds, k=k),
                                         base_hash=policy.content_hash)
            try:
                result, attacks = _process_and_attack(frame, strict, pseudonym_key, n_attacks, seed)
            except AnonymizationError:
                if rounds == 0:
                    raise
                break  # coarser classes are out of reach: the last round's report stands
            rounds += 1
            report = build_risk_report(strict, ran_by=actor, anonymization=result, attacks=attacks)
            if report.meets_thresholds:
                break
    except PrivacyError as error:
        svc.record_event(actor=actor, action="privacy.review", object_type="project", object_id=project_id,
                         outcome="failed", reason=type(error).__name__)
        raise InputError(str(error)) from None
    folder = _reports_dir(svc, project_id)
    with svc.session() as session:
        dataset = _store_dataset(svc, session, project_id, "processed", result.data, actor, policy.content_hash)
        html_path = folder / f"risk-report-{dataset.id}.html"
        atomic_write(html_path, report.to_html().encode("utf-8"), mode=0o640)
        atomic_write(folder / f"risk-report-{dataset.id}.json", report.to_json().encode("utf-8"), mode=0o640)
        review = RiskReview(project_id=project_id, dataset_id=dataset.id, report_path=str(html_path),
                            report_hash=report.content_hash, policy_hash=policy.content_hash,
                            meets_thresholds=report.meets_thresholds,
                            summary=json.dumps({"summary": report.summary, "findings": list(report.findings),
                                                "levels": result.levels, "rows": len(result.data),
                                                "k_applied": report.thresholds.get("k"), "rounds": rounds},
                                               ensure_ascii=False),
                            ran_by=actor)
        session.add(review)
        session.flush()
        svc.audit.record(session, actor=actor, action="privacy.review", object_type="project",
                         object_id=project_id, review=review.id, policy_hash=policy.content_hash,
                         report_hash=report.content_hash, meets_thresholds=report.meets_thresholds,
                         rows=len(result.data))
        return review


def latest_review(session: Session, project_id: int) -> RiskReview | None:
    """The newest risk review of a project."""
    return session.scalar(select(RiskReview).where(RiskReview.project_id == project_id)
                          .order_by(RiskReview.id.desc()).limit(1))


def decide_adequacy(svc: EnclaveService, session: Session, review_id: int, steward: User, decision: str,
                    comment: str = "") -> RiskReview:
    """A steward approves or returns a risk review (적정성 검토).

    Approval needs a report that meets every threshold, and a steward who
    neither ran the processing nor belongs to the project. Approval moves the
    project to ``provisioned``.

    Raises:
        PermissionDenied: Not an independent steward.
        Conflict: Already decided (a second click).
        InputError: Approving a report that fails its thresholds; returning without a comment.
    """
    review = session.get(RiskReview, review_id)
    if review is None:
        raise NotFound(text("provisioning.no_review"))
    project = _project(session, review.project_id)
    if steward.role is not Role.steward or not steward_may_decide(steward, project):
        raise PermissionDenied(text("projects.conflict_of_interest"))
    try:
        check_reviewer_independence(review.ran_by, steward.username)
    except PrivacyError as error:
        raise PermissionDenied(str(error)) from None
    if review.state is not ReviewState.pending:
        raise Conflict(text("projects.already_decided", decision=review.state.value))
    if decision not in ("approve", "return"):
        raise InputError(text("provisioning.bad_decision"))
    if decision == "approve" and not review.meets_thresholds:
        raise InputError(text("provisioning.fails_thresholds"))
    if decision == "return" and not comment.strip():
        raise InputError(text("projects.comment_required"))
    review.state = ReviewState.approved if decision == "approve" else ReviewState.returned
    review.reviewer = steward.username
    review.comment = comment.strip()
    review.decided_at = utcnow()
    svc.audit.record(session, actor=steward.username, action="privacy.adequacy", object_type="project",
                     object_id=project.id, review=review.id, decision=review.state.value,
                     policy_hash=review.policy_hash, report_hash=review.report_hash)
    if review.state is ReviewState.approved and project.state is ProjectState.approved:
        move_project(svc, session, project, ProjectState.provisioned, steward.username)
    return review


def read_project_dataset(svc: EnclaveService, session: Session, project_id: int) -> pd.DataFrame:
    """The approved, processed dataset of a project: what its researchers may use.

    Raises:
        NotFound: No approved dataset (or the project is gone).
    """
    review = session.scalar(select(RiskReview).where(RiskReview.project_id == project_id,
                                                     RiskReview.state == ReviewState.approved)
                            .order_by(RiskReview.id.desc()).limit(1))
    if review is None:
        raise NotFound(text("provisioning.no_approved"))
    dataset = session.get(LinkedDataset, review.dataset_id)
    assert dataset is not None
    frame = _read_parquet(svc.get_object(session, dataset.object_id, project_key_id(project_id))).to_pandas()
    svc.audit.record(session, actor="system", action="data.read", object_type="project", object_id=project_id,
                     dataset=dataset.id, rows=len(frame))
    return frame


def build_project_replica(svc: EnclaveService, project_id: int, actor: str, *, n_attacks: int = 200,
                          seed: int = 0) -> SyntheticReplica:
    """Fit a synthetic replica of the approved data and measure its risk with anonymeter."""
    with svc.session() as session:
        frame = read_project_dataset(svc, session, project_id)
    policy = load_policy(policy_path(svc, project_id))
    pseudonym_columns = [c for c in frame.columns if c == "pseudonym"]
    try:
        result = build_replica(frame.drop(columns=pseudonym_columns), policy, seed=seed, n_attacks=n_attacks)
    except PrivacyError as error:
        raise InputError(str(error)) from None
    with svc.session() as session:
        replica = SyntheticReplica(project_id=project_id, object_id="", summary=json.dumps(result.to_dict()),
                                   may_release=result.may_release, ran_by=actor)
        session.add(replica)
        session.flush()
        replica.object_id = f"projects/{project_id}/replicas/{replica.id}"
        svc.put_object(session, replica.object_id, _parquet(result.data), project_key_id(project_id))
        svc.audit.record(session, actor=actor, action="privacy.replica", object_type="project",
                         object_id=project_id, replica=replica.id, may_release=result.may_release,
                         quality=round(result.quality_score, 4))
        return replica


def decide_replica(svc: EnclaveService, session: Session, replica_id: int, steward: User, decision: str) -> Path | None:
    """A steward releases a replica (only if its measured risk allows) or returns it.

    Returns:
        The released CSV's path, or ``None`` when returned.
    """
    replica = session.get(SyntheticReplica, replica_id)
    if replica is None:
        raise NotFound(text("provisioning.no_review"))
    project = _project(session, replica.project_id)
    independent = steward_may_decide(steward, project) and steward.username != replica.ran_by
    if steward.role is not Role.steward or not independent:
        raise PermissionDenied(text("projects.conflict_of_interest"))
    if replica.state is not ReviewState.pending:
        raise Conflict(text("projects.already_decided", decision=replica.state.value))
    if decision == "approve" and not replica.may_release:
        raise InputError(text("provisioning.replica_risky"))
    replica.state = ReviewState.approved if decision == "approve" else ReviewState.returned
    replica.reviewer = steward.username
    replica.decided_at = utcnow()
    path = None
    if replica.state is ReviewState.approved:
        data = _read_parquet(svc.get_object(session, replica.object_id, project_key_id(project.id))).to_pandas()
        path = svc.settings.releases_dir / f"project-{project.id}" / f"synthetic-replica-{replica.id}.csv"
        atomic_write(path, data.to_csv(index=False).encode("utf-8"), mode=0o640)
    svc.audit.record(session, actor=steward.username, action="privacy.replica_decision", object_type="project",
                     object_id=project.id, replica=replica.id, decision=replica.state.value)
    return path
