"""The language of a web request, fed to the project's one translation lookup.

Order: the user's explicit choice (``?lang=``, remembered in the session for
pages), then the browser's ``Accept-Language``, then ``ENCLAVE_LANG``
(``ko``, ``ko_KR.UTF-8``, … see :func:`translation.normalize_language`),
then English. :func:`translation.current_language` asks
:func:`request_language` first, so every package's messages — the service's,
the privacy report's, the output checks' — follow the page.
"""

from __future__ import annotations

from flask import Response, g, has_request_context, request, session

from enclave.settings import Settings
from enclave.web.identity import is_api_request
from translation import DEFAULT_LANGUAGE, LANGUAGES, normalize_language, register_language_source

__all__ = ["choose_language", "label_language", "request_language"]


def request_language() -> str | None:
    """Return the language of the current request, or None outside one."""
    if not has_request_context():
        return None
    chosen = g.get("lang")
    return chosen if isinstance(chosen, str) else None


def choose_language(settings: Settings) -> None:
    """Decide the request's language and put it in ``g.lang`` (call before anything is rendered)."""
    register_language_source(request_language)
    asked = normalize_language(request.args.get("lang"))
    if asked and not is_api_request():
        session["lang"] = asked
    stored = normalize_language(session.get("lang")) if not is_api_request() else None
    browser = request.accept_languages.best_match(LANGUAGES)
    g.lang = asked or stored or browser or normalize_language(settings.lang) or DEFAULT_LANGUAGE


def label_language(response: Response) -> Response:
    """Say which language the answer is in, and that it depends on ``Accept-Language`` (for caches)."""
    if has_request_context() and g.get("lang"):
        response.headers["Content-Language"] = g.lang
        response.vary.add("Accept-Language")
    return response
