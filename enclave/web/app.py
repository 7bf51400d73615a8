"""The Flask application factory.

``create_app`` opens the enclave (or takes an opened one from a test), sets
the cookie and security policy, and registers the pages and the JSON API.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, g, request

from enclave.service import EnclaveService, open_enclave
from enclave.settings import Settings, load_settings
from enclave.web.csrf import check_csrf, csrf_token
from enclave.web.database import end_db_session
from enclave.web.error_pages import register_error_handlers
from enclave.web.identity import current_viewer, is_api_request, load_identity
from enclave.web.language import choose_language, label_language
from enclave.web.messages import label, text
from enclave.web.rate_limit import LoginRateLimiter
from enclave.web.row_ids import bound_row_ids
from enclave.web.security_headers import add_security_headers
from enclave.web.text_input import check_text_input

__all__ = ["WebState", "create_app"]


@dataclass
class WebState:
    """What the app keeps between requests (``app.extensions["enclave"]``)."""

    service: EnclaveService
    settings: Settings
    login_limiter: LoginRateLimiter


def _language_switch_url() -> str:
    other = "ko" if g.get("lang") == "en" else "en"
    if g.get("is_error_page"):
        # An error page never echoes what was sent, not even inside a link.
        return f"/?lang={other}"
    args = {k: v for k, v in request.args.items() if k != "lang"}
    args["lang"] = other
    return f"{request.path}?{urlencode(args)}"


def _format_time(value: dt.datetime | dt.date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def create_app(settings: Settings | None = None, service: EnclaveService | None = None) -> Flask:
    """Create the enclave's web application.

    Args:
        settings: Settings to use; read from ``ENCLAVE_*`` variables when omitted
            (or taken from ``service``).
        service: An opened enclave (tests pass their own); opened from
            ``settings`` when omitted.

    Returns:
        The configured Flask app.

    Raises:
        ConfigurationError: Unsafe secrets outside development mode, or no key file.
        NotInitialized: ``enclave init`` has not been run.
    """
    if service is None:
        settings = settings or load_settings()
        service = open_enclave(settings)
    settings = settings or service.settings
    # Every process that opens the data folder clears what killed ones left (safe while others write).
    service.sweep_interrupted_writes()
    app = Flask("enclave.web", static_folder="static", template_folder="templates")
    bound_row_ids(app)
    app.config.update(
        SECRET_KEY=settings.secret_key or service.keys.session_secret,
        SESSION_COOKIE_NAME="enclave_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # Development runs on plain http://127.0.0.1; everywhere else is behind TLS.
        SESSION_COOKIE_SECURE=not settings.is_development,
        # Form posts are small; package uploads stream past this limit on their own route.
        MAX_FORM_MEMORY_SIZE=1024 * 1024,
    )
    app.json.sort_keys = False  # type: ignore[attr-defined]  # answers keep the documented field order
    app.extensions["enclave"] = WebState(service=service, settings=settings,
                                         login_limiter=LoginRateLimiter(service.db))

    @app.before_request
    def _before() -> Any:
        choose_language(settings)
        if request.endpoint == "static":
            return None
        check_text_input()
        load_identity()
        if not is_api_request():
            check_csrf()
        return None

    @app.after_request
    def _after(response: Response) -> Response:
        end_db_session(commit=response.status_code < 400)
        return add_security_headers(label_language(response))

    @app.teardown_request
    def _teardown(_error: BaseException | None) -> None:
        end_db_session(commit=False)

    app.jinja_env.globals.update(
        _=text, csrf_token=csrf_token, current_user=current_viewer,
        language_switch_url=_language_switch_url,
    )
    app.jinja_env.filters["when"] = _format_time
    app.jinja_env.filters["label"] = label

    register_error_handlers(app)
    from enclave.web.api import api_blueprint
    from enclave.web.views import page_blueprints

    for blueprint in page_blueprints():
        app.register_blueprint(blueprint)
    app.register_blueprint(api_blueprint)
    # The navigation shows links only to pages this build registers.
    app.jinja_env.globals["nav_endpoints"] = frozenset(app.view_functions)
    return app
