"""The demo researcher's analysis: the example notebook, run headless in a kernel.

The analysis room's headless runner provisions the workspace exactly as the
spawner does and gives the kernel only what a JupyterHub kernel gets. The
service's web app is served on a free loopback port so the notebook's
``export_review`` client submits over HTTP, and the service re-checks every
output on its side.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select

from enclave.db.models import ExportRequest, User
from enclave.errors import EnclaveError
from enclave.hub.headless import run_workspace_notebook
from enclave.service import EnclaveService

__all__ = ["NOTEBOOK", "AnalysisResult", "run_example_analysis", "serve_in_background"]

NOTEBOOK = "example_analysis.ipynb"


@dataclass(frozen=True)
class AnalysisResult:
    """What the analysis submitted and what the server's re-check said."""

    how: str
    request_id: int
    outputs: int
    failing: int
    failing_names: tuple[str, ...]


@contextlib.contextmanager
def serve_in_background(svc: EnclaveService) -> Iterator[str]:
    """Serve the enclave's web app on a free loopback port; yield its URL."""
    from werkzeug.serving import make_server

    from enclave.web import create_app

    app = create_app(service=svc)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="enclave-demo-web", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def run_example_analysis(svc: EnclaveService, researcher: User, project_id: int) -> AnalysisResult:
    """Run ``notebooks/example_analysis.ipynb`` as ``researcher``; return its export request.

    Raises:
        NotebookFailed: A cell failed (the message names the cell, never its output).
        EnclaveError: The notebook ran but submitted nothing.
    """
    with serve_in_background(svc) as url:
        served = EnclaveService(settings=svc.settings.replace(public_url=url), db=svc.db, keys=svc.keys)
        run = run_workspace_notebook(served, researcher.username, NOTEBOOK, project_id=project_id)
    runs_as = "" if run.account is None else f" under the workspace's own account {run.account.name}"
    with svc.session() as session:
        request = session.scalars(select(ExportRequest).where(ExportRequest.project_id == project_id,
                                                              ExportRequest.author_id == researcher.id)
                                  .order_by(ExportRequest.id.desc()).limit(1)).first()
        if request is None:
            raise EnclaveError(f"The example notebook {NOTEBOOK} ran but submitted no export request.")
        failing = tuple(o.name for o in request.outputs if o.check_status == "fail")
        return AnalysisResult(how=f"notebook {NOTEBOOK} in a kernel{runs_as}, submitted over the API",
                              request_id=request.id, outputs=len(request.outputs), failing=len(failing),
                              failing_names=failing)
