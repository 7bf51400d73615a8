"""The whole six-stage journey, end to end, on the backend under test.

One run of the demo journey on a small population is shared by the tests in
this module: it is the integration test of every role and stage, and the
tests below check what a person would check afterwards.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select

from enclave.db.models import DataKey, ExportRequest, Project, ProjectState, RiskReview, User
from enclave.demo import DemoResult, run_demo
from enclave.errors import KeyShredded, NotFound
from enclave.keys import project_key_id
from enclave.service import EnclaveService, open_enclave
from enclave.settings import load_settings

pytestmark = pytest.mark.slow


@dataclass
class Journey:
    result: DemoResult
    svc: EnclaveService


@pytest.fixture(scope="module")
def journey() -> Iterator[Journey]:
    import os

    from tests.conftest import PG_URL, _reset_postgres, passable_folder

    workspace = passable_folder("journey")
    database_url = None
    if PG_URL.startswith("postgresql"):
        _reset_postgres(PG_URL)
        database_url = PG_URL
    del os
    result = run_demo(workspace, echo=lambda line: None, persons=1500, database_url=database_url)
    svc = open_enclave(load_settings(environ={}, mode="development", data_dir=str(result.data_dir),
                                     database_url=result.database_url))
    yield Journey(result, svc)
    svc.close()


def test_every_stage_reports_what_it_did(journey: Journey) -> None:
    text = "\n".join(journey.result.steps)
    for stage in ("stage 1-2", "stages 1 and 3", "stage 4-1", "stage 4-4", "stage 4-6", "stage 5-1",
                  "stage 5-2", "provision", "stage 6-2", "audit log verified"):
        assert stage in text


def test_enclave_store_holds_no_identifier_of_the_synthetic_agencies(journey: Journey) -> None:
    workspace = journey.result.workspace
    sources = [pd.read_csv(p, dtype=str) for p in (workspace / "agencies" / "shared" / "synthetic").glob("*.csv")
               if p.name != "ground_truth.csv"]
    identifiers: set[str] = set()
    for frame in sources:
        for column in ("name", "rrn", "phone", "family_name", "given_name", "address"):
            if column in frame:
                identifiers.update(v for v in frame[column].dropna() if len(v) >= 6)
    assert len(identifiers) > 100
    svc = journey.svc
    with svc.session() as session:
        project_id = journey.result.project_id
        assert project_id is not None
        key = project_key_id(project_id)
        stored = []
        for path in sorted(svc.store.root.rglob("*.enc")):
            object_id = str(path.relative_to(svc.store.root))[: -len(".enc")]
            if object_id.startswith(f"projects/{project_id}/"):
                stored.append(svc.get_object(session, object_id, key))
    blob = b"\n".join(stored)
    leaked = [value for value in identifiers if value.encode("utf-8") in blob]
    assert leaked == []


def test_release_package_holds_only_approved_outputs_and_verifies(journey: Journey) -> None:
    from export_review import load_public_key, verify_release_package

    path = journey.result.release_package
    assert path is not None and path.exists()
    verified = verify_release_package(path.read_bytes(), load_public_key(journey.svc.keys.signing_public_pem()))
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    with journey.svc.session() as session:
        request = session.scalars(select(ExportRequest)).first()
        assert request is not None and request.state == "released"
        approved = {o.name for o in request.outputs if o.outcome == "approved"}
        failing = {o.name for o in request.outputs if o.check_status == "fail"}
    assert failing, "the demo's disclosive table must fail the server-side check"
    assert approved and not (approved & failing)
    assert verified is not None
    names = json.dumps(manifest)
    for name in failing:
        assert name not in {f.get("output") for f in manifest.get("files", []) if isinstance(f, dict)}
    assert "safe_table" in names and "regression" in names


def test_tampered_release_package_is_detected(journey: Journey) -> None:
    from export_review import VerificationError, load_public_key, verify_release_package

    path = journey.result.release_package
    assert path is not None
    source = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.endswith(".csv"):
                data = data.replace(b"1", b"2", 1)
            out.writestr(item, data)
    with pytest.raises(VerificationError):
        verify_release_package(buffer.getvalue(), load_public_key(journey.svc.keys.signing_public_pem()))


def test_adequacy_was_approved_by_someone_other_than_who_ran_it(journey: Journey) -> None:
    with journey.svc.session() as session:
        review = session.scalars(select(RiskReview)).first()
        assert review is not None
        assert review.reviewer and review.reviewer != review.ran_by
        assert review.meets_thresholds
        events = journey.svc.audit.query(session, action="privacy.adequacy")
    assert events and events[0].details["policy_hash"] == review.policy_hash


def test_destroyed_project_cannot_be_decrypted_and_has_a_valid_certificate(journey: Journey) -> None:
    from enclave.destruction import verify_destruction_certificate

    project_id = journey.result.destroyed_project_id
    assert project_id is not None
    svc = journey.svc
    with svc.session() as session:
        project = session.get(Project, project_id)
        assert project is not None and project.state is ProjectState.destroyed
        for purpose in ("data", "pseudonym"):
            row = session.get(DataKey, project_key_id(project_id, purpose))
            assert row is not None and row.wrapped is None
            with pytest.raises(KeyShredded):
                svc.keyring.unwrap(session, project_key_id(project_id, purpose))
    assert not any(svc.store.root.joinpath("projects", str(project_id)).rglob("*.enc"))
    assert not (svc.settings.linkage_unit_dir / "store" / f"project-{project_id}").exists()
    certificate = json.loads(Path(journey.result.certificate or "").read_text())
    body = certificate["body"]
    assert json.loads(body)["project"] == project_id
    assert verify_destruction_certificate(body, certificate["signature"], svc.keys.signing_public_key)
    forged = body.replace(f'"project":{project_id}', f'"project":{project_id + 1}')
    assert forged != body
    assert not verify_destruction_certificate(forged, certificate["signature"], svc.keys.signing_public_key)


def test_researcher_cannot_reach_another_project(journey: Journey) -> None:
    from enclave.projects import projects_for, require_project_access
    from enclave.users import add_user

    svc = journey.svc
    project_id = journey.result.project_id
    assert project_id is not None
    with svc.session() as session:
        # Every demo researcher is on every demo project, so the outsider is a researcher of their own.
        outsider = add_user(svc, session, username="journey-outsider", role="researcher",
                            password="outsider-password-1", actor="demo-admin").user
        member = session.scalars(select(User).where(User.username == "demo-researcher")).one()
        assert member.role is outsider.role
        assert require_project_access(session, member, project_id).id == project_id
        with pytest.raises(NotFound):
            require_project_access(session, outsider, project_id)
        assert project_id in {p.id for p in projects_for(session, member)}
        assert projects_for(session, outsider) == []
        session.rollback()


def test_audit_log_recorded_each_stage(journey: Journey) -> None:
    with journey.svc.session() as session:
        actions = {e.action for e in journey.svc.audit.query(session, limit=10_000)}
    for action in ("agency.register", "catalog.register",
                   "project.apply", "project.decide.agency", "project.decide.steward", "intake.upload",
                   "linkage_unit.receive", "linkage_unit.link", "combination.combine", "privacy.review",
                   "privacy.adequacy", "export.submit", "export.vote", "export.release", "project.destroy",
                   "linkage_unit.destroy"):
        assert action in actions, action


def test_risk_review_figures_reproduce_for_a_seed(journey: Journey) -> None:
    from enclave.combination import review_risk

    project_id = journey.result.project_id
    assert project_id is not None
    reports = []
    for _ in range(2):
        review = review_risk(journey.svc, project_id, "demo-admin", seed=11)
        report = json.loads(Path(review.report_path.replace(".html", ".json")).read_text())
        reports.append((report["risk_after"], report["attacks"], report["levels"], report["policy_hash"]))
    assert reports[0] == reports[1]


def test_the_demo_imports_nothing_below_the_public_interfaces() -> None:
    import ast
    import sys

    import enclave.demo

    allowed_own = {"enclave.demo"}
    for path in Path(enclave.demo.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top in ("__future__", "requests"):
                    continue
                assert any(name == a or name.startswith(a + ".") for a in allowed_own), (path.name, name)


def test_the_demo_provides_one_dataset_without_any_linkage(journey: Journey) -> None:
    project_id = journey.result.provided_project_id
    assert project_id is not None
    with journey.svc.session() as session:
        events = journey.svc.audit.query(session, limit=10_000)
    mine = [e for e in events if e.object_type == "project" and str(e.object_id) == str(project_id)]
    actions = {e.action for e in mine}
    assert "combination.provide" in actions
    assert not actions & {"linkage_unit.receive", "linkage_unit.link", "combination.combine"}
