"""``enclave serve`` for real: gunicorn's workers in production, Werkzeug in development.

Each test starts the real command as a subprocess on a free port of 127.0.0.1
and talks HTTP to it; the shared login-attempt count and concurrent writes are
checked across worker processes (and across this test's own process).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from enclave.db.models import LoginFailure
from enclave.service import EnclaveService

ROOT = Path(__file__).resolve().parents[3]


@dataclass
class Served:
    """A running ``enclave serve``: its process, port and log file."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
        """One request on a fresh connection (so the kernel may hand it to any worker)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.request(method, path, body=body, headers=headers or {})
        answer = conn.getresponse()
        answer.read()
        conn.close()
        return answer

    def children(self) -> list[int]:
        """Process ids whose parent is the server's main process."""
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError):
                    stat = (entry / "stat").read_text()
                    # The command name is in parentheses and may hold spaces; the parent id follows it.
                    if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                        found.append(int(entry.name))
        return found

    def stop(self) -> int:
        """SIGTERM, and the exit status once it has stopped."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=60)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def _serve(svc: EnclaveService, tmp_path: Path, mode: str, *extra: str) -> Iterator[Served]:
    settings = svc.settings
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENCLAVE_")}
    env.update(ENCLAVE_MODE=mode, ENCLAVE_DATA_DIR=str(settings.data_dir),
               ENCLAVE_DATABASE_URL=settings.database_url, ENCLAVE_WORKSPACES_DIR=str(settings.workspaces_dir),
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")])))
    script = Path(sys.executable).with_name("enclave")
    command = [str(script)] if script.exists() else [sys.executable, "-c", "from enclave.cli import main; main()"]
    port = _free_port()
    log = tmp_path / f"serve-{port}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([*command, "serve", "--port", str(port), *extra], env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    served = Served(process, port, log)
    try:
        for _ in range(600):
            assert process.poll() is None, log.read_text()
            with contextlib.suppress(OSError):
                if served.request("GET", "/login").status == 200:
                    break
            time.sleep(0.1)
        else:
            pytest.fail("enclave serve did not answer:\n" + log.read_text())
        yield served
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=60)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _form_login(served: Served, username: str, password: str) -> int:
    """Log in through the form, as a browser would: the page, its cookie and CSRF token, the post."""
    return _form_login_with_cookie(served, username, password)[0]


def _form_login_with_cookie(served: Served, username: str, password: str) -> tuple[int, str]:
    """:func:`_form_login`, also returning the session cookie the answer set."""
    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=60)
    conn.request("GET", "/login")
    page = conn.getresponse()
    html = page.read().decode()
    # Production cookies are Secure; over loopback http the test carries the cookie by hand.
    cookie = page.getheader("Set-Cookie", "").split(";", 1)[0]
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    body = urlencode({"csrf_token": found.group(1), "username": username, "password": password}).encode()
    conn.request("POST", "/login", body=body, headers={
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    answer = conn.getresponse()
    answer.read()
    conn.close()
    return answer.status, answer.getheader("Set-Cookie", "").split(";", 1)[0]


def _test_client_login(client: FlaskClient, username: str, password: str) -> int:
    client.get("/login")
    with client.session_transaction() as session:
        token = str(session["csrf"])
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token}).status_code


def test_production_mode_serves_through_gunicorn_workers(svc, tmp_path) -> None:
    with _serve(svc, tmp_path, "production", "--workers", "3") as served:
        answers = [served.request("GET", "/login") for _ in range(6)]
        workers = served.children()
        assert all(a.status == 200 for a in answers)
        assert answers[0].getheader("Server", "").startswith("gunicorn")
        assert len(workers) >= 2
        assert served.stop() == 0
    assert "with gunicorn, 3 worker processes" in served.log.read_text()
    assert all(not Path(f"/proc/{pid}").exists() for pid in workers)


def test_development_mode_serves_through_werkzeug_in_one_process(svc, tmp_path) -> None:
    with _serve(svc, tmp_path, "development") as served:
        answer = served.request("GET", "/login")
        assert answer.status == 200
        assert answer.getheader("Server", "").startswith("Werkzeug")
        assert served.children() == []


def test_dev_server_flag_forces_werkzeug_in_production_mode(svc, tmp_path) -> None:
    with _serve(svc, tmp_path, "production", "--dev-server") as served:
        assert served.request("GET", "/login").getheader("Server", "").startswith("Werkzeug")


def test_failed_logins_spread_over_workers_and_processes_still_block(svc, people, client, tmp_path) -> None:
    password = people["researcher"].password
    with _serve(svc, tmp_path, "production", "--workers", "3") as served:
        # Three failures at once, on separate connections, so that several workers take them.
        statuses: list[int] = []
        threads = [threading.Thread(target=lambda: statuses.append(_form_login(served, "rita", "wrong-guess-000")))
                   for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert statuses == [401, 401, 401]
        # Two more through this test's own process: another process again, same address.
        assert [_test_client_login(client, "rita", "wrong-guess-000") for _ in range(2)] == [401, 401]
        assert _form_login(served, "rita", password) == 429
        # Another account from the same address is not locked out by rita's failures.
        assert _form_login(served, "oscar", people["other_researcher"].password) == 302


def test_a_web_session_started_on_one_worker_is_honoured_by_the_others(svc, people, tmp_path) -> None:
    with _serve(svc, tmp_path, "production", "--workers", "3") as served:
        status, cookie = _form_login_with_cookie(served, "rita", people["researcher"].password)
        assert status == 302 and cookie.startswith("enclave_session=")
        # Fresh connections, so the kernel hands them to whichever worker accepts first.
        pages = [served.request("GET", "/projects", headers={"Cookie": cookie}) for _ in range(9)]
        assert [p.status for p in pages] == [200] * 9
        assert served.request("GET", "/projects").status == 302  # and without the cookie, the login page


def test_successful_login_forgives_the_counted_attempts(svc, people, tmp_path) -> None:
    with _serve(svc, tmp_path, "production", "--workers", "2") as served:
        for _ in range(4):
            assert _form_login(served, "rita", "wrong-guess-000") == 401
        assert _form_login(served, "rita", people["researcher"].password) == 302
        with svc.session() as session:
            assert session.scalar(select(func.count()).select_from(LoginFailure)) == 0
        for _ in range(5):
            assert _form_login(served, "rita", "wrong-guess-000") == 401
        assert _form_login(served, "rita", people["researcher"].password) == 429


def test_concurrent_writes_from_several_workers_never_fail_and_keep_the_audit_chain(svc, people, tmp_path) -> None:
    # Each failed login writes a counted attempt and an audit event: forty at once, from
    # forty accounts-that-are-not, over three worker processes of one database.
    with _serve(svc, tmp_path, "production", "--workers", "3") as served:
        statuses: list[int] = []
        lock = threading.Lock()

        def fail(number: int) -> None:
            status = _form_login(served, f"nobody-{number}", "wrong-guess-000")
            with lock:
                statuses.append(status)

        threads = [threading.Thread(target=fail, args=(n,)) for n in range(40)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(statuses) == [401] * 40
    with svc.session() as session:
        assert svc.audit.verify(session) >= 40
        assert session.scalar(select(func.count()).select_from(LoginFailure)) == 40


def test_access_log_names_method_path_and_status_but_never_the_query(svc, tmp_path) -> None:
    with _serve(svc, tmp_path, "production", "--workers", "2") as served:
        assert served.request("GET", "/login?next=/projects/7&q=resident-880101").status == 200
        assert served.request("GET", "/catalog?q=secret-search-term").status in (200, 302)
        assert served.request("GET", "/no-such-page?token=enc_not-a-real-token").status == 404
        assert served.stop() == 0
    log = served.log.read_text()
    assert re.search(r'"GET /login" 200', log)
    assert "resident-880101" not in log
    assert "secret-search-term" not in log
    assert "enc_not-a-real-token" not in log
    assert '"GET /no-such-page" 404' in log
    assert "?" not in "".join(line for line in log.splitlines() if '"GET ' in line)
