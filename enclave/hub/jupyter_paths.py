"""Where a workspace's notebook server and kernels look for Jupyter's configuration and data.

Jupyter's defaults put the user's configuration, kernelspecs and JupyterLab
extensions under ``HOME`` — the writable workspace. The server serves files
from those folders (``/kernelspecs/<name>/<file>``,
``/lab/extensions/<name>/static/<file>``), byte for byte, so a file a kernel
copies there leaves through the notebook server. And every kernel creates
``~/.ipython``, which makes jupyter_core try to migrate it into the
configuration folder at the next server start.

So every workspace process gets the variables :func:`jupyter_environment`
returns:

* ``JUPYTER_CONFIG_DIR`` — the shipped, read-only ``singleuser_config/``
  folder, which carries jupyter_core's ``migrated`` marker: no migration is
  attempted, whatever ``~/.ipython`` holds;
* ``JUPYTER_DATA_DIR`` — ``singleuser_config/data/``, read-only and empty
  of kernels and extensions; the other data folders Jupyter searches are the
  interpreter's ``share/jupyter`` and the system's (``/usr/local/share/jupyter``,
  ``/usr/share/jupyter``, where Debian's IRkernel registers the R kernel);
* ``JUPYTER_PATH`` and ``JUPYTER_CONFIG_PATH`` empty, ``PYTHONNOUSERSITE=1``
  (no user-site folder), ``JUPYTER_PLATFORM_DIRS`` off;
* ``IPYTHONDIR``, ``JUPYTER_RUNTIME_DIR`` and JupyterLab's settings and
  workspaces folders where the workspace may write them.

:func:`check_jupyter_paths` (run by ``enclave hub`` before it starts) checks
that every folder on these search paths, and everything in them, is owned by
root or the hub's user, writable by nobody else, and outside the workspaces.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from enclave.hub.singleuser_config import CONFIG_DIR

__all__ = ["DATA_DIR", "check_jupyter_paths", "jupyter_environment", "searched_jupyter_paths"]

#: The folder to use as ``JUPYTER_DATA_DIR``: shipped, read-only, no kernel or extension in it.
DATA_DIR = CONFIG_DIR / "data"

_SYSTEM_DATA = ("/usr/local/share/jupyter", "/usr/share/jupyter")
_SYSTEM_CONFIG = ("/usr/local/etc/jupyter", "/etc/jupyter")


def jupyter_environment(home: Path, runtime_dir: Path | None = None) -> dict[str, str]:
    """The Jupyter variables of every workspace process (server, kernels, headless runs).

    Args:
        home: The workspace folder (``HOME``).
        runtime_dir: The kernels' runtime folder (default: one in the workspace).

    Returns:
        Variables that pin configuration and data to read-only folders and
        put what Jupyter must write into the workspace.
    """
    runtime = runtime_dir if runtime_dir is not None else home / ".local" / "share" / "jupyter" / "runtime"
    return {
        "JUPYTER_CONFIG_DIR": str(CONFIG_DIR),
        "JUPYTER_DATA_DIR": str(DATA_DIR),
        # Empty: set by someone else, they would come first on the search path.
        "JUPYTER_PATH": "",
        "JUPYTER_CONFIG_PATH": "",
        "JUPYTER_PLATFORM_DIRS": "0",
        "JUPYTER_RUNTIME_DIR": str(runtime),
        "IPYTHONDIR": str(home / ".ipython"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / ".jupyter" / "lab" / "user-settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / ".jupyter" / "lab" / "workspaces"),
        "PYTHONNOUSERSITE": "1",
    }


def searched_jupyter_paths() -> list[Path]:
    """Every folder a workspace's server searches for configuration, kernelspecs and extensions.

    The same list jupyter_core computes under :func:`jupyter_environment`:
    the pinned folders, the interpreter's and the system's.
    """
    prefix = Path(sys.prefix)
    folders = [CONFIG_DIR, DATA_DIR, prefix / "etc" / "jupyter", prefix / "share" / "jupyter",
               *map(Path, _SYSTEM_CONFIG), *map(Path, _SYSTEM_DATA)]
    unique: list[Path] = []
    for folder in folders:
        if folder not in unique:
            unique.append(folder)
    return unique


def _trusted_owner(info: os.stat_result) -> bool:
    return info.st_uid in (0, os.geteuid())


def _open_to_others(path: Path, info: os.stat_result) -> bool:
    if stat.S_ISLNK(info.st_mode):
        return False  # a link's own mode means nothing; what it names is checked where it is searched
    writable = info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    if stat.S_ISDIR(info.st_mode) and info.st_mode & stat.S_ISVTX and info.st_uid == 0:
        return False  # /tmp, say: others may add entries but not rename or remove what is not theirs
    return bool(writable) or not _trusted_owner(info)


def check_jupyter_paths(workspaces_dir: Path, *, limit: int = 100_000) -> list[str]:
    """Find what a workspace could change on the paths its server serves files from.

    Args:
        workspaces_dir: The workspaces folder (nothing searched may lie in it).
        limit: Entries examined at most (the interpreter's ``share/jupyter`` holds JupyterLab).

    Returns:
        One line per problem, naming the path (empty: the paths are pinned).
    """
    problems: list[str] = []
    workspaces = Path(os.path.realpath(workspaces_dir))
    if not DATA_DIR.is_dir():
        problems.append(f"{DATA_DIR} is missing")
    if not (CONFIG_DIR / "migrated").is_file():
        problems.append(f"{CONFIG_DIR / 'migrated'} is missing")
    seen = 0
    for folder in searched_jupyter_paths():
        real = Path(os.path.realpath(folder))
        if real.is_relative_to(workspaces) or workspaces.is_relative_to(real):
            problems.append(f"{folder} lies in or holds the workspaces folder")
            continue
        # A folder anyone may rename or replace above it is as open as the folder itself.
        for parent in [*reversed(real.parents), real]:
            try:
                info = os.lstat(parent)
            except FileNotFoundError:
                break
            if _open_to_others(parent, info):
                problems.append(f"{parent} may be changed by others than root")
                break
        if not real.is_dir():
            continue
        for top, dirs, files in os.walk(real):
            for name in dirs + files:
                seen += 1
                path = Path(top) / name
                try:
                    info = os.lstat(path)
                except OSError:
                    continue
                if _open_to_others(path, info):
                    problems.append(f"{path} may be changed by others than root")
            if seen > limit or len(problems) > 20:
                break
    return problems
