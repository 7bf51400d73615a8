"""The example analysis runs headless as a researcher, as the demo runs it, and submits for export."""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest
from sqlalchemy import select

from enclave.db.models import ApiToken, AuditEvent, ExportRequest
from enclave.hub import NotebookFailed, WorkspaceRefused, run_workspace_notebook, workspace_root
from enclave.hub.accounts import _account_pids
from enclave.service import EnclaveService
from enclave.settings import Settings
from tests.conftest import needs_accounts
from tests.enclave.hub.conftest import REFUSED_CODE, People, free_port, make_study_frame, serve_api

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
        failing = {o.name: [r["rule"] for r in json.loads(o.checks)["results"] if r["status"] != "pass"]
                   for o in request.outputs}
        assert checks["safe_table"] == "pass" and checks["disclosive_table"] == "fail" and "regression" in checks, \
            failing
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


def _notebooks_with(folder: Path, name: str, *cells: str) -> Path:
    document = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    document.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    folder.mkdir(exist_ok=True)
    nbformat.write(document, folder / name)
    return folder


@needs_accounts
def test_headless_kernel_runs_as_the_workspace_account_and_cannot_read_the_enclave(
        svc: EnclaveService, enclave_people: People, tmp_path: Path) -> None:
    settings = svc.settings
    closed = [str(settings.key_file), str(settings.data_dir), str(settings.linkage_unit_dir)]
    assert all(os.path.exists(path) for path in closed)  # so a refusal is not a wrong path
    notebooks = _notebooks_with(tmp_path / "notebooks", "probe.ipynb", f"""
{REFUSED_CODE}print("RESULT", json.dumps({{"uid": os.getuid(), "gid": os.getgid(), "groups": os.getgroups(),
                            "refused": [refused(p) for p in {closed!r}],
                            "tmp": os.environ["TMPDIR"], "home": os.environ["HOME"]}}))
""")
    probe = EnclaveService(settings=settings.replace(notebooks_dir=notebooks), db=svc.db, keys=svc.keys)
    run = run_workspace_notebook(probe, "alice", "probe.ipynb")
    result = json.loads(run.printed.split("RESULT ", 1)[1].splitlines()[0])
    root = workspace_root(settings, enclave_people.alpha, "alice")
    assert result["uid"] == result["gid"] and result["uid"] > settings.hub_uid_base
    assert result["uid"] == root.stat().st_uid and result["groups"] in ([], [result["gid"]])
    assert result["refused"] == [True, True, True]
    assert result["home"] == str(root) and result["tmp"] == str(root / ".tmp")


def test_a_failing_cell_is_named_and_its_output_is_not_repeated(
        svc: EnclaveService, enclave_people: People, tmp_path: Path) -> None:
    notebooks = _notebooks_with(tmp_path / "notebooks", "fails.ipynb", "x = 1",
                                "raise ValueError('secret-looking value 900101-1234567')")
    failing = EnclaveService(settings=svc.settings.replace(notebooks_dir=notebooks), db=svc.db, keys=svc.keys)
    with pytest.raises(NotebookFailed) as raised:
        run_workspace_notebook(failing, "alice", "fails.ipynb")
    assert "cell 2" in str(raised.value) and "900101" not in str(raised.value)
    assert not (workspace_root(svc.settings, enclave_people.alpha, "alice") / "data").exists()


def test_only_a_notebook_of_the_workspace_can_be_run(svc: EnclaveService, enclave_people: People) -> None:
    with pytest.raises(NotebookFailed):
        run_workspace_notebook(svc, "alice", "../../data/enclave.db")


@needs_accounts
def test_what_a_notebook_leaves_running_ends_with_the_run(
        svc: EnclaveService, enclave_people: People, tmp_path: Path) -> None:
    notebooks = _notebooks_with(tmp_path / "notebooks", "daemon.ipynb", """
import os, subprocess, sys
# A daemon in its own session that ignores the polite signals, and a plain child.
stubborn = ("import signal, time\\n"
            "for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):\\n"
            "    signal.signal(s, signal.SIG_IGN)\\n"
            "time.sleep(600)")
subprocess.Popen([sys.executable, "-c", stubborn], start_new_session=True)
subprocess.Popen(["sleep", "600"])
print("RESULT", os.getuid())
""")
    runner = EnclaveService(settings=svc.settings.replace(notebooks_dir=notebooks), db=svc.db, keys=svc.keys)
    run = run_workspace_notebook(runner, "alice", "daemon.ipynb")
    uid = int(run.printed.split("RESULT ", 1)[1].split()[0])
    assert run.account is not None and uid == run.account.uid
    assert _account_pids(uid) == []
    with svc.session() as session:
        spawn = session.scalars(select(AuditEvent).where(AuditEvent.action == "hub.spawn")).one()
        token = session.get(ApiToken, json.loads(spawn.details)["token_id"])
        assert token is not None and token.revoked_at is not None


def test_run_notebook_command_runs_the_analysis_and_names_its_export_request_but_not_its_output(
        svc: EnclaveService, enclave_people: People, runner) -> None:  # type: ignore[no-untyped-def]
    from enclave.cli import cli

    with serve_api(svc, API_PORT):
        result = runner.invoke(cli, ["run-notebook", "alice"], env={"ENCLAVE_PUBLIC_URL": svc.settings.public_url})
    assert result.exit_code == 0, result.output
    with svc.session() as session:
        request = session.scalars(select(ExportRequest).where(ExportRequest.project_id == enclave_people.alpha)).one()
    assert f"export requests made: {request.id}." in result.output
    assert f"project {enclave_people.alpha}" in result.output
    assert "export request" not in result.output.split("export requests made")[0].lower()
    assert not any(p in result.output for p in make_study_frame()["pseudonym"])


def test_run_notebook_command_refuses_a_researcher_without_an_active_project(
        svc: EnclaveService, enclave_people: People, runner) -> None:  # type: ignore[no-untyped-def]
    from enclave.cli import cli

    result = runner.invoke(cli, ["run-notebook", "carol"])
    assert isinstance(result.exception, WorkspaceRefused)
    with svc.session() as session:
        assert session.scalars(select(ExportRequest)).all() == []
