"""R in the analysis room, for real: the welcome notebook in R, run in an R kernel of a researcher's server.

Debian's IRkernel registers the ``ir`` kernelspec in ``/usr/share/jupyter`` (a
system folder on the pinned search path); ``scripts/install.sh`` installs it.
The notebook reads the project's data through reticulate, makes a checked
cross-tabulation and a linear model with ``export_review``, saves them with
their evidence and submits an export request to the enclave's API.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest
import requests
from sqlalchemy import select

from enclave.db.models import ExportRequest
from enclave.hub import workspace_root
from tests.enclave.hub.conftest import Room
from tests.enclave.hub.live_hub import Hub, run_in_kernel, start_server

pytestmark = [pytest.mark.hub, pytest.mark.slow,
              pytest.mark.skipif(shutil.which("R") is None or not Path("/usr/share/jupyter/kernels/ir").is_dir(),
                                 reason="R and IRkernel are not installed (scripts/install.sh installs them as root)")]

NOTEBOOK = Path(__file__).resolve().parents[3] / "notebooks" / "welcome_r.ipynb"


def test_the_r_welcome_notebook_makes_checked_outputs_and_submits_them(hub: Hub, room: Room) -> None:
    alice = start_server(hub, "alice", room.people.password)
    specs = requests.get(f"{hub.url}/user/alice/api/kernelspecs", headers=alice.auth, timeout=30).json()
    assert "ir" in specs["kernelspecs"]
    root = workspace_root(room.settings, room.people.alpha, "alice")
    assert (root / "welcome_r.ipynb").is_file()  # every workspace gets the R welcome notebook
    notebook = nbformat.read(NOTEBOOK, as_version=4)  # type: ignore[no-untyped-call]
    assert notebook.metadata["kernelspec"]["name"] == "ir"
    code = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    printed = run_in_kernel(hub, alice, code, kernel_name="ir")
    assert "records: 300" in printed
    request_id = int(printed.split("export request", 1)[1].split()[0])
    with room.svc.session() as session:
        request = session.get(ExportRequest, request_id)
        assert request is not None and request.project_id == room.people.alpha
        assert request.author.username == "alice"
        assert sorted(o.name for o in request.outputs) == ["r_crosstab", "r_model"]
        assert session.scalars(select(ExportRequest)).all()
    # Saved with their evidence in the workspace's outputs folder.
    evidence = sorted(p.name for p in (root / "outputs").glob("r_*.evidence.json"))
    assert evidence == ["r_crosstab.evidence.json", "r_model.evidence.json"]
    assert json.loads((root / "outputs" / evidence[0]).read_text())
