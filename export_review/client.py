"""Submit export requests from the researcher's kernel to the enclave service.

Contract with the service (the lead's JSON API):

* ``POST {ENCLAVE_API_URL}/api/v1/projects/{ENCLAVE_PROJECT_ID}/export-requests``
* header ``Authorization: Bearer {ENCLAVE_API_TOKEN}``
* body ``{"title": str, "outputs": [evidence, ...]}``
* ``201`` with ``{"id": int, "status": "submitted", "outputs": [{"name", "status"}, ...]}``
* errors as ``{"error": message}``, raised here as :class:`SubmissionError`.

The token is never part of an error message, even if the server echoes it.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from export_review.errors import SubmissionError
from export_review.messages import text

__all__ = ["SubmissionReceipt", "submit_export_request"]

_TIMEOUT_SECONDS = 60.0


@dataclass(frozen=True)
class SubmissionReceipt:
    """What the service answered to a submission.

    Attributes:
        id: the export request's id.
        status: its state (``submitted``).
        outputs: per output, its name and server-side status.
    """

    id: int
    status: str
    outputs: tuple[tuple[str, str], ...]


def _scrub(message: str, secret: str) -> str:
    return message.replace(secret, "[token]") if secret else message


def submit_export_request(
    title: str,
    evidence: Sequence[dict[str, Any]],
    *,
    environ: Mapping[str, str] | None = None,
    timeout: float = _TIMEOUT_SECONDS,
) -> SubmissionReceipt:
    """POST an export request to the enclave service.

    Args:
        title: what the request is for.
        evidence: the outputs' evidence dicts.
        environ: where to read ``ENCLAVE_*`` settings (default ``os.environ``).
        timeout: seconds to wait for the service.

    Returns:
        The receipt.

    Raises:
        SubmissionError: when a setting is missing, the service cannot be
            reached, or it answers with an error or an unexpected body.
    """
    env = os.environ if environ is None else environ
    missing = [k for k in ("ENCLAVE_API_URL", "ENCLAVE_API_TOKEN", "ENCLAVE_PROJECT_ID")
               if not env.get(k)]
    if missing:
        raise SubmissionError(text("client.missing_env", names=", ".join(missing)))
    token = env["ENCLAVE_API_TOKEN"]
    base = env["ENCLAVE_API_URL"].rstrip("/")
    project = urllib.parse.quote(env["ENCLAVE_PROJECT_ID"], safe="")
    url = f"{base}/api/v1/projects/{project}/export-requests"
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise SubmissionError(text("client.bad_url"))
    body = json.dumps({"title": title, "outputs": list(evidence)}).encode("utf-8")
    request = urllib.request.Request(
        url, data=body, method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                 "Accept": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status = response.status
            payload = response.read()
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        try:
            detail = str(json.loads(raw.decode("utf-8")).get("error", ""))
        except (ValueError, AttributeError, UnicodeDecodeError):
            detail = ""
        message = text("client.refused", status=exc.code,
                       detail=_scrub(detail, token) or text("client.no_detail"))
        raise SubmissionError(message, status=exc.code) from None
    except (urllib.error.URLError, OSError) as exc:
        del exc  # its text can include the URL's credentials or host details
        raise SubmissionError(text("client.unreachable")) from None
    if status != 201:
        raise SubmissionError(text("client.unexpected_status", status=status), status=status)
    try:
        data = json.loads(payload.decode("utf-8"))
        receipt = SubmissionReceipt(
            id=int(data["id"]), status=str(data["status"]),
            outputs=tuple((str(o["name"]), str(o["status"])) for o in data.get("outputs", [])),
        )
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        raise SubmissionError(text("client.bad_response"), status=status) from None
    return receipt
