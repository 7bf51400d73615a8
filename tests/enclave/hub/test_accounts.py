"""Workspace accounts: who a workspace runs as, and the probe that proves the enclave's files are closed to it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from enclave.cli import cli
from enclave.errors import ConfigurationError
from enclave.hub.accounts import (
    AccountsCannotStart,
    EnclaveFilesOpen,
    IsolationUnavailable,
    WorkspaceAccount,
    _account_pids,
    account_cgroup,
    account_for_member,
    enter_account,
    isolation_enabled,
    kill_account_processes,
    probe_isolation,
    require_isolation,
)
from enclave.hub.sandbox import code_paths
from enclave.service import EnclaveService
from enclave.settings import Settings, load_settings
from enclave.users import find_user
from tests.conftest import needs_accounts, passable_folder, workspace_accounts_unusable
from tests.enclave.hub.conftest import People
from tests.enclave.test_cli import invoke


def test_each_membership_gets_its_own_account_above_the_base(svc: EnclaveService, enclave_people: People) -> None:
    with svc.session() as session:
        alice, bob = find_user(session, "alice"), find_user(session, "bob")
        alices = account_for_member(session, svc.settings, enclave_people.alpha, alice.id)
        bobs = account_for_member(session, svc.settings, enclave_people.beta, bob.id)
        with pytest.raises(LookupError):
            account_for_member(session, svc.settings, enclave_people.beta, alice.id)
    assert alices != bobs
    for account in (alices, bobs):
        assert account.uid == account.gid > svc.settings.hub_uid_base
    assert alices.name == f"enclave-{alices.uid}"


def test_isolation_setting_is_checked_and_production_refuses_to_run_without_it(settings: Settings) -> None:
    with pytest.raises(ConfigurationError, match="ENCLAVE_HUB_ISOLATION"):
        load_settings(environ={"ENCLAVE_HUB_ISOLATION": "containers"})
    off = settings.replace(hub_isolation="none")
    assert isolation_enabled(off) is False and require_isolation(off) is False
    with pytest.raises(IsolationUnavailable, match="production"):
        require_isolation(off.replace(mode="production"))
    assert isolation_enabled(settings.replace(hub_isolation="auto")) is not bool(workspace_accounts_unusable())


def test_workspaces_inside_the_data_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="ENCLAVE_WORKSPACES_DIR"):
        load_settings(environ={}, data_dir=str(tmp_path / "data"), workspaces_dir=str(tmp_path / "data" / "ws"))
    default = load_settings(environ={}, data_dir=str(tmp_path / "data"))
    assert default.workspaces_dir == tmp_path / "data-workspaces"


@pytest.mark.skipif(os.geteuid() == 0, reason="only a process that is not root lacks the right to switch accounts")
def test_accounts_without_root_say_how_to_proceed(settings: Settings) -> None:
    with pytest.raises(IsolationUnavailable, match="ENCLAVE_HUB_ISOLATION=none"):
        isolation_enabled(settings.replace(hub_isolation="accounts"))


@needs_accounts
def test_probe_passes_when_the_data_folder_is_closed(svc: EnclaveService) -> None:
    probe_isolation(svc.settings)


@needs_accounts
def test_probe_names_what_a_workspace_account_could_read(svc: EnclaveService) -> None:
    settings = svc.settings
    os.chmod(settings.data_dir, 0o755)
    os.chmod(settings.key_file.parent, 0o755)
    os.chmod(settings.key_file, 0o644)
    try:
        with pytest.raises(IsolationUnavailable) as refused:
            probe_isolation(settings)
    finally:
        os.chmod(settings.key_file, 0o600)
        os.chmod(settings.key_file.parent, 0o700)
        os.chmod(settings.data_dir, 0o700)
    message = str(refused.value)
    assert "key file" in message and "data folder" in message and "chmod" in message


@needs_accounts
def test_probe_refuses_workspaces_an_account_cannot_reach(svc: EnclaveService) -> None:
    blocked = passable_folder("blocked")
    blocked.chmod(0o700)  # a folder above the workspaces only its owner may enter
    hidden = svc.settings.replace(workspaces_dir=blocked / "workspaces")
    with pytest.raises(IsolationUnavailable, match="cannot reach the workspaces folder"):
        probe_isolation(hidden)


@needs_accounts
def test_enclave_hub_reports_the_checked_isolation(svc: EnclaveService, runner: CliRunner) -> None:
    result = runner.invoke(cli, ["hub", "--config-only", "--port", "18200"])
    assert result.exit_code == 0, result.output
    assert "account of its own" in result.output and str(svc.settings.workspaces_dir) in result.output


@needs_accounts
def test_enclave_hub_refuses_to_start_when_the_key_file_is_open(svc: EnclaveService, runner: CliRunner) -> None:
    settings = svc.settings
    for path, mode in ((settings.data_dir, 0o755), (settings.key_file.parent, 0o755), (settings.key_file, 0o644)):
        os.chmod(path, mode)
    try:
        result = invoke(runner, "hub", "--config-only", "--port", "18201")
    finally:
        for path, mode in ((settings.key_file, 0o600), (settings.key_file.parent, 0o700), (settings.data_dir, 0o700)):
            os.chmod(path, mode)
    assert result.exit_code == 2
    assert "key file" in result.output
    assert not (settings.data_dir / "hub" / "jupyterhub_config.py").exists()


def test_an_account_is_only_numbers() -> None:
    account = WorkspaceAccount(uid=200007, gid=200007)
    assert account.name == "enclave-200007"


@needs_accounts
def test_auto_falls_back_only_in_development_and_only_when_accounts_cannot_start(
        svc: EnclaveService, caplog: pytest.LogCaptureFixture) -> None:
    blocked = passable_folder("blocked")
    blocked.chmod(0o700)
    unreachable = svc.settings.replace(workspaces_dir=blocked / "workspaces", hub_isolation="auto")
    assert isolation_enabled(unreachable) is False
    assert "cannot be used here" in caplog.text
    with pytest.raises(AccountsCannotStart):
        isolation_enabled(unreachable.replace(hub_isolation="accounts"))
    with pytest.raises(AccountsCannotStart):
        isolation_enabled(unreachable.replace(mode="production"))
    settings = svc.settings
    os.chmod(settings.data_dir, 0o755)
    os.chmod(settings.key_file.parent, 0o755)
    os.chmod(settings.key_file, 0o644)
    try:
        with pytest.raises(EnclaveFilesOpen):
            isolation_enabled(settings.replace(hub_uid_base=settings.hub_uid_base + 1))
    finally:
        os.chmod(settings.key_file, 0o600)
        os.chmod(settings.key_file.parent, 0o700)
        os.chmod(settings.data_dir, 0o700)


_HOPPER = """
import os
while True:  # a new process every moment, its parent gone: a /proc scan never catches up
    try:
        if os.fork():
            os._exit(0)
    except OSError:
        pass  # at the process limit: try again
"""

_ZOMBIE_LEADER = """
import ctypes, threading, time
def work():
    while True:
        time.sleep(0.01)
threading.Thread(target=work).start()
ctypes.CDLL(None).syscall(60, 0)  # the first thread exits alone: the process shows as a zombie, still running
"""


def _alive(account: WorkspaceAccount) -> bool:
    folder = account_cgroup(account)
    in_cgroup = folder is not None and folder.is_dir() and bool((folder / "cgroup.procs").read_text().strip())
    return in_cgroup or bool(_account_pids(account.uid))


@needs_accounts
@pytest.mark.skipif(account_cgroup(WorkspaceAccount(1, 1)) is None, reason="no usable cgroup v2 hierarchy here")
@pytest.mark.parametrize(("code", "uid"), [(_HOPPER, 209_970), (_ZOMBIE_LEADER, 209_971)],
                         ids=["fork-hopper", "zombie-leader"])
def test_every_process_of_an_account_is_ended_however_it_hides(code: str, uid: int) -> None:
    account = WorkspaceAccount(uid=uid, gid=uid)
    keep = code_paths()  # the interpreter may live in /tmp, which the sandbox replaces
    started = subprocess.Popen([sys.executable, "-c", code],
                               preexec_fn=lambda: enter_account(account, keep=keep),  # noqa: PLW1509
                               cwd="/", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        time.sleep(0.5)
        assert _alive(account)
        assert kill_account_processes(account) == 0
        time.sleep(0.3)
        assert not _alive(account)
    finally:
        started.kill()
        started.wait(timeout=10)
