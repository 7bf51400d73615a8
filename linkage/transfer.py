"""The agency's HTTP client for the enclave's API (stage 4-3, 결합대상정보 송신), standard library only.

An agency installs :mod:`linkage` alone, so this speaks HTTP with
:mod:`http.client` rather than a third-party library. It uploads a sealed
package as a stream (never read whole into memory) with its SHA-256 in the
header the enclave checks, lists the agency's submissions, and reads the
enclave's published public keys.

Retries: a connection error, a timeout, or a 502/503/504 answer is retried
with bounded exponential backoff. A retried upload cannot duplicate a
package: the enclave answers a second arrival of the same package (same id,
same SHA-256, same agency and project) with the original receipt and
``duplicate: true``. A failed TLS handshake (an untrusted or wrong
certificate) is never retried: it does not fix itself, and retrying would only
hide it; a TLS connection cut later is retried like any other.

The usual ``https_proxy`` / ``http_proxy`` / ``no_proxy`` variables are
honoured, as :mod:`urllib` does: HTTPS goes through a CONNECT tunnel, so the
proxy never sees the token or the package. Every failure becomes one :class:`~linkage.errors.TransferError` subclass per
kind, mapped once from the status code in :data:`STATUS_ERRORS`. The token is
sent only in the ``Authorization`` header and is never part of a message.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.client
import json
import os
import ssl
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from linkage.errors import (
    NotAuthorizedError,
    ServerError,
    TlsError,
    TransferError,
    UnreachableError,
    UploadConflictError,
    UploadRefusedError,
    UploadTooLargeError,
    WrongProjectError,
)
from linkage.messages import text

__all__ = [
    "RETRY_STATUSES",
    "STATUS_ERRORS",
    "EnclaveClient",
    "UploadReceipt",
    "file_sha256",
]

#: Answers that mean "try again shortly": a proxy or the service is restarting.
RETRY_STATUSES: frozenset[int] = frozenset({502, 503, 504})

#: Error class and message id per refusing status; other 4xx are refusals, other 5xx server errors.
STATUS_ERRORS: dict[int, tuple[type[TransferError], str]] = {
    401: (NotAuthorizedError, "transfer.unauthorized"),
    403: (WrongProjectError, "transfer.forbidden"),
    404: (WrongProjectError, "transfer.not_found"),
    409: (UploadConflictError, "transfer.conflict"),
    413: (UploadTooLargeError, "transfer.too_large"),
}

_BLOCK = 1 << 20
_REASON_LIMIT = 300


def file_sha256(path: Path) -> tuple[str, int]:
    """Return the SHA-256 (hex) and size of a file, reading it in blocks.

    Args:
        path: The file.

    Returns:
        The hex digest and the size in bytes.
    """
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while block := handle.read(_BLOCK):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


@dataclass(frozen=True)
class UploadReceipt:
    """What the enclave says it received.

    Attributes:
        kind: ``content`` or ``match_keys``.
        package_id: The package's id.
        row_count: Rows in the package.
        sha256: SHA-256 of the package as the enclave received it.
        received_by: ``enclave`` or ``linkage-unit``.
        duplicate: True when the enclave already held this very package and stored nothing new.
        destination: The URL the package was sent to.
    """

    kind: str
    package_id: str
    row_count: int
    sha256: str
    received_by: str
    duplicate: bool
    destination: str


def _server_reason(body: bytes) -> str:
    """The server's JSON ``error``, cleaned for a terminal (the enclave writes it without data)."""
    try:
        reason = json.loads(body.decode("utf-8")).get("error", "")
    except (ValueError, AttributeError, UnicodeDecodeError):
        return ""
    if not isinstance(reason, str):
        return ""
    # No control characters reach the terminal, whatever a proxy in between sent.
    cleaned = "".join(ch if ch.isprintable() else " " for ch in reason).strip()
    return cleaned[:_REASON_LIMIT]


@dataclass(frozen=True)
class _Proxy:
    """An HTTP proxy from the usual environment variables, and its credentials header if any."""

    host: str
    port: int
    headers: dict[str, str] = field(repr=False)


def _proxy_for(scheme: str, host: str) -> _Proxy | None:
    """The proxy ``https_proxy`` / ``http_proxy`` name for ``scheme``, unless ``no_proxy`` covers ``host``.

    Agencies often reach the internet only through such a proxy; the standard
    library's :mod:`urllib` honours these variables, so this client does too.
    """
    address = urllib.request.getproxies().get(scheme)
    if not address or urllib.request.proxy_bypass(host):
        return None
    parsed = urllib.parse.urlsplit(address if "://" in address else f"http://{address}")
    if not parsed.hostname:
        return None
    headers: dict[str, str] = {}
    if parsed.username is not None:
        pair = f"{urllib.parse.unquote(parsed.username)}:{urllib.parse.unquote(parsed.password or '')}"
        headers["Proxy-Authorization"] = "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")
    return _Proxy(parsed.hostname, parsed.port or 8080, headers)


class EnclaveClient:
    """A small client of the enclave's JSON API.

    Args:
        base_url: The enclave's address, e.g. ``https://enclave.example.org``.
        token: The agency's API token, or None for public endpoints.
        timeout: Seconds to wait for a connection or a read.
        retries: Further attempts after a connection error, a timeout or a 502/503/504.
        backoff: Seconds before the first retry; doubled each time, capped at 30 s.
        ca_file: A CA bundle to verify the enclave's certificate with (default: the system's).
        sleep: How to wait between attempts (tests pass a recorder).
        on_retry: Called with (attempt, reason) before each retry, for progress lines.

    Raises:
        TransferError: The URL is not http(s)://host[:port][/path].
    """

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        timeout: float = 60.0,
        retries: int = 4,
        backoff: float = 1.0,
        ca_file: str | os.PathLike[str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        on_retry: Callable[[int, str], None] | None = None,
    ) -> None:
        parsed = urllib.parse.urlsplit(base_url.strip())
        if parsed.scheme not in ("http", "https") or not parsed.hostname or parsed.query or parsed.fragment:
            raise TransferError(text("transfer.bad_url"))
        try:
            self._port = parsed.port
        except ValueError:
            raise TransferError(text("transfer.bad_url")) from None
        self._scheme = parsed.scheme
        self._host = parsed.hostname
        self._prefix = parsed.path.rstrip("/")
        self.base_url = urllib.parse.urlunsplit((parsed.scheme, parsed.netloc, self._prefix, "", ""))
        self._token = token
        self._timeout = timeout
        self._retries = max(0, retries)
        self._backoff = max(0.0, backoff)
        self._ca_file = ca_file
        self._sleep = sleep
        self._on_retry = on_retry
        self._proxy = _proxy_for(self._scheme, self._host)

    def __repr__(self) -> str:
        # Never the token.
        return f"EnclaveClient({self.base_url!r})"

    # -- public operations -----------------------------------------------------
    def url(self, path: str) -> str:
        """Return the full URL of an API path (``/api/v1/...``)."""
        return self.base_url + path

    def upload_package(
        self, package: Path, project_id: int, *, checksum: tuple[str, int] | None = None
    ) -> UploadReceipt:
        """Upload a sealed package to a project, streaming it from disk.

        Args:
            package: The sealed package file.
            project_id: The enclave's project number.
            checksum: The file's (SHA-256 hex, size) if the caller computed it already.

        Returns:
            The enclave's receipt.

        Raises:
            TransferError: One subclass per kind of failure (see :mod:`linkage.errors`).
        """
        # Ask first whether the project is ours: a wrong token or project is told
        # in one short request rather than after streaming a large file.
        self._call("GET", f"/api/v1/projects/{project_id}")
        digest, size = checksum or file_sha256(package)
        path = f"/api/v1/projects/{project_id}/packages"
        with package.open("rb") as handle:
            status, body = self._call(
                "PUT",
                path,
                body=handle,
                headers={
                    "Content-Type": "application/octet-stream",
                    "Content-Length": str(size),
                    "X-Content-SHA256": digest,
                },
            )
        receipt = self._json(status, body)
        try:
            result = UploadReceipt(
                kind=str(receipt["kind"]),
                package_id=str(receipt["package_id"]),
                row_count=int(receipt["row_count"]),
                sha256=str(receipt["sha256"]),
                received_by=str(receipt["received_by"]),
                duplicate=bool(receipt.get("duplicate", False)),
                destination=self.url(path),
            )
        except (KeyError, TypeError, ValueError):
            raise ServerError(text("transfer.bad_answer", status=status)) from None
        if result.sha256.lower() != digest:
            raise ServerError(text("transfer.receipt_mismatch"))
        return result

    def list_submissions(self) -> list[dict[str, Any]]:
        """Return the calling agency's content submissions, newest first."""
        status, body = self._call("GET", "/api/v1/submissions")
        found = self._json(status, body)
        if not isinstance(found, list):
            raise ServerError(text("transfer.bad_answer", status=status))
        return [s for s in found if isinstance(s, dict)]

    def fetch_public_keys(self) -> Any:
        """Return the enclave's published public keys document (``GET /api/v1/keys``), unverified."""
        status, body = self._call("GET", "/api/v1/keys")
        return self._json(status, body)

    # -- plumbing --------------------------------------------------------------
    def _json(self, status: int, body: bytes) -> Any:
        try:
            return json.loads(body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            raise ServerError(text("transfer.bad_answer", status=status)) from None

    def _connection(self) -> http.client.HTTPConnection:
        host, port = (self._proxy.host, self._proxy.port) if self._proxy else (self._host, self._port)
        if self._scheme == "https":
            context = ssl.create_default_context(cafile=os.fspath(self._ca_file) if self._ca_file else None)
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                host, port, timeout=self._timeout, context=context, blocksize=_BLOCK
            )
            if self._proxy is not None:
                # A CONNECT tunnel: the proxy sees only the host name; TLS (and the
                # certificate check against the enclave's name) runs end to end.
                conn.set_tunnel(self._host, self._port or 443, headers=self._proxy.headers)
            return conn
        return http.client.HTTPConnection(host, port, timeout=self._timeout, blocksize=_BLOCK)

    def _target(self, path: str) -> str:
        # A plain-HTTP proxy is sent the absolute URL; everything else the path.
        if self._proxy is not None and self._scheme == "http":
            return self.base_url + path
        return self._prefix + path

    def _headers(self, extra: Mapping[str, str]) -> dict[str, str]:
        headers = {"Accept": "application/json", "User-Agent": "linkage-partner-tool", **extra}
        if self._token is not None:
            headers["Authorization"] = f"Bearer {self._token}"
        if self._proxy is not None and self._scheme == "http":
            headers.update(self._proxy.headers)
        return headers

    def _attempt(
        self, method: str, path: str, body: BinaryIO | None, headers: Mapping[str, str]
    ) -> tuple[int, bytes]:
        conn = self._connection()
        try:
            try:
                conn.connect()
            except ssl.SSLError as error:
                # A certificate or handshake failure: retrying cannot help. A TLS
                # connection cut later (an SSLEOFError mid-body) is retried below.
                reason = getattr(error, "verify_message", None) or getattr(error, "reason", None) or "TLS"
                raise TlsError(text("transfer.tls", url=self.base_url, reason=reason)) from None
            if body is not None:
                body.seek(0)
            # The server may have answered (a refusal) and closed before reading the whole
            # body; its answer is the truth, the broken pipe only its consequence.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                conn.request(method, self._target(path), body=body, headers=self._headers(headers))
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def _call(
        self,
        method: str,
        path: str,
        *,
        body: BinaryIO | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, bytes]:
        """Send one request with retries; return (status, body) of a 2xx answer or raise."""
        attempt = 0
        while True:
            try:
                status, answer = self._attempt(method, path, body, headers or {})
            except (OSError, http.client.HTTPException) as error:
                retry_reason = type(error).__name__
                if attempt >= self._retries:
                    raise UnreachableError(
                        text("transfer.unreachable", url=self.base_url, attempts=attempt + 1, reason=retry_reason)
                    ) from None
            else:
                if 200 <= status < 300:
                    return status, answer
                if status not in RETRY_STATUSES or attempt >= self._retries:
                    raise self._refusal(status, answer)
                retry_reason = f"HTTP {status}"
            attempt += 1
            if self._on_retry is not None:
                self._on_retry(attempt, retry_reason)
            self._sleep(min(30.0, self._backoff * 2 ** (attempt - 1)))

    def _refusal(self, status: int, body: bytes) -> TransferError:
        reason = _server_reason(body) or f"HTTP {status}"
        if status in STATUS_ERRORS:
            cls, message_id = STATUS_ERRORS[status]
        elif 400 <= status < 500:
            cls, message_id = UploadRefusedError, "transfer.refused"
        else:
            cls, message_id = ServerError, "transfer.server_error"
        return cls(text(message_id, url=self.base_url, status=status, reason=reason))
