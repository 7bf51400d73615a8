"""The demo's hands: the product's own commands and its HTTP service, run as separate processes.

The demo is a script over the product's public interfaces. Every step an
operator or an agency takes is one of the product's commands (``enclave``,
``linkage``, ``export-review``) run as a child process, exactly as a person
would type it; every step a researcher or steward takes is an HTTP request to
``enclave serve``. The stage-4 jobs run in the server's embedded worker, or,
when the parties are separated, in an ``enclave worker`` process of their own.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

__all__ = ["ApiClient", "Commands", "DemoStepFailed", "free_port", "run_jobs", "run_worker", "serve",
           "serve_enclave"]


class DemoStepFailed(RuntimeError):
    """A step of the demo did not do what it should; the message says which and why."""


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _executable(name: str) -> str:
    # The console scripts installed beside this interpreter, so the demo runs
    # the same installation it was started from.
    beside = Path(sys.executable).with_name(name)
    return str(beside) if beside.exists() else name


def _inherited_environment() -> dict[str, str]:
    # The demo's parties get only the settings it gives them: an ENCLAVE_* or
    # LINKAGE_UNIT_* variable of the person running it (or of the other party)
    # must not leak into a command.
    return {k: v for k, v in os.environ.items()
            if not k.startswith(("ENCLAVE_", "LINKAGE_UNIT_")) and k not in ("LINKAGE_TOKEN", "LINKAGE_KEY_PASSPHRASE")}


@dataclass
class Commands:
    """Runs the product's commands with the demo's environment.

    Args:
        environment: ``ENCLAVE_*`` (and other) variables every command gets.
        cwd: Folder the commands run in.
    """

    environment: Mapping[str, str]
    cwd: Path
    ran: list[str] = field(default_factory=list)

    def run(self, program: str, *args: str | os.PathLike[str], extra_env: Mapping[str, str] | None = None,
            timeout: float = 600) -> str:
        """Run ``program args…`` and return what it printed.

        Raises:
            DemoStepFailed: It exited non-zero; the message carries its last error line.
        """
        argv = [_executable(program), *(str(a) for a in args)]
        env = {**_inherited_environment(), **self.environment, **(extra_env or {})}
        self.ran.append(" ".join([program, *(str(a) for a in args[:2])]))
        done = subprocess.run(argv, cwd=self.cwd, env=env, capture_output=True, text=True, timeout=timeout,
                              check=False)
        if done.returncode != 0:
            reason = (done.stderr.strip() or done.stdout.strip()).splitlines()
            raise DemoStepFailed(f"`{program} {' '.join(str(a) for a in args[:2])}` exited with "
                                 f"{done.returncode}: {reason[-1] if reason else 'no message'}")
        return done.stdout

    def enclave(self, *args: str | os.PathLike[str], **kwargs: Any) -> str:
        """Run ``enclave …``."""
        return self.run("enclave", *args, **kwargs)

    def linkage(self, *args: str | os.PathLike[str], **kwargs: Any) -> str:
        """Run ``linkage …`` (what an agency runs on its own machine)."""
        return self.run("linkage", *args, **kwargs)


def _stop(process: subprocess.Popen[bytes]) -> int:
    """SIGTERM the process's group, wait for it (SIGKILL after 30 s); return its exit code."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        return process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        return process.wait(timeout=10)


def _start(commands: Commands, args: Sequence[str], log_file: Path,
           extra_env: Mapping[str, str] | None) -> subprocess.Popen[bytes]:
    env = {**_inherited_environment(), **commands.environment, **(extra_env or {})}
    with open(log_file, "ab") as log:
        return subprocess.Popen([_executable("enclave"), *args], cwd=commands.cwd, env=env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)


@contextlib.contextmanager
def serve(commands: Commands, args: Sequence[str], log_file: Path, *, port: int,
          extra_env: Mapping[str, str] | None = None, ready_seconds: float = 60) -> Iterator[str]:
    """Run a server command of ``enclave`` (``serve``, ``linkage-unit serve``) on ``port``; yield its URL.

    It counts as up once its ``/api/v1/openapi.json`` answers.

    Raises:
        DemoStepFailed: The server did not answer within ``ready_seconds``.
    """
    url = f"http://127.0.0.1:{port}"
    name = " ".join(["enclave", *args])
    server = _start(commands, [*args, "--host", "127.0.0.1", "--port", str(port)], log_file, extra_env)
    try:
        deadline = time.monotonic() + ready_seconds
        while True:
            if server.poll() is not None:
                raise DemoStepFailed(f"`{name}` stopped at start (exit {server.returncode}); see {log_file}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{url}/api/v1/openapi.json", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise DemoStepFailed(f"`{name}` did not answer within {ready_seconds:.0f} s; see {log_file}")
            time.sleep(0.2)
        yield url
    finally:
        _stop(server)


@contextlib.contextmanager
def serve_enclave(commands: Commands, log_file: Path, *, port: int | None = None,
                  extra_env: Mapping[str, str] | None = None, ready_seconds: float = 60) -> Iterator[str]:
    """Run ``enclave serve`` on ``port`` (a free one by default); yield its URL.

    Raises:
        DemoStepFailed: The server did not answer within ``ready_seconds``.
    """
    port = port or free_port()
    env = {"ENCLAVE_PUBLIC_URL": f"http://127.0.0.1:{port}", **(extra_env or {})}
    with serve(commands, ["serve"], log_file, port=port, extra_env=env, ready_seconds=ready_seconds) as url:
        yield url


@contextlib.contextmanager
def run_worker(commands: Commands, log_file: Path) -> Iterator[None]:
    """Run ``enclave worker`` beside the server; stop it with SIGTERM at the end, as an operator would.

    Raises:
        DemoStepFailed: The worker stopped by itself, or did not exit cleanly on SIGTERM.
    """
    worker = _start(commands, ["worker", "--poll-seconds", "0.5"], log_file, None)
    failed = False
    try:
        yield
    except BaseException:
        failed = True
        raise
    finally:
        early = worker.poll()
        code = _stop(worker) if early is None else early
        if not failed:
            if early is not None:
                raise DemoStepFailed(f"`enclave worker` stopped by itself (exit {early}); see {log_file}")
            if code != 0:
                raise DemoStepFailed(f"`enclave worker` exited with {code} on SIGTERM; see {log_file}")


@dataclass
class ApiClient:
    """The JSON API as one person (their token) calls it.

    Args:
        base_url: The service's URL.
        token: The person's API token.
        who: Their user name, for messages.
    """

    base_url: str
    token: str
    who: str
    _http: requests.Session = field(default_factory=requests.Session, repr=False)

    def _call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        answer = self._http.request(method, f"{self.base_url}/api/v1{path}",
                                    headers={"Authorization": f"Bearer {self.token}"}, timeout=300, **kwargs)
        if answer.status_code >= 400:
            try:
                reason = answer.json().get("error", answer.reason)
            except ValueError:
                reason = answer.reason
            raise DemoStepFailed(f"{self.who}: {method} {path} answered {answer.status_code}: {reason}")
        return answer

    def get(self, path: str) -> Any:
        """GET a JSON document."""
        return self._call("GET", path).json()

    def post(self, path: str, body: Mapping[str, Any] | None = None) -> Any:
        """POST JSON and return the JSON answer."""
        return self._call("POST", path, json=dict(body or {})).json()

    def download(self, path: str, to: Path) -> Path:
        """GET a file and write it to ``to``."""
        answer = self._call("GET", path)
        to.parent.mkdir(parents=True, exist_ok=True)
        to.write_bytes(answer.content)
        return to

    def wait_for_job(self, job: Mapping[str, Any], *, timeout: float = 900) -> dict[str, Any]:
        """Poll a stage-4 job until it ends; return its final state.

        Raises:
            DemoStepFailed: It failed, was cancelled or did not end in time.
        """
        deadline = time.monotonic() + timeout
        while True:
            current = self.get(f"/jobs/{job['id']}")
            if current["state"] == "succeeded":
                return dict(current)
            if current["state"] in ("failed", "cancelled"):
                raise DemoStepFailed(f"job {current['id']} ({current['kind']}) {current['state']}: "
                                     f"{current.get('error') or 'no message'}")
            if time.monotonic() > deadline:
                raise DemoStepFailed(f"job {current['id']} ({current['kind']}) did not end in {timeout:.0f} s")
            time.sleep(0.25)


def run_jobs(client: ApiClient, project_id: int, kinds: Sequence[str]) -> list[dict[str, Any]]:
    """Start each stage-4 job in turn and wait for it; return their final states."""
    done = []
    for kind in kinds:
        job = client.post(f"/projects/{project_id}/jobs", {"kind": kind})
        done.append(client.wait_for_job(job))
    return done
