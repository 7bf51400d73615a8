"""Who is asking: a web session (cookie) for pages, a bearer token for the API.

Pages never accept tokens and the API never accepts cookies, so a page in
another site cannot drive the API with a logged-in browser, and a leaked
token cannot open the pages.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import g, redirect, request, session, url_for

from enclave.db.models import ApiToken, Project, Role, SessionEnd, User, WebSession
from enclave.errors import AuthenticationError, NotFound, PermissionDenied, SessionEnded
from enclave.messages import label
from enclave.messages import text as domain_text
from enclave.users import end_session, resolve_session, resolve_token, start_session
from enclave.web.client_description import describe_client
from enclave.web.database import current_service, current_settings, db_session
from enclave.web.errors import TokenScopeDenied
from enclave.web.messages import text

__all__ = [
    "check_token_scope",
    "Viewer",
    "current_user",
    "current_viewer",
    "current_web_session",
    "is_api_request",
    "is_member",
    "load_identity",
    "log_in",
    "log_out",
    "login_required",
    "not_found",
]

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Viewer:
    """What pages show of the current user; outlives the request's database session.

    Error pages are rendered after the session rolled back, when the ORM
    ``User`` can no longer be read, so templates use this copy instead.
    """

    id: int
    username: str
    role: Role
    agency_code: str | None

    @classmethod
    def of(cls, user: User) -> Viewer:
        """Copy what pages need from ``user``."""
        return cls(id=user.id, username=user.username, role=user.role, agency_code=user.agency_code)


def _set_user(user: User | None) -> None:
    g.user = user
    g.viewer = Viewer.of(user) if user is not None else None


def current_viewer() -> Viewer | None:
    """The current user as pages show them, or ``None`` when anonymous."""
    viewer: Viewer | None = g.get("viewer")
    return viewer


def is_api_request() -> bool:
    """Whether the request is for the JSON API."""
    return request.path.startswith("/api/")


def current_user() -> User | None:
    """The user of this request, or ``None`` when anonymous."""
    user: User | None = g.get("user")
    return user


def acting_user() -> User:
    """The user of this request, in a view that required a login.

    Raises:
        AuthenticationError: Nobody is logged in (a view without ``login_required``).
    """
    user = current_user()
    if user is None:
        raise AuthenticationError(text("error.401"))
    return user


def current_web_session() -> WebSession | None:
    """The database row of this request's web session, or ``None`` (anonymous, or the API)."""
    row: WebSession | None = g.get("web_session")
    return row


def _clear_cookie() -> None:
    # The cookie keeps only the chosen language: no session id, no CSRF token.
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def log_in(user: User) -> None:
    """Start a fresh web session for ``user`` (a new session id and CSRF token, no old state).

    The session lives in the database; the cookie carries only its random id.
    """
    _clear_cookie()
    settings = current_settings()
    session_id, row = start_session(db_session(), user, client=describe_client(request.user_agent.string),
                                    lifetime=dt.timedelta(hours=settings.session_absolute_hours))
    session["sid"] = session_id
    g.web_session = row
    _set_user(user)


def log_out() -> None:
    """End this browser's web session, keeping only the chosen language."""
    row = current_web_session()
    user = current_user()
    if row is not None and user is not None:
        end_session(current_service(), db_session(), row, SessionEnd.logout, actor=user.username)
    _clear_cookie()
    g.web_session = None
    _set_user(None)


def _load_from_token() -> None:
    header = request.headers.get("Authorization", "")
    if not header:
        return
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError(text("error.bearer_required"))
    user, row = resolve_token(db_session(), token.strip())
    _set_user(user)
    g.token = row


def _load_from_cookie() -> None:
    session_id = session.get("sid")
    if session_id is None:
        return
    idle = dt.timedelta(minutes=current_settings().session_minutes)
    try:
        row = resolve_session(current_service(), db_session(), str(session_id), idle=idle)
    except SessionEnded as ended:
        _clear_cookie()
        g.session_expired = ended.reason
        return
    g.web_session = row
    _set_user(row.user)


def load_identity() -> None:
    """Establish ``g.user`` (and ``g.token`` for the API); a ``before_request`` hook."""
    _set_user(None)
    g.token = None
    g.web_session = None
    g.session_expired = None
    if is_api_request():
        _load_from_token()
    else:
        _load_from_cookie()


def check_token_scope(project_id: int) -> None:
    """Refuse a project-scoped token used on another project.

    Raises:
        TokenScopeDenied: The token names a different project.
    """
    token: ApiToken | None = g.get("token")
    if token is not None and token.scope and token.scope != f"project:{project_id}":
        raise TokenScopeDenied(text("error.token_scope"))


def _require_unscoped() -> None:
    # A kernel's token is for its own project only: routes without a project
    # in their path (lists, catalog, admin) are outside what it may do.
    token: ApiToken | None = g.get("token")
    if token is not None and token.scope:
        raise TokenScopeDenied(text("error.token_scope"))


def login_required(*roles: Role, project_scoped: bool = False) -> Callable[[F], F]:
    """Require a logged-in user, and one of ``roles`` when any are given.

    Anonymous page visitors are sent to the login page (with a "session
    expired" note when that is why); anonymous API callers get 401.

    Args:
        *roles: Roles allowed; none means any logged-in user.
        project_scoped: The route names a project (``project_id``) and checks
            a scoped token against it; otherwise scoped tokens are refused.
    """

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                if is_api_request():
                    raise AuthenticationError(text("error.bearer_required"))
                target = request.full_path if request.method == "GET" else None
                params: dict[str, Any] = {"next": target} if target else {}
                # The login page says why: idle ("1", as links from before kept it), past
                # its lifetime, or ended elsewhere (logout, revocation, password change).
                ended = g.get("session_expired")
                if ended:
                    params["expired"] = {"idle": 1, "lifetime": "lifetime"}.get(ended, "ended")
                return redirect(url_for("auth.login", **params))
            if roles and user.role not in roles:
                raise PermissionDenied(domain_text("users.forbidden", role=label(user.role)))
            if project_scoped:
                check_token_scope(int(kwargs["project_id"]))
            else:
                _require_unscoped()
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def is_member(user: User, project: Project) -> bool:
    """Whether ``user`` is on ``project``'s team."""
    return any(m.user_id == user.id for m in project.members)


def not_found() -> NotFound:
    """The 404 used for anything the viewer may not know exists."""
    return NotFound(text("error.404"))
