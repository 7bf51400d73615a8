"""Jupyter's configuration and data folders of workspace processes are pinned outside the workspace."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from enclave.hub.jupyter_paths import DATA_DIR, check_jupyter_paths, jupyter_environment, searched_jupyter_paths
from enclave.hub.singleuser_config import CONFIG_DIR
from enclave.hub.workspace import process_environment


def test_workspace_processes_search_no_folder_of_the_workspace(tmp_path: Path) -> None:
    env = process_environment(tmp_path, None)
    assert env["JUPYTER_CONFIG_DIR"] == str(CONFIG_DIR) and env["JUPYTER_DATA_DIR"] == str(DATA_DIR)
    assert env["JUPYTER_PATH"] == env["JUPYTER_CONFIG_PATH"] == "" and env["PYTHONNOUSERSITE"] == "1"
    # What Jupyter and IPython must write stays in the workspace, beside the pinned folders.
    assert Path(env["IPYTHONDIR"]).is_relative_to(tmp_path)
    assert Path(env["JUPYTER_RUNTIME_DIR"]).is_relative_to(tmp_path)
    assert not any(folder.is_relative_to(tmp_path) for folder in searched_jupyter_paths())


def test_jupyter_core_finds_the_pinned_folders_and_skips_migration(tmp_path: Path) -> None:
    # jupyter_core reads the environment when asked: ask in a child with the workspace's variables.
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "IPYTHON"))},
           **jupyter_environment(tmp_path)}
    (tmp_path / ".ipython" / "profile_default").mkdir(parents=True)
    code = ("import json; from jupyter_core.paths import jupyter_path, jupyter_config_path;"
            "print(json.dumps([jupyter_path('kernels'), jupyter_config_path()]))")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    kernels, config = json.loads(done.stdout)
    assert str(DATA_DIR / "kernels") in kernels and str(CONFIG_DIR) in config
    searched = [str(p) for p in searched_jupyter_paths()]
    assert all(str(Path(k).parent) in searched for k in kernels)
    assert all(c in searched for c in config)
    # The marker that keeps jupyter_core from migrating ~/.ipython into the read-only folder ships with it.
    assert (CONFIG_DIR / "migrated").is_file()


def test_the_shipped_folders_pass_the_check_and_a_workspace_among_them_does_not() -> None:
    assert check_jupyter_paths(Path("/var/lib/nonexistent-workspaces")) == []
    problems = check_jupyter_paths(Path(sys.prefix) / "share")
    assert any("workspaces folder" in p for p in problems)
