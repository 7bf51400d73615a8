"""The welcome notebook runs headless on a workspace made from a small synthetic dataset.

The example analysis runs headless in ``test_headless.py``, as the demo runs it, submitting to the API.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from enclave.settings import load_settings
from export_review.checks import worst_status
from export_review.evidence import output_from_evidence
from export_review.policy import default_policy
from export_review.review import check_output
from tests.enclave.hub.conftest import make_study_frame

NOTEBOOKS = load_settings(environ={}).notebooks_dir


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "data").mkdir()
    (tmp_path / "outputs").mkdir()
    make_study_frame().to_parquet(tmp_path / "data" / "linked.parquet", index=False)
    shutil.copyfile(NOTEBOOKS / "welcome.ipynb", tmp_path / "welcome.ipynb")
    monkeypatch.setenv("ENCLAVE_OUTPUTS_DIR", str(tmp_path / "outputs"))
    # Outside a workspace the notebooks save their outputs but submit nothing.
    monkeypatch.delenv("ENCLAVE_API_TOKEN", raising=False)
    return tmp_path


def _run(workspace: Path, name: str) -> nbformat.NotebookNode:
    notebook = nbformat.read(workspace / name, as_version=4)
    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(workspace)}}).execute()
    return notebook


def _server_verdicts(outputs: Path) -> dict[str, str]:
    policy = default_policy()
    verdicts = {}
    for evidence in outputs.glob("*.evidence.json"):
        output = output_from_evidence(json.loads(evidence.read_text("utf-8")))
        verdicts[output.name] = worst_status(r.status for r in check_output(output, policy))
    return verdicts


def test_welcome_notebook_runs_and_saves_a_checked_output(workspace: Path) -> None:
    _run(workspace, "welcome.ipynb")
    assert _server_verdicts(workspace / "outputs") == {"welcome_counts": "pass"}
