"""Workspace provisioning: the project's data read-only, outputs, notebooks, and nothing of the enclave."""

from __future__ import annotations

import json
import stat

import pandas as pd
import pytest
from sqlalchemy import select

from enclave.db.models import AuditEvent
from enclave.errors import NotFound
from enclave.hub import clear_workspace_data, provision_workspace, remove_project_workspaces, workspace_root
from enclave.service import EnclaveService
from enclave.users import find_user
from tests.enclave.hub.conftest import Room, add_project, enclave_secrets, make_study_frame


def _provision(svc: EnclaveService, project_id: int, username: str):  # type: ignore[no-untyped-def]
    with svc.session() as session:
        return provision_workspace(svc, session, project_id, username)


def test_dataset_is_written_read_only_with_every_record(room: Room) -> None:
    svc, study_frame = room.svc, make_study_frame()
    workspace = _provision(svc, room.people.alpha, "alice-1")
    assert workspace.root == svc.settings.data_dir / "workspaces" / str(room.people.alpha) / "alice-1"
    assert stat.S_IMODE(workspace.data_file.stat().st_mode) == 0o444
    assert stat.S_IMODE(workspace.data_file.parent.stat().st_mode) == 0o555
    pd.testing.assert_frame_equal(pd.read_parquet(workspace.data_file), study_frame)
    assert workspace.outputs_dir.is_dir()
    assert {"welcome.ipynb", "example_analysis.ipynb"} <= {p.name for p in workspace.root.glob("*.ipynb")}


def test_provisioning_again_replaces_the_read_only_copy(room: Room) -> None:
    _provision(room.svc, room.people.alpha, "alice-2")
    workspace = _provision(room.svc, room.people.alpha, "alice-2")
    assert workspace.row_count == 300
    assert [p.name for p in workspace.data_file.parent.iterdir()] == ["linked.parquet"]


def test_edited_notebook_is_not_overwritten(room: Room) -> None:
    workspace = _provision(room.svc, room.people.alpha, "alice-3")
    (workspace.root / "welcome.ipynb").write_text("my edits")
    _provision(room.svc, room.people.alpha, "alice-3")
    assert (workspace.root / "welcome.ipynb").read_text() == "my edits"


def test_provision_audit_names_counts_and_columns_not_values(room: Room) -> None:
    svc, study_frame = room.svc, make_study_frame()
    _provision(svc, room.people.alpha, "alice-4")
    with svc.session() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "hub.provision",
                                                         AuditEvent.actor == "alice-4")).one()
    details = json.loads(event.details)
    assert details["rows"] == 300 and "pseudonym" in details["columns"]
    assert not any(str(value) in event.details for value in study_frame["pseudonym"])


def test_workspace_holds_no_enclave_secret_or_location(room: Room) -> None:
    svc = room.svc
    workspace = _provision(svc, room.people.alpha, "alice-5")
    forbidden = enclave_secrets(svc)
    for path in workspace.root.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            for marker in forbidden:
                assert marker not in content, path.name


def test_project_without_approved_dataset_is_not_provisioned(room: Room) -> None:
    svc = room.svc
    with svc.session() as session:
        alice = find_user(session, "alice")
    empty = add_project(svc, "No data yet", [alice], None)
    with pytest.raises(NotFound):
        _provision(svc, empty, "alice")
    assert not (workspace_root(svc.settings, empty, "alice") / "data").exists()


def test_stop_removes_the_decrypted_data_but_keeps_outputs(room: Room) -> None:
    workspace = _provision(room.svc, room.people.alpha, "alice-6")
    (workspace.outputs_dir / "table.csv").write_text("a,b\n")
    assert clear_workspace_data(workspace.root)
    assert not (workspace.root / "data").exists()
    assert (workspace.outputs_dir / "table.csv").exists()
    assert not clear_workspace_data(workspace.root)


def test_projects_workspaces_are_separate_and_removed_together(room: Room) -> None:
    svc = room.svc
    with svc.session() as session:
        alice = find_user(session, "alice")
    doomed = add_project(svc, "To be destroyed", [alice], make_study_frame(n=50, seed=3))
    first = _provision(svc, doomed, "alice-7")
    second = _provision(svc, doomed, "alice-8")
    beta = _provision(svc, room.people.beta, "bob-7")
    assert first.root.parent != beta.root.parent
    assert pd.read_parquet(beta.data_file)["pseudonym"].isin(pd.read_parquet(first.data_file)["pseudonym"]).sum() == 0
    assert remove_project_workspaces(svc.settings, doomed) == 2
    assert not first.root.exists() and not second.root.exists() and beta.root.exists()
