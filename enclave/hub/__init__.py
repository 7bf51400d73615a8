"""The analysis room: JupyterHub workspaces on the enclave's users and projects.

* :class:`EnclaveAuthenticator` — login with password and one-time code;
  researchers of active projects only; re-checked on every request.
* :class:`EnclaveSpawner` — a notebook server per researcher on the workspace
  of their project: the dataset read-only, an outputs folder, the notebooks,
  and a project-scoped token for ``export_review``.
* :mod:`enclave.hub.egress` — the notebook-server extension that switches
  downloads off.
* :func:`write_hub_config` — ``jupyterhub_config.py`` from the enclave's settings.
* :func:`run_workspace_notebook` — run a workspace notebook headless as a
  researcher (the demo's example analysis).

The names are re-exported lazily: every researcher's notebook server imports
:mod:`enclave.hub.egress`, and importing the provisioning pipeline it does not
need would add seconds to each server start.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from enclave.hub.access import active_projects_for, choose_workspace_project, may_enter_analysis_room
    from enclave.hub.authenticator import EnclaveAuthenticator
    from enclave.hub.config import HubLayout, find_proxy, has_idle_culler, render_hub_config, write_hub_config
    from enclave.hub.errors import BadProjectChoice, NotebookFailed, ProxyNotFound, WorkspaceRefused
    from enclave.hub.headless import HeadlessRun, run_workspace_notebook
    from enclave.hub.lifecycle import WorkspaceSession, close_workspace, open_workspace
    from enclave.hub.spawner import KERNEL_ENVIRONMENT, EnclaveSpawner
    from enclave.hub.workspace import (
        DATA_FILE_NAME,
        ProvisionedWorkspace,
        clear_workspace_data,
        provision_workspace,
        remove_project_workspaces,
        workspace_environment,
        workspace_root,
    )

_SOURCES = {
    "active_projects_for": "access", "choose_workspace_project": "access", "may_enter_analysis_room": "access",
    "EnclaveAuthenticator": "authenticator",
    "HubLayout": "config", "find_proxy": "config", "has_idle_culler": "config", "render_hub_config": "config",
    "write_hub_config": "config",
    "BadProjectChoice": "errors", "NotebookFailed": "errors", "ProxyNotFound": "errors", "WorkspaceRefused": "errors",
    "HeadlessRun": "headless", "run_workspace_notebook": "headless",
    "WorkspaceSession": "lifecycle", "close_workspace": "lifecycle", "open_workspace": "lifecycle",
    "KERNEL_ENVIRONMENT": "spawner", "EnclaveSpawner": "spawner",
    "DATA_FILE_NAME": "workspace", "ProvisionedWorkspace": "workspace", "clear_workspace_data": "workspace",
    "provision_workspace": "workspace", "remove_project_workspaces": "workspace", "workspace_root": "workspace",
    "workspace_environment": "workspace",
}

__all__ = [
    "DATA_FILE_NAME",
    "KERNEL_ENVIRONMENT",
    "BadProjectChoice",
    "EnclaveAuthenticator",
    "EnclaveSpawner",
    "HeadlessRun",
    "HubLayout",
    "NotebookFailed",
    "ProvisionedWorkspace",
    "ProxyNotFound",
    "WorkspaceRefused",
    "WorkspaceSession",
    "active_projects_for",
    "choose_workspace_project",
    "clear_workspace_data",
    "close_workspace",
    "find_proxy",
    "has_idle_culler",
    "may_enter_analysis_room",
    "open_workspace",
    "provision_workspace",
    "remove_project_workspaces",
    "render_hub_config",
    "run_workspace_notebook",
    "workspace_environment",
    "workspace_root",
    "write_hub_config",
]


def __getattr__(name: str) -> Any:
    module = _SOURCES.get(name)
    if module is None:
        raise AttributeError(f"module 'enclave.hub' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"enclave.hub.{module}"), name)
    globals()[name] = value
    return value
