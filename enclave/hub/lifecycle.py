"""Opening and closing a researcher's workspace session (shared by the spawner and headless runs).

Opening checks access, provisions the workspace and issues a token scoped to
the project; closing removes the decrypted dataset and revokes the token.
Each is audited (``hub.spawn`` / ``hub.stop``, with ``hub.provision`` from
provisioning); a refused opening is audited as ``hub.spawn`` denied, a
server that did not start as ``hub.spawn`` failed, closed like a stop.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from enclave.errors import EnclaveError
from enclave.hub.access import choose_workspace_project
from enclave.hub.accounts import WorkspaceAccount, account_for_member, isolation_enabled
from enclave.hub.workspace import ProvisionedWorkspace, clear_workspace_data, provision_workspace, workspace_root
from enclave.service import EnclaveService
from enclave.users import find_user, issue_token, resolve_token, revoke_token

__all__ = ["WorkspaceSession", "close_workspace", "open_workspace"]


@dataclass(frozen=True)
class WorkspaceSession:
    """An opened workspace and the project-scoped token its kernels use.

    Attributes:
        workspace: What was provisioned.
        api_token: The token, for the kernels' environment only (never logged).
        token_id: The token's row id, for revocation.
    """

    workspace: ProvisionedWorkspace
    api_token: str
    token_id: int

    @property
    def account(self) -> WorkspaceAccount | None:
        """The account the workspace's processes run as (None: the hub's own)."""
        return self.workspace.account

    def __repr__(self) -> str:
        return f"WorkspaceSession(project={self.workspace.project_id}, user={self.workspace.username!r})"


def open_workspace(svc: EnclaveService, username: str, requested_project: int | None = None, *,
                   lifetime: dt.timedelta = dt.timedelta(hours=12), channel: str = "hub") -> WorkspaceSession:
    """Check access, provision the workspace and issue the project-scoped token.

    Args:
        svc: The opened enclave.
        username: The researcher.
        requested_project: The project chosen, or ``None`` for the researcher's first active project.
        lifetime: How long the token is valid (it is revoked at close anyway).
        channel: Recorded with the audit event: ``hub`` or ``headless``.

    Returns:
        The session.

    Raises:
        WorkspaceRefused: No access (audited as ``hub.spawn`` denied).
        NotFound: The project has no approved dataset yet.
        IsolationUnavailable: Workspace accounts are asked for but this process is not root.
    """
    isolated = isolation_enabled(svc.settings)
    try:
        with svc.session() as session:
            user = find_user(session, username)
            project = choose_workspace_project(session, user, requested_project)
            account = account_for_member(session, svc.settings, project.id, user.id) if isolated else None
            workspace = provision_workspace(svc, session, project.id, username, account)
            try:
                token = issue_token(svc, session, user, actor="hub", label=f"analysis room, project {project.id}",
                                    scope=f"project:{project.id}", lifetime=lifetime)
                _, row = resolve_token(session, token)
                svc.audit.record(session, actor=username, action="hub.spawn", object_type="project",
                                 object_id=project.id, token_id=row.id, channel=channel)
            except BaseException:
                # The transaction rolls back: the decrypted copy must not outlive it.
                clear_workspace_data(workspace.root)
                raise
    except EnclaveError as error:
        svc.record_event(actor=username, action="hub.spawn", object_type="user", object_id=username,
                         outcome="denied", reason=type(error).__name__, channel=channel)
        raise
    return WorkspaceSession(workspace=workspace, api_token=token, token_id=row.id)


def close_workspace(svc: EnclaveService, username: str, project_id: int, token_id: int, *,
                    channel: str = "hub", failed_start: bool = False) -> bool:
    """Remove the decrypted dataset and revoke the token; audit ``hub.stop``.

    Safe to call twice: the second call finds nothing to remove and the token already revoked.

    Args:
        svc: The opened enclave.
        username: The researcher.
        project_id: The workspace's project.
        token_id: The token to revoke (0: none).
        channel: Recorded with the audit events.
        failed_start: The server did not start: ``hub.spawn`` is recorded as failed too.

    Returns:
        Whether a decrypted dataset was removed.
    """
    removed = False
    try:
        removed = clear_workspace_data(workspace_root(svc.settings, project_id, username))
    finally:
        # The token is revoked and the stop recorded whatever the removal met.
        with svc.session() as session:
            if token_id:
                revoke_token(svc, session, token_id, actor="hub")
            if failed_start:
                svc.audit.record(session, actor=username, action="hub.spawn", object_type="project",
                                 object_id=project_id, outcome="failed", reason="server did not start",
                                 token_id=token_id, channel=channel)
            svc.audit.record(session, actor=username, action="hub.stop", object_type="project",
                             object_id=project_id, data_removed=removed, channel=channel)
    return removed
