"""Text a request carries must be UTF-8 without NUL: query, form fields, file names, JSON.

Werkzeug is lenient with bytes that are not UTF-8, each way silently: in a
query or a URL-encoded form it keeps them percent-encoded (``%FF`` arrives as
the three characters ``%FF``), in a multipart field it turns them into U+FFFD,
and a multipart file name holding one makes the whole form vanish (the answer
would be a puzzling CSRF refusal). A view would then store damaged text as if
it had been typed. Such a request is refused before any view runs, with a
message that says how to send it; the raw bytes are checked, not the decoded
text, so a percent sign typed on purpose is still welcome.

NUL (U+0000) is refused in every one of them and in JSON bodies: no field of
this service means it, PostgreSQL cannot store it in text (the insert would
fail as a 500) and SQLite would store a string other tools cut short.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_to_bytes

from flask import request

from enclave.errors import InputError
from enclave.messages import text

__all__ = ["check_text_input"]

# Forms of this service are small (the largest carries a 256 KiB policy file); a
# bigger body is left to werkzeug's own limits rather than read into memory here.
_CHECKED_BODY_BYTES = 2 * 1024 * 1024


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\0" not in data


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\0" in value
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    return False


def _urlencoded_is_utf8(data: bytes) -> bool:
    return all(_is_utf8(unquote_to_bytes(part.replace(b"+", b" "))) for pair in data.split(b"&")
               for part in pair.split(b"=", 1))


def _multipart_headers_are_utf8(data: bytes) -> bool:
    # Part headers name the field and the file; the part bodies (file contents) may be any bytes.
    return all(_is_utf8(line) for line in data.split(b"\r\n") if line[:20].lower().startswith(b"content-disposition"))


def _body_is_utf8() -> bool:
    mimetype = request.mimetype
    if request.is_json:
        if (request.content_length or 0) > _CHECKED_BODY_BYTES:
            return True
        try:
            # Parsed once and cached: the view's own get_json() reads the same value.
            return not _has_nul(request.get_json(silent=True))
        except RecursionError:
            raise InputError(text("web.json_too_deep")) from None
    if mimetype not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return True  # uploads and JSON: their stream stays unread for the view, which checks its own format
    if (request.content_length or 0) > _CHECKED_BODY_BYTES:
        return True
    data = request.get_data(cache=True)  # the form parser reads the cached bytes afterwards
    if mimetype == "multipart/form-data":
        values = [value for _, value in request.form.items(multi=True)]
        return _multipart_headers_are_utf8(data) and not any("\ufffd" in v or "\0" in v for v in values)
    return _urlencoded_is_utf8(data)


def check_text_input() -> None:
    """Refuse a request whose query, form fields, file names or JSON strings are not UTF-8 text without NUL.

    Raises:
        InputError: Some text held bytes that are not UTF-8, or a NUL; no value is named.
    """
    if not _urlencoded_is_utf8(request.query_string) or not _body_is_utf8():
        raise InputError(text("web.not_utf8"))
