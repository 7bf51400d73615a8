"""The demo journey: a fresh workspace walked through all six stages.

Everything the demo prints is something it did; every figure in its summary
is read back from what it stored. The journey runs through the same domain
functions the web pages and the API call.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from enclave.bootstrap import initialize_enclave
from enclave.combination import combine_project, decide_adequacy, deliver_linkage_map, review_risk
from enclave.db.models import Dataset, Decision, ExportRequest, Project, Role, User
from enclave.demo.agencies import AGENCIES, prepare_agencies, register_catalog, submit_packages
from enclave.demo.analysis import run_example_analysis
from enclave.destruction import certificate_path, destroy_project
from enclave.exports import cast_vote, release_path
from enclave.projects import (
    activate_project,
    apply_for_project,
    close_project,
    decide_agency_part,
    decide_as_steward,
)
from enclave.service import EnclaveService, open_enclave, open_linkage_unit
from enclave.settings import Settings, load_settings
from enclave.store import atomic_write
from enclave.users import add_user, encode_secret

__all__ = ["DEMO_USERS", "DemoResult", "DemoUser", "demo_settings", "run_demo"]


@dataclass(frozen=True)
class DemoUser:
    """A demo account."""

    username: str
    role: Role
    display_name: str
    agency_code: str | None = None


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("demo-admin", Role.admin, "Demo administrator"),
    DemoUser("demo-steward-1", Role.steward, "Demo steward 1 (데이터 심사자)"),
    DemoUser("demo-steward-2", Role.steward, "Demo steward 2 (데이터 심사자)"),
    DemoUser("demo-researcher", Role.researcher, "Demo researcher (연구자)"),
    DemoUser("demo-researcher-2", Role.researcher, "Second demo researcher"),
    DemoUser("agency-welfare", Role.agency, "Welfare registry (사회보장정보원)", "welfare"),
    DemoUser("agency-health", Role.agency, "Health registry (건강보험)", "health"),
    DemoUser("agency-employment", Role.agency, "Employment registry (고용정보원)", "employment"),
)


@dataclass
class DemoResult:
    """What the demo did, for its summary."""

    workspace: Path
    settings: Settings
    credentials_file: Path
    steps: list[str] = field(default_factory=list)
    secrets: dict[str, tuple[str, bytes | None]] = field(default_factory=dict, repr=False)
    project_id: int | None = None
    destroyed_project_id: int | None = None
    release_package: Path | None = None
    risk_report: Path | None = None
    linkage_report: Path | None = None
    certificate: Path | None = None
    seconds: float = 0.0


def demo_settings(workspace: Path) -> Settings:
    """Settings of a self-contained demo workspace (SQLite, local data folder)."""
    return load_settings(
        environ={},
        mode="development",
        data_dir=str(workspace / "data"),
        database_url=f"sqlite:///{workspace / 'data' / 'enclave.db'}",
    )


def _create_users(svc: EnclaveService, result: DemoResult) -> None:
    lines = ["# Demo credentials. Demo only: delete this workspace when done.", ""]
    with svc.session() as session:
        for demo in DEMO_USERS:
            password = secrets.token_urlsafe(12)
            new = add_user(svc, session, username=demo.username, role=demo.role, password=password,
                           actor="demo", display_name=demo.display_name, agency_code=demo.agency_code)
            result.secrets[demo.username] = (password, new.totp_secret)
            line = f"{demo.username:<20} role={demo.role.value:<10} password={password}"
            if new.totp_secret is not None:
                line += f" totp_secret={encode_secret(new.totp_secret)}"
            lines.append(line)
    atomic_write(result.credentials_file, ("\n".join(lines) + "\n").encode(), mode=0o600)


def _users(svc: EnclaveService) -> dict[str, User]:
    with svc.session() as session:
        return {u.username: u for u in session.scalars(select(User))}


def run_demo(
    workspace: Path,
    *,
    echo: Callable[[str], None] = print,
    fresh: bool = True,
    persons: int = 3000,
    seed: int = 20261122,
    settings: Settings | None = None,
) -> DemoResult:
    """Create a fresh demo workspace and walk it through the whole journey.

    Args:
        workspace: Folder of the demo; replaced when ``fresh``.
        echo: Where progress lines go.
        fresh: Remove an earlier demo workspace first.
        persons: Size of the synthetic population the agencies draw from.
        seed: Seed of the synthetic data and of every random figure.
        settings: Run against these settings instead of the workspace's own
            SQLite database and data folder (the tests use it for PostgreSQL).

    Returns:
        What was done, and where its reports and packages are.
    """
    started = time.monotonic()
    workspace = workspace.resolve()
    if fresh and workspace.exists():
        shutil.rmtree(workspace)
    workspace.mkdir(parents=True, exist_ok=True)
    settings = settings or demo_settings(workspace)
    result = DemoResult(workspace=workspace, settings=settings,
                        credentials_file=workspace / "demo-credentials.txt")

    def step(line: str) -> None:
        result.steps.append(line)
        echo(line)

    report = initialize_enclave(settings)
    step(f"stage 6-1: initialized the enclave (encrypted data folder, key file 0600, audit log) "
         f"in {settings.data_dir}, database {report.database}")
    svc = open_enclave(settings)
    linkage_unit = open_linkage_unit(settings, svc)
    try:
        _create_users(svc, result)
        users = _users(svc)
        step(f"created {len(DEMO_USERS)} demo users for every role; credentials in {result.credentials_file}")

        agencies, linkage_secret = prepare_agencies(svc, workspace, persons, seed)
        with svc.session() as session:
            datasets = register_catalog(svc, session, users)
        step(f"stage 1-2: three agencies registered signing keys and described {len(datasets)} datasets "
             f"in the catalog ({', '.join(AGENCIES)})")

        project_id = _apply_and_approve(svc, users, datasets, title="Benefit take-up, health and work (demo)")
        result.project_id = project_id
        step(f"stages 1 and 3: project {project_id} applied for by demo-researcher, approved by "
             f"{len(AGENCIES)} agencies for their parts and by demo-steward-1")

        received = submit_packages(svc, linkage_unit, agencies, users, linkage_secret, project_id)
        to_lu = sum(r.received_by == "linkage-unit" for r in received)
        step(f"stage 4-1..4-3: each agency normalized identifiers, derived match keys and uploaded two sealed "
             f"packages: {to_lu} to the linkage unit (match keys only), {len(received) - to_lu} to the enclave "
             f"(content only)")

        quality = deliver_linkage_map(svc, linkage_unit, project_id, actor="linkage-unit")
        result.linkage_report = settings.reports_dir / f"project-{project_id}" / "linkage-quality.html"
        linked = _linked_count(quality)
        step(f"stage 4-4: the linkage unit linked pass by pass (one-to-one only) and sealed the linkage map "
             f"to the enclave: {linked}; quality report {result.linkage_report}")

        combined = combine_project(svc, project_id, actor="demo-admin")
        step(f"stage 4-4/4-5: the enclave combined the content through the map into {combined.row_count} rows "
             f"with project pseudonyms")

        review = review_risk(svc, project_id, actor="demo-admin", seed=seed)
        result.risk_report = Path(review.report_path)
        summary = json.loads(review.summary)
        step(f"stage 4-6: pseudonymization policy applied and additional processing searched the lattice: "
             f"{summary['rows']} rows, levels {summary['levels']}; "
             f"{'meets' if review.meets_thresholds else 'does NOT meet'} the thresholds; "
             f"report {result.risk_report}")

        with svc.session() as session:
            steward = session.get(User, users["demo-steward-1"].id)
            decide_adequacy(svc, session, review.id, steward, "approve")
            project = session.get(Project, project_id)
            activate_project(svc, session, project, session.get(User, users["demo-steward-2"].id))
        step("stage 4-6 adequacy review (적정성 검토): demo-steward-1 approved the report (demo-admin ran it); "
             "demo-steward-2 opened the workspace")

        analysis = run_example_analysis(svc, users["demo-researcher"], project_id)
        step(f"stage 5-1/5-4: the example analysis ran as demo-researcher ({analysis.how}) and submitted "
             f"{analysis.outputs} outputs in export request {analysis.request_id}; the server re-checked them: "
             f"{analysis.failing} failing ({', '.join(analysis.failing_names) or 'none'})")

        result.release_package = _review_and_release(svc, users, analysis.request_id)
        step(f"stage 5-2/5-3: two stewards reviewed each output blind; approved outputs were released in a "
             f"signed package {result.release_package}, verified with the enclave's public key")

        second = _apply_and_approve(svc, users, datasets, title="Finished pilot study (demo)", only=("welfare",))
        with svc.session() as session:
            close_project(svc, session, session.get(Project, second), session.get(User, users["demo-researcher"].id))
        certificate = destroy_project(svc, linkage_unit, second, users["demo-steward-2"])
        result.destroyed_project_id = second
        result.certificate = certificate_path(svc, second)
        step(f"stage 6-2: project {second} closed and destroyed: keys shredded, data deleted, certificate "
             f"signed by the enclave ({result.certificate}, {len(certificate.signature)} base64 chars)")

        with svc.session() as session:
            count = svc.audit.verify(session)
        step(f"audit log verified: {count} events, hash chain and MACs intact")
    finally:
        linkage_unit.close()
        svc.close()
    result.seconds = time.monotonic() - started
    return result


def _linked_count(quality: dict[str, object]) -> str:
    passes = quality.get("passes")
    records = quality.get("records")
    if not isinstance(passes, list) or not isinstance(records, dict):
        return "see the quality report"
    links = sum(int(p.get("links", 0)) for p in passes if isinstance(p, dict))
    ambiguous = sum(int(p.get(k, 0)) for p in passes if isinstance(p, dict)
                    for k in ("ambiguous_duplicate", "ambiguous_conflict", "ambiguous_multiple"))
    return (f"{links} one-to-one links over {len(passes)} passes among {sum(records.values())} records, "
            f"{ambiguous} ambiguous candidates left unlinked")


def _apply_and_approve(svc: EnclaveService, users: dict[str, User], datasets: dict[str, Dataset], *, title: str,
                       only: tuple[str, ...] = AGENCIES) -> int:
    with svc.session() as session:
        researcher = session.get(User, users["demo-researcher"].id)
        requests = {}
        for code in only:
            dataset = session.get(Dataset, datasets[code].id)
            assert dataset is not None
            requests[dataset.id] = [v.name for v in dataset.variables]
        project = apply_for_project(
            svc, session, researcher, title=title,
            purpose="Study how benefit take-up relates to health care use and employment (demo).",
            analysis_plan="Cross-tabulations by household type and region; regression of health care use.",
            retention_end=dt.date.today() + dt.timedelta(days=365), requests=requests,
            team=["demo-researcher-2"], keep_unlinked=False)
        for code in only:
            decide_agency_part(svc, session, project, session.get(User, users[f"agency-{code}"].id),
                               Decision.approved)
        decide_as_steward(svc, session, project, session.get(User, users["demo-steward-1"].id), Decision.approved)
        return project.id


def _review_and_release(svc: EnclaveService, users: dict[str, User], request_id: int) -> Path:
    from export_review import load_public_key, verify_release_package

    with svc.session() as session:
        request = session.get(ExportRequest, request_id)
        assert request is not None
        for steward_name in ("demo-steward-1", "demo-steward-2"):
            steward = session.get(User, users[steward_name].id)
            for output in request.outputs:
                if output.check_status == "fail":
                    cast_vote(svc, session, output.id, steward, "reject")
                elif output.check_status == "review":
                    cast_vote(svc, session, output.id, steward, "approve",
                              "Checked by hand: flagged values are not disclosive here.")
                else:
                    cast_vote(svc, session, output.id, steward, "approve")
        session.refresh(request)
        path = release_path(svc, request)
    verify_release_package(path.read_bytes(), load_public_key(svc.keys.signing_public_pem()))
    return path
