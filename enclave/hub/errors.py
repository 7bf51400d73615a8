"""Errors of the analysis room (JupyterHub integration).

They extend the service's hierarchy (:mod:`enclave.errors`), so the web layer
and the CLI treat them like any other enclave error::

    EnclaveError (enclave.errors)
    ├── ConfigurationError                500 / exit 2
    │   ├── ProxyNotFound                 configurable-http-proxy is not installed
    │   └── JupyterPathsOpen              a folder Jupyter serves files from may be changed by others
    ├── InputError                        400 / exit 6
    │   └── BadProjectChoice              the spawn form's project is not a number
    ├── PermissionDenied                  403 / exit 8
    │   └── WorkspaceRefused              not a researcher, no active project, not your project
    └── NotebookFailed                    500 / exit 1  a headless notebook run failed in a cell

Messages name projects, columns, counts and paths — never a record value.
"""

from __future__ import annotations

from enclave.errors import ConfigurationError, EnclaveError, InputError, PermissionDenied

__all__ = ["BadProjectChoice", "JupyterPathsOpen", "NotebookFailed", "ProxyNotFound", "WorkspaceRefused"]


class WorkspaceRefused(PermissionDenied):
    """The user may not open a workspace (wrong role, no active project, someone else's project)."""


class BadProjectChoice(InputError):
    """The project chosen on the spawn form is not a project number."""


class ProxyNotFound(ConfigurationError):
    """configurable-http-proxy cannot be found."""


class JupyterPathsOpen(ConfigurationError):
    """A folder on the workspaces' Jupyter search paths may be changed by someone other than root."""


class NotebookFailed(EnclaveError):
    """A notebook run headless stopped in a cell (its output is not repeated: it may hold data)."""
