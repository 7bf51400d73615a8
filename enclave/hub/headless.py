"""Run a workspace notebook headless, as a researcher, exactly as their server would.

The demo uses this to run ``example_analysis.ipynb``: the workspace is
provisioned, and :mod:`enclave.hub.notebook_runner` executes the notebook in
a child process under the workspace's account (when the hub would use one),
in the workspace folder, with the environment a spawned server's kernels
get (the project-scoped token, no enclave setting). The session is closed
afterwards whatever happened. The enclave's API must be reachable at
``settings.public_url`` for the notebook's export request.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

import nbformat

from enclave.hub.accounts import WorkspaceAccount, enter_account, kill_account_processes
from enclave.hub.errors import NotebookFailed
from enclave.hub.lifecycle import close_workspace, open_workspace
from enclave.hub.messages import text
from enclave.hub.notebook_runner import CELL_FAILED
from enclave.hub.workspace import (
    ProvisionedWorkspace,
    clear_kernel_runtime,
    process_environment,
    sandbox_keep,
    workspace_environment,
)
from enclave.service import EnclaveService
from enclave.settings import Settings

__all__ = ["HeadlessRun", "run_workspace_notebook"]

#: Variables of this process a kernel may inherit; everything else (ENCLAVE_* above all) stays out.
_INHERITED = ("PATH", "LANG", "LC_ALL", "VIRTUAL_ENV")


@dataclass(frozen=True)
class HeadlessRun:
    """A finished headless run.

    Attributes:
        project_id: The project whose workspace ran it.
        notebook: The executed notebook (its outputs are what the researcher would see).
        printed: Everything the notebook's cells printed, in order.
        account: The workspace account it ran as (None: this process's own user).
    """

    project_id: int
    notebook: nbformat.NotebookNode
    printed: str
    account: WorkspaceAccount | None = None


def _kernel_environment(svc: EnclaveService, workspace: ProvisionedWorkspace, api_token: str) -> dict[str, str]:
    env = {k: os.environ[k] for k in _INHERITED if k in os.environ}
    env.update(workspace_environment(svc.settings, workspace.project_id, api_token, workspace.root))
    env.update(process_environment(workspace.root, workspace.account))
    return env


def _execute(settings: Settings, workspace: ProvisionedWorkspace, notebook: str, env: dict[str, str],
             timeout: int) -> tuple[int, str]:
    """Run the notebook runner as the workspace's account; return its exit code and standard output."""
    account: WorkspaceAccount | None = workspace.account
    as_account: dict[str, Any] = {}
    if account is not None:
        keep = sandbox_keep(settings, account)
        as_account = {"preexec_fn": lambda: enter_account(account, keep=keep)}
    child = subprocess.Popen(  # noqa: S603 - a fixed module of ours, no shell
        [sys.executable, "-m", "enclave.hub.notebook_runner", notebook, str(timeout),
         "tcp" if account is None else "ipc"],
        cwd=workspace.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        start_new_session=True, text=True, **as_account)
    try:
        # Each cell may take ``timeout``; the whole run gets a generous multiple before it is stopped.
        out, _ = child.communicate(timeout=timeout * 4)
    except subprocess.TimeoutExpired:
        # The runner and its kernel share a session: stop both.
        os.killpg(child.pid, signal.SIGKILL)
        child.communicate()
        return CELL_FAILED, ""
    return child.returncode, out


def run_workspace_notebook(svc: EnclaveService, username: str, notebook: str = "example_analysis.ipynb", *,
                           project_id: int | None = None, timeout: int = 600) -> HeadlessRun:
    """Execute ``notebook`` from ``username``'s workspace in a fresh kernel.

    Args:
        svc: The opened enclave.
        username: The researcher (must be on an active project).
        notebook: File name of a notebook in the workspace (copied from ``settings.notebooks_dir``).
        project_id: The project, when the researcher has several.
        timeout: Seconds a cell may run.

    Returns:
        The executed notebook and what it printed.

    Raises:
        WorkspaceRefused: The researcher has no access.
        IsolationUnavailable: Workspace accounts are on but do not keep the enclave's files closed.
        NotebookFailed: A cell raised, timed out or the kernel died, or the
            notebook could not be run (the message names the cell, never its output).
    """
    if os.path.basename(notebook) != notebook or notebook.startswith("."):
        raise NotebookFailed(text("hub.notebook_not_run", notebook=notebook))
    opened = open_workspace(svc, username, project_id, lifetime=dt.timedelta(seconds=timeout * 4), channel="headless")
    workspace = opened.workspace
    try:
        env = _kernel_environment(svc, workspace, opened.api_token)
        code, out = _execute(svc.settings, workspace, notebook, env, timeout)
    finally:
        try:
            if workspace.account is not None:
                # What the notebook left running (a daemon, say) ends with the run.
                kill_account_processes(workspace.account)
        finally:
            close_workspace(svc, username, workspace.project_id, opened.token_id, channel="headless")
            if workspace.account is not None:
                clear_kernel_runtime(workspace.account)
    try:
        document = nbformat.reads(out, as_version=4) if out else None  # type: ignore[no-untyped-call]
    except ValueError:
        document = None
    if document is None or code not in (0, CELL_FAILED):
        raise NotebookFailed(text("hub.notebook_not_run", notebook=notebook))
    if code == CELL_FAILED:
        failed = next((i for i, c in enumerate(document.cells)
                       if any(o.get("output_type") == "error" for o in c.get("outputs", []))), None)
        raise NotebookFailed(text("hub.notebook_failed", notebook=notebook,
                                  cell="?" if failed is None else failed + 1))
    printed = "".join(o.get("text", "") for c in document.cells for o in c.get("outputs", [])
                      if o.get("output_type") == "stream")
    return HeadlessRun(project_id=workspace.project_id, notebook=document, printed=printed,
                       account=workspace.account)
