"""Workspace provisioning: the project's data read-only, outputs, notebooks, and nothing of the enclave."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select

from enclave.combination.datasets import current_approved_dataset
from enclave.db.models import AuditEvent
from enclave.errors import NotFound
from enclave.hub import clear_workspace_data, provision_workspace, remove_project_workspaces, workspace_root
from enclave.hub.accounts import WorkspaceAccount
from enclave.hub.workspace import clear_kernel_runtime
from enclave.service import EnclaveService
from enclave.users import find_user
from tests.conftest import needs_accounts
from tests.enclave.hub.conftest import Room, add_project, enclave_secrets, make_study_frame


def _provision(svc: EnclaveService, project_id: int, username: str,  # type: ignore[no-untyped-def]
               account: WorkspaceAccount | None = None):
    with svc.session() as session:
        return provision_workspace(svc, session, project_id, username, account)




def _as_account(account: WorkspaceAccount, code: str) -> str:
    """Run ``code`` in a Python process under ``account``; return what it printed."""
    done = subprocess.run([sys.executable, "-c", code], user=account.uid, group=account.gid, extra_groups=[],
                          cwd="/", capture_output=True, text=True, timeout=120, check=True)
    return done.stdout.strip()


_TRY_READ = """
import os, sys
for path in sys.argv[1:]:
    try:
        os.listdir(path) if os.path.isdir(path) else open(path, "rb").read(1)
        print("open", end=" ")
    except PermissionError:
        print("refused", end=" ")
"""


def test_dataset_is_written_read_only_with_every_record(room: Room) -> None:
    svc, study_frame = room.svc, make_study_frame()
    workspace = _provision(svc, room.people.alpha, "alice-1")
    assert workspace.root == svc.settings.workspaces_dir / str(room.people.alpha) / "alice-1"
    assert not workspace.root.is_relative_to(svc.settings.data_dir)
    assert stat.S_IMODE(workspace.data_file.stat().st_mode) == 0o444
    assert stat.S_IMODE(workspace.data_file.parent.stat().st_mode) == 0o555
    pd.testing.assert_frame_equal(pd.read_parquet(workspace.data_file), study_frame)
    # The kernel's recipes name this version, so the enclave recomputes from the data the kernel read.
    with room.svc.session() as session:
        version = str(current_approved_dataset(session, room.people.alpha).id)
    assert json.loads((workspace.data_file.parent / "dataset.json").read_text()) == {"version": version}
    assert workspace.outputs_dir.is_dir()
    assert {"welcome.ipynb", "example_analysis.ipynb"} <= {p.name for p in workspace.root.glob("*.ipynb")}


def test_provisioning_again_replaces_the_read_only_copy(room: Room) -> None:
    _provision(room.svc, room.people.alpha, "alice-2")
    workspace = _provision(room.svc, room.people.alpha, "alice-2")
    assert workspace.row_count == 300
    assert sorted(p.name for p in workspace.data_file.parent.iterdir()) == ["dataset.json", "linked.parquet"]


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
    assert len(forbidden) >= 10 and all(forbidden)
    # The dataset is reached through the ``data`` link, which rglob does not follow: read it by name.
    files = [p for p in workspace.root.rglob("*") if p.is_file()] + [workspace.data_file]
    # What is scanned is what a researcher gets: the notebooks and the dataset, not an empty folder.
    assert {"welcome.ipynb", "example_analysis.ipynb", "linked.parquet"} <= {p.name for p in files}
    leaks = [(path.name, forbidden.index(marker)) for path in files for marker in forbidden
             if marker in path.read_bytes()]
    assert leaks == []


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


@needs_accounts
def test_workspace_belongs_to_its_account_and_its_data_to_root(room: Room) -> None:
    account = WorkspaceAccount(uid=room.settings.hub_uid_base + 901, gid=room.settings.hub_uid_base + 901)
    workspace = _provision(room.svc, room.people.alpha, "alice-acct", account)
    root_info, data_info, file_info = (os.stat(p) for p in (workspace.root, workspace.data_file.parent,
                                                            workspace.data_file))
    assert (root_info.st_uid, root_info.st_gid, stat.S_IMODE(root_info.st_mode)) == (account.uid, account.gid, 0o700)
    assert (data_info.st_uid, data_info.st_gid, stat.S_IMODE(data_info.st_mode)) == (0, account.gid, 0o550)
    assert (file_info.st_uid, file_info.st_gid, stat.S_IMODE(file_info.st_mode)) == (0, account.gid, 0o440)
    for path in (workspace.outputs_dir, workspace.temp_dir, workspace.root / "welcome.ipynb"):
        assert os.stat(path).st_uid == account.uid, path.name
    assert stat.S_IMODE(os.stat(room.settings.workspaces_dir).st_mode) == 0o711
    printed = _as_account(account, f"""
import pandas as pd
rows = len(pd.read_parquet({str(workspace.data_file)!r}))
try:
    open({str(workspace.data_file.parent / "mine.txt")!r}, "w")
    wrote = "wrote"
except PermissionError:
    wrote = "refused"
print(rows, wrote)
""")
    assert printed == "300 refused"
    clear_kernel_runtime(account)


@needs_accounts
def test_an_account_reaches_neither_the_enclave_nor_another_workspace(room: Room) -> None:
    settings = room.settings
    mine = WorkspaceAccount(uid=settings.hub_uid_base + 902, gid=settings.hub_uid_base + 902)
    theirs = WorkspaceAccount(uid=settings.hub_uid_base + 903, gid=settings.hub_uid_base + 903)
    _provision(room.svc, room.people.alpha, "alice-own", mine)
    other = _provision(room.svc, room.people.beta, "bob-other", theirs)
    targets = [settings.key_file, settings.data_dir, Path(settings.database_url.removeprefix("sqlite:///")),
               settings.workspaces_dir, other.root, other.data_file, settings.linkage_unit_dir]
    if not settings.database_url.startswith("sqlite"):
        targets[2] = settings.data_dir / "objects"
    printed = _as_account(mine, _TRY_READ.replace("sys.argv[1:]", repr([str(t) for t in targets])))
    assert printed.split() == ["refused"] * len(targets)
    # The same process as the other workspace's own account reads its data: the refusal is the account's.
    assert _as_account(theirs, _TRY_READ.replace("sys.argv[1:]", repr([str(other.data_file)]))) == "open"
    for account in (mine, theirs):
        clear_kernel_runtime(account)


def test_links_left_in_the_workspace_are_moved_aside_never_followed(room: Room, tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.mkdir(mode=0o700)
    (victim / "precious.txt").write_text("keep me")
    workspace = _provision(room.svc, room.people.alpha, "alice-link")
    assert not workspace.data_file.is_relative_to(workspace.root)
    assert os.readlink(workspace.root / "data") == f"../../data/{room.people.alpha}/alice-link"
    (workspace.root / "data").unlink()
    (workspace.root / "data").symlink_to(victim)
    (workspace.root / "outputs").rename(workspace.root / "my-outputs")
    (workspace.root / "outputs").symlink_to(victim)
    again = _provision(room.svc, room.people.alpha, "alice-link")
    assert os.readlink(again.root / "data") == f"../../data/{room.people.alpha}/alice-link"
    assert (again.root / "data" / "linked.parquet").exists()
    assert not again.outputs_dir.is_symlink() and again.outputs_dir.is_dir()
    moved = sorted(p.name.split(".moved-")[0] for p in again.root.iterdir() if ".moved-" in p.name)
    assert moved == ["data", "outputs"]
    assert stat.S_IMODE(victim.stat().st_mode) == 0o700 and (victim / "precious.txt").read_text() == "keep me"
    # At stop only the hub's own dataset folder is removed; whatever the workspace links to stays.
    assert clear_workspace_data(again.root)
    assert not again.data_file.exists() and (victim / "precious.txt").read_text() == "keep me"


@needs_accounts
def test_provisioning_ends_the_accounts_processes_and_leaves_the_data_folder_alone(room: Room) -> None:
    settings = room.settings
    account = WorkspaceAccount(uid=settings.hub_uid_base + 904, gid=settings.hub_uid_base + 904)
    workspace = _provision(room.svc, room.people.alpha, "alice-race", account)
    before = os.stat(settings.data_dir)
    # A process of the account keeps swapping the workspace's entries for links into the data folder, and
    # kills every other process of its account, as it would a killer started under the account's id.
    attacker = subprocess.Popen([sys.executable, "-c", f"""
import os, signal
os.chdir({str(workspace.root)!r})
while True:
    try:
        os.kill(-1, signal.SIGKILL)
    except ProcessLookupError:
        pass
    for name in ("data", "outputs", ".tmp", "welcome.ipynb"):
        try:
            os.rename(name, name + ".x")
        except OSError:
            pass
        try:
            os.symlink({str(settings.data_dir)!r}, name)
        except OSError:
            pass
"""], user=account.uid, group=account.gid, extra_groups=[], cwd="/")
    try:
        again = _provision(room.svc, room.people.alpha, "alice-race", account)
        assert attacker.wait(timeout=30) == -9  # ended before the hub touched the workspace
    finally:
        attacker.kill()
        clear_kernel_runtime(account)
    after = os.stat(settings.data_dir)
    assert (after.st_uid, after.st_gid, after.st_mode) == (before.st_uid, before.st_gid, before.st_mode)
    assert os.readlink(again.root / "data") == f"../../data/{room.people.alpha}/alice-race"


def test_a_tree_too_deep_for_python_is_still_removed(room: Room) -> None:
    svc = room.svc
    with svc.session() as session:
        alice = find_user(session, "alice")
    doomed = add_project(svc, "Deep outputs", [alice], make_study_frame(n=20, seed=4))
    workspace = _provision(svc, doomed, "alice-deep")
    fd = os.open(workspace.outputs_dir, os.O_RDONLY)
    for _ in range(1500):  # deeper than Python's recursion limit, built one level at a time
        os.mkdir("d", dir_fd=fd)
        inner = os.open("d", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = inner
    os.close(fd)
    assert remove_project_workspaces(svc.settings, doomed) == 1
    assert not workspace.root.exists() and not workspace.data_file.exists()


def test_a_link_left_in_place_of_a_notebook_is_not_written_through(room: Room, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    root = workspace_root(room.settings, room.people.alpha, "alice-nblink")
    _provision(room.svc, room.people.alpha, "alice-nblink")
    (root / "welcome.ipynb").unlink()
    (root / "welcome.ipynb").symlink_to(victim)
    _provision(room.svc, room.people.alpha, "alice-nblink")
    assert victim.read_text() == "keep me"
