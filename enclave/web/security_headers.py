"""Headers every answer carries.

The content security policy allows scripts, styles, images and script
requests (the job progress poll) to the service itself only and no inline script, so an injected tag cannot run; pages
are never framed (clickjacking on the approve buttons); and nothing but static
files may be cached, because data pages must not linger in shared caches or
the browser's back-button history.
"""

from __future__ import annotations

from flask import Response, request

__all__ = ["CONTENT_SECURITY_POLICY", "add_security_headers"]

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def add_security_headers(response: Response) -> Response:
    """Add the security headers to ``response`` (an ``after_request`` hook)."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers["X-Frame-Options"] = "DENY"
    headers["X-Content-Type-Options"] = "nosniff"
    # Object ids in URLs are nobody else's business.
    headers["Referrer-Policy"] = "no-referrer"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if request.endpoint != "static":
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    return response
