"""Submitting from the kernel, against a real local HTTP server."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pandas as pd
import pytest

from export_review import OutputSession, SubmissionError

TOKEN = "tok-secret-123456"


class Recorder:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.reply: tuple[int, dict[str, Any]] = (201, {})


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Recorder]:
    recorder = Recorder()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            length = int(self.headers["Content-Length"])
            body = json.loads(self.rfile.read(length))
            recorder.requests.append({"path": self.path, "auth": self.headers["Authorization"],
                                      "body": body})
            status, payload = recorder.reply
            raw = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, *args: object) -> None:
            return

    httpd = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("ENCLAVE_API_URL", f"http://127.0.0.1:{httpd.server_port}/")
    monkeypatch.setenv("ENCLAVE_API_TOKEN", TOKEN)
    monkeypatch.setenv("ENCLAVE_PROJECT_ID", "P-2026-001")
    # A CI proxy must not intercept the request to the local server.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    yield recorder
    httpd.shutdown()
    httpd.server_close()


def test_submit_posts_evidence_and_returns_the_receipt(
        server: Recorder, session: OutputSession,
        people: Callable[..., pd.DataFrame]) -> None:
    session.crosstab(people({("F", "A"): 30, ("M", "A"): 40}), "sex", "region", name="t")
    server.reply = (201, {"id": 41, "status": "submitted",
                          "outputs": [{"name": "t", "status": "pass"}]})
    receipt = session.submit("Tables for the report")
    assert (receipt.id, receipt.status, receipt.outputs) == (41, "submitted", (("t", "pass"),))
    [request] = server.requests
    assert request["path"] == "/api/v1/projects/P-2026-001/export-requests"
    assert request["auth"] == f"Bearer {TOKEN}"
    assert request["body"]["title"] == "Tables for the report"
    assert request["body"]["outputs"][0]["name"] == "t"
    assert request["body"]["outputs"][0]["schema"] == "export-review/evidence"


def test_server_error_is_a_clear_submission_error_without_the_token(
        server: Recorder, session: OutputSession,
        people: Callable[..., pd.DataFrame]) -> None:
    session.crosstab(people({("F", "A"): 30}), "sex", "region", name="t")
    server.reply = (403, {"error": f"token {TOKEN} may not submit for this project"})
    with pytest.raises(SubmissionError) as caught:
        session.submit("x")
    assert caught.value.status == 403
    assert "403" in str(caught.value) and "may not submit" in str(caught.value)
    assert TOKEN not in str(caught.value)
    assert caught.value.__cause__ is None


def test_unexpected_body_is_reported(server: Recorder, session: OutputSession,
                                     people: Callable[..., pd.DataFrame]) -> None:
    session.crosstab(people({("F", "A"): 30}), "sex", "region", name="t")
    server.reply = (201, {"unexpected": True})
    with pytest.raises(SubmissionError, match="could not be read"):
        session.submit("x")


def test_missing_settings_name_the_variables(monkeypatch: pytest.MonkeyPatch,
                                             session: OutputSession,
                                             people: Callable[..., pd.DataFrame]) -> None:
    for name in ("ENCLAVE_API_URL", "ENCLAVE_API_TOKEN", "ENCLAVE_PROJECT_ID"):
        monkeypatch.delenv(name, raising=False)
    session.crosstab(people({("F", "A"): 30}), "sex", "region", name="t")
    with pytest.raises(SubmissionError, match="ENCLAVE_API_URL, ENCLAVE_API_TOKEN"):
        session.submit("x")


def test_unreachable_service_says_nothing_was_submitted(
        monkeypatch: pytest.MonkeyPatch, session: OutputSession,
        people: Callable[..., pd.DataFrame]) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("ENCLAVE_API_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("ENCLAVE_API_TOKEN", TOKEN)
    monkeypatch.setenv("ENCLAVE_PROJECT_ID", "P1")
    session.crosstab(people({("F", "A"): 30}), "sex", "region", name="t")
    with pytest.raises(SubmissionError, match="nothing was submitted") as caught:
        session.submit("x")
    assert TOKEN not in str(caught.value)
