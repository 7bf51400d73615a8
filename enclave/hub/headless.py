"""Run a workspace notebook headless, as a researcher, exactly as their server would.

The demo uses this to run ``example_analysis.ipynb``: the workspace is
provisioned, the kernel gets the same environment a spawned server gives
(the project-scoped token, no enclave setting), the notebook executes with
the workspace as its folder, and the session is closed afterwards whatever
happened. The enclave's API must be reachable at ``settings.public_url`` for
the notebook's export request.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from enclave.hub.errors import NotebookFailed
from enclave.hub.lifecycle import close_workspace, open_workspace
from enclave.hub.messages import text
from enclave.hub.workspace import workspace_environment
from enclave.service import EnclaveService

__all__ = ["HeadlessRun", "run_workspace_notebook"]


@dataclass(frozen=True)
class HeadlessRun:
    """A finished headless run.

    Attributes:
        project_id: The project whose workspace ran it.
        notebook: The executed notebook (its outputs are what the researcher would see).
        printed: Everything the notebook's cells printed, in order.
    """

    project_id: int
    notebook: nbformat.NotebookNode
    printed: str


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
        NotebookFailed: A cell raised, timed out or the kernel died (the
            message names the cell, never its output).
    """
    opened = open_workspace(svc, username, project_id, lifetime=dt.timedelta(seconds=timeout * 4), channel="headless")
    workspace = opened.workspace
    try:
        document = nbformat.read(workspace.root / notebook, as_version=4)
        env = {k: v for k, v in os.environ.items() if not k.startswith("ENCLAVE_")}
        env.update(workspace_environment(svc.settings, workspace.project_id, opened.api_token, workspace.root))
        env["PYTHONNOUSERSITE"] = "1"
        client = NotebookClient(document, timeout=timeout, kernel_name="python3",
                                resources={"metadata": {"path": str(workspace.root)}})
        try:
            client.execute(env=env)
        except (CellExecutionError, CellTimeoutError, DeadKernelError) as error:
            # The error's own text carries the cell's traceback, which may quote data: it is dropped.
            del error
            failed = next((i for i, c in enumerate(document.cells)
                           if any(o.get("output_type") == "error" for o in c.get("outputs", []))), None)
            raise NotebookFailed(text("hub.notebook_failed", notebook=notebook,
                                      cell="?" if failed is None else failed + 1)) from None
    finally:
        close_workspace(svc, username, workspace.project_id, opened.token_id, channel="headless")
    printed = "".join(o.get("text", "") for c in document.cells for o in c.get("outputs", [])
                      if o.get("output_type") == "stream")
    return HeadlessRun(project_id=workspace.project_id, notebook=document, printed=printed)
