"""The example analysis runs headless as a researcher, as the demo runs it, and submits for export."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from enclave.db.models import ApiToken, AuditEvent, ExportRequest
from enclave.hub import WorkspaceRefused, run_workspace_notebook, workspace_root
from enclave.service import EnclaveService
from enclave.settings import Settings
from tests.enclave.hub.conftest import People, free_port, make_study_frame, serve_api

API_PORT = free_port()


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Kernels find the API at the settings' public URL.
    return settings.replace(public_url=f"http://127.0.0.1:{API_PORT}")


def test_example_analysis_submits_a_safe_table_a_disclosive_table_and_a_regression(
        svc: EnclaveService, enclave_people: People) -> None:
    with serve_api(svc, API_PORT):
        run = run_workspace_notebook(svc, "alice")
    assert run.project_id == enclave_people.alpha
    assert "export request" in run.printed
    with svc.session() as session:
        request = session.scalars(select(ExportRequest).where(ExportRequest.project_id == enclave_people.alpha)).one()
        checks = {o.name: o.check_status for o in request.outputs}
        assert request.author.username == "alice"
        assert checks["safe_table"] == "pass" and checks["disclosive_table"] == "fail" and "regression" in checks
        stop = session.scalars(select(AuditEvent).where(AuditEvent.action == "hub.stop")).one()
        spawn = session.scalars(select(AuditEvent).where(AuditEvent.action == "hub.spawn")).one()
        token = session.get(ApiToken, json.loads(spawn.details)["token_id"])
        assert token is not None and token.revoked_at is not None and token.scope == f"project:{enclave_people.alpha}"
        assert json.loads(stop.details)["data_removed"] is True
    assert not (workspace_root(svc.settings, enclave_people.alpha, "alice") / "data").exists()
    assert not any(p in run.printed for p in make_study_frame()["pseudonym"])


def test_researcher_without_active_project_cannot_run_a_notebook(svc: EnclaveService, enclave_people: People) -> None:
    with pytest.raises(WorkspaceRefused):
        run_workspace_notebook(svc, "carol")
    with svc.session() as session:
        denied = session.scalars(select(AuditEvent).where(AuditEvent.action == "hub.spawn")).one()
    assert denied.outcome == "denied" and denied.actor == "carol"
