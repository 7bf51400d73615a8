"""The authenticator: enclave users, with the second factor, researchers of active projects only.

The login form asks for user name, password and one-time code (JupyterHub's
``request_otp`` field). A login succeeds only for an active researcher who is
a member of a project in state ``active``. Access is re-checked through
:meth:`EnclaveAuthenticator.refresh_user` on every request once
``auth_refresh_age`` seconds have passed (5 by default) and before every
spawn; ``auth_refresh_strict`` makes token-authenticated requests (the
notebook server asking the hub who a user is) fail too. When a project is
closed or destroyed its researchers' running servers are stopped at that
point, and the spawner's poll stops them even without a request.
"""

from __future__ import annotations

import asyncio
from typing import Any

from jupyterhub.auth import Authenticator
from tornado import web
from traitlets import Dict, default

from enclave.errors import AuthenticationError, EnclaveError
from enclave.hub.access import active_projects_for, may_enter_analysis_room
from enclave.hub.connection import hub_settings, service_for
from enclave.hub.messages import text
from enclave.service import EnclaveService
from enclave.users import authenticate, find_user

__all__ = ["EnclaveAuthenticator"]


class EnclaveAuthenticator(Authenticator):  # type: ignore[misc]
    """Log researchers in against the enclave's users and projects.

    Configuration (``c.EnclaveAuthenticator.<name>``): ``enclave_environment``
    (non-secret ``ENCLAVE_*`` values; the environment's own win) and
    JupyterHub's ``auth_refresh_age``.
    """

    enclave_environment = Dict(
        help="Non-secret ENCLAVE_* values of the enclave this hub serves; the environment's own win.",
    ).tag(config=True)

    @default("auth_refresh_age")
    def _default_auth_refresh_age(self) -> int:
        return 5

    @default("auth_refresh_strict")
    def _default_auth_refresh_strict(self) -> bool:
        return True

    @default("refresh_pre_spawn")
    def _default_refresh_pre_spawn(self) -> bool:
        return True

    @default("request_otp")
    def _default_request_otp(self) -> bool:
        return True

    @default("otp_prompt")
    def _default_otp_prompt(self) -> str:
        return text("hub.otp_prompt")

    @default("allow_all")
    def _default_allow_all(self) -> bool:
        # Who may log in is decided by authenticate() against the enclave's
        # projects, not by JupyterHub's allow lists.
        return True

    def _service(self) -> EnclaveService:
        return service_for(hub_settings(self.enclave_environment))

    def _check_login(self, username: str, password: str, otp: str | None) -> str | None:
        svc = self._service()
        try:
            with svc.session() as session:
                user = authenticate(svc, session, username, password, otp, channel="hub")
        except AuthenticationError:
            # authenticate() audited the failure; the form says only "invalid".
            return None
        with svc.session() as session:
            user = find_user(session, username)
            if may_enter_analysis_room(session, user):
                projects = [p.id for p in active_projects_for(session, user)]
                svc.audit.record(session, actor=username, action="hub.login", object_type="user",
                                 object_id=username, projects=projects)
                return user.username
        svc.record_event(actor=username, action="hub.login", object_type="user", object_id=username,
                         outcome="denied", reason="no_active_project")
        # The password was right, so saying why does not help a guesser.
        raise web.HTTPError(403, text("hub.no_active_project"))

    async def authenticate(self, handler: Any, data: dict[str, str]) -> str | None:
        """Check user name, password and one-time code; admit researchers of active projects.

        Returns:
            The user name, or ``None`` for a wrong name, password or code.

        Raises:
            tornado.web.HTTPError: 403 with a message when the credentials are
                right but the user has no active project (or is not a researcher).
        """
        username = (data.get("username") or "").strip()
        password = data.get("password") or ""
        otp = (data.get("otp") or "").strip() or None
        if not username or not password:
            return None
        return await asyncio.to_thread(self._check_login, username, password, otp)

    def _still_allowed(self, username: str) -> bool:
        svc = self._service()
        try:
            with svc.session() as session:
                return may_enter_analysis_room(session, find_user(session, username))
        except EnclaveError:
            # Access that cannot be confirmed ends: fail closed.
            return False

    async def refresh_user(self, user: Any, handler: Any = None) -> bool:
        """Re-check that ``user`` still has an active project; stop their servers when not.

        Returns:
            ``True`` while access holds; ``False`` forces a new login (which
            is then refused) and, for API requests, refuses the request.
        """
        if await asyncio.to_thread(self._still_allowed, user.name):
            return True
        # A server already being stopped is left to finish.
        running = [name for name, spawner in user.spawners.items() if spawner.ready and not spawner.pending]
        if running:
            self.log.warning("Access of %s ended: stopping %d server(s)", user.name, len(running))
            svc = self._service()
            await asyncio.to_thread(
                svc.record_event, actor="hub", action="hub.revoke", object_type="user", object_id=user.name,
                servers=len(running))
            for name in running:
                stopping = handler.stop_single_user(user, name) if handler is not None else user.stop(name)
                asyncio.ensure_future(stopping)
        return False
