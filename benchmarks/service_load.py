"""Benchmark: ``enclave serve`` under 20 concurrent clients, gunicorn against Werkzeug.

Sets up a real enclave in a temporary folder (``enclave init``; researchers,
a steward, an agency and the researchers' API tokens through the ``enclave``
CLI; a catalog dataset and, for each configuration, one fresh active project
per researcher through the domain functions, since stage 4 is not what is
measured here), then starts ``enclave serve`` in production mode as a
subprocess and drives it from 20 client threads over loopback.

Each client mixes reads and writes, about two thirds reads:

* reads: API ``GET /api/v1/catalog/datasets``, ``/projects/<id>``,
  ``/projects/<id>/export-requests``; pages ``/catalog``, ``/projects/<id>``,
  ``/projects/apply`` (with a web session);
* writes: API ``POST /api/v1/projects/<id>/export-requests`` (an export request
  with two tables, every check re-run on the server, audit events), the
  ``/projects/apply`` form (a project application, audit event) and the login form
  (``GET /login`` and ``POST /login``: scrypt, an audit event, the shared
  login-attempt count).

Each client pauses between operations for a random 0 to 1 s (mean 500 ms,
``--think-ms``): busier than a person, about as busy as a kernel submitting
outputs. With 20 clients that keeps several requests in flight at once and
the server's CPUs well used; ``--think-ms 0`` floods it instead, which
measures throughput rather than the latency people see. Four configurations
run in turn: gunicorn (the production server, ``ENCLAVE_WEB_WORKERS`` default) and
Werkzeug's development server (``--dev-server``, the server it replaces), each
on SQLite (WAL, busy timeout) and on PostgreSQL (database ``bench_service``,
created or emptied; ``--postgres-url`` changes it). Targets: p99 at most
300 ms on PostgreSQL and 1 s on SQLite, with no 5xx, judged on gunicorn over
3,000 operations per configuration (``target_met`` is ``n/a`` on fewer, as in
``--quick``: the 99th percentile of 120 samples is their second-largest).

Every answer with an unexpected status counts as an error and is printed by
status, 5xx apart; so is a failed connection. The run exits 1 when gunicorn
answered any 5xx or dropped a connection. Servers are stopped (SIGTERM, then
SIGKILL to their process group) whatever happens.

Usage::

    python benchmarks/service_load.py            # 3,000 operations per configuration
    python benchmarks/service_load.py --quick    # CI: 120 operations each, 2 workers, Werkzeug on SQLite only

The last line printed is one line of space-separated ``name=value`` pairs.
"""

# ruff: noqa: E402
from __future__ import annotations

import os
import sys

# Other benchmark scripts in this folder are named like standard modules
# (e.g. tokenize.py); drop the folder from the path before anything imports them.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

import argparse
import contextlib
import datetime as dt
import http.client
import json
import random
import re
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.result_line import judge_target, print_result_line

CLIENTS = 20
#: Researcher accounts the clients share. Five clients per account at most: the login limit counts
#: an attempt from its start to its success, so a sixth simultaneous login of one account from one
#: address would be refused, as a sixth simultaneous guess must be.
RESEARCHERS = 4
PASSWORD = "benchmark-password-0001"
TARGET_MS = {"sqlite": 1000.0, "postgres": 300.0}
TARGET_OPERATIONS = 3000  # per configuration: the size the targets are defined for
#: Mean pause between a client's operations: a busy person or a kernel's submissions, not a flood.
THINK_MS = 500.0
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_service"
#: One client's cycle of operations (about two thirds reads); clients start at different points.
CYCLE = (
    "api_catalog", "api_export_create", "page_catalog", "api_project", "form_apply",
    "api_exports", "page_project", "api_catalog", "api_export_create", "page_apply",
    "api_project", "page_project", "api_exports", "form_login", "api_catalog",
    "api_export_create", "page_catalog", "api_project", "form_apply", "page_project",
)


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------- setup


@dataclass
class Enclave:
    """A benchmark enclave: its environment, and what the clients act on."""

    name: str
    env: dict[str, str]
    tokens: list[str] = field(default_factory=list)
    projects: list[int] = field(default_factory=list)
    dataset: int = 0


def _enclave_command() -> list[str]:
    script = Path(sys.executable).with_name("enclave")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from enclave.cli import main; main()"]


def _cli(enclave: Enclave, *args: str) -> str:
    done = subprocess.run([*_enclave_command(), *args], env=enclave.env, capture_output=True, text=True,
                          timeout=120, check=False)
    if done.returncode != 0:
        raise SystemExit(f"`enclave {args[0]} {args[1] if len(args) > 1 else ''}` failed: {done.stderr.strip()}")
    return done.stdout


def _prepare_postgres(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.replace("postgresql+psycopg://", "postgresql://").rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


def make_enclave(name: str, folder: Path, database_url: str, researchers: int) -> Enclave:
    """Initialise an enclave and add its users and their API tokens (all through the CLI)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENCLAVE_")}
    env.update(ENCLAVE_MODE="production", ENCLAVE_DATA_DIR=str(folder / "data"),
               ENCLAVE_WORKSPACES_DIR=str(folder / "workspaces"),
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")])))
    if database_url:
        env["ENCLAVE_DATABASE_URL"] = database_url
    enclave = Enclave(name=name, env=env)
    _cli(enclave, "init")
    # The agency is registered (its signing key) before its account, as an admin must.
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    key_file = folder / "welfare.signing.pub.pem"
    key_file.write_bytes(Ed25519PrivateKey.generate().public_key().public_bytes(
        Encoding.PEM, PublicFormat.SubjectPublicKeyInfo))
    _cli(enclave, "agencies", "add", "welfare", "--name", "Welfare registry", "--signing-key", str(key_file))
    # The accounts are added by concurrent CLI processes, as several operators might.
    additions = [("bench-steward", "--role", "steward"), ("bench-welfare", "--role", "agency", "--agency", "welfare")]
    additions += [(f"bench-r{n}", "--role", "researcher") for n in range(1, researchers + 1)]
    with ThreadPoolExecutor(len(additions)) as pool:
        list(pool.map(lambda add: _cli(enclave, "users", "add", *add, "--password", PASSWORD), additions))
        issued = pool.map(lambda n: _cli(enclave, "users", "token", f"bench-r{n}", "--label", "benchmark"),
                          range(1, researchers + 1))
        for answer in issued:
            enclave.tokens.append(re.search(r"^(\S{20,})$", answer, re.MULTILINE).group(1))  # type: ignore[union-attr]
    return enclave


def make_projects(enclave: Enclave, label: str) -> None:
    """Give each researcher a fresh active project (and register the dataset on first use).

    Each configuration gets its own projects, so that none starts with the
    export requests an earlier one left behind.
    """
    from enclave.catalog import VariableSpec, register_dataset
    from enclave.db.models import Dataset, Decision, ProjectState
    from enclave.projects import apply_for_project, decide_agency_part, decide_as_steward
    from enclave.projects.lifecycle import move_project
    from enclave.service import open_enclave
    from enclave.settings import load_settings
    from enclave.users import find_user

    svc = open_enclave(load_settings(enclave.env))
    try:
        with svc.session() as session:
            steward = find_user(session, "bench-steward")
            if not enclave.dataset:
                enclave.dataset = register_dataset(
                    svc, session, steward, agency_code="welfare", name="benefits", title="Benefit recipients",
                    row_count=12_345, description="Monthly benefit payments.",
                    variables=[VariableSpec("sex", "category", "Sex", is_quasi_identifier=True),
                               VariableSpec("region", "category", "Region", is_quasi_identifier=True),
                               VariableSpec("benefit", "number", "Benefit paid", is_sensitive=True)]).id
            dataset = session.get(Dataset, enclave.dataset)
            assert dataset is not None
            enclave.projects = []
            for number in range(1, len(enclave.tokens) + 1):
                project = apply_for_project(
                    svc, session, find_user(session, f"bench-r{number}"), title=f"Benefits study {number} ({label})",
                    purpose="Benchmark", retention_end=dt.date.today() + dt.timedelta(days=365),
                    requests={dataset.id: ["sex", "region"]})
                decide_agency_part(svc, session, project, find_user(session, "bench-welfare"), Decision.approved)
                decide_as_steward(svc, session, project, steward, Decision.approved)
                # Provisioning (stage 4) is not what this measures: the project is moved on directly.
                move_project(svc, session, project, ProjectState.provisioned, "benchmark")
                move_project(svc, session, project, ProjectState.active, "benchmark")
                enclave.projects.append(project.id)
    finally:
        svc.close()


def _evidence() -> list[dict[str, object]]:
    import pandas as pd

    from export_review import OutputSession, default_policy, output_to_evidence

    outputs = OutputSession(policy=default_policy(), dataset="bench", record_id="pid", echo=None)
    frame = pd.DataFrame({"pid": [f"P{i:04d}" for i in range(62)],
                          "region": ["north"] * 30 + ["south"] * 32, "sex": ["F"] * 40 + ["M"] * 22})
    outputs.frequency(frame, "region", name="by_region")
    outputs.frequency(frame, "sex", name="by_sex")
    return [output_to_evidence(o) for o in outputs.outputs.values()]


# ------------------------------------------------------------------- servers


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def running_server(enclave: Enclave, server: str, log_path: Path, workers: int = 0) -> Iterator[int]:
    """Run ``enclave serve`` (gunicorn or ``--dev-server``) until the block ends; yield its port.

    ``workers`` 0 leaves gunicorn's worker count to ``enclave serve``'s default.
    """
    port = _free_port()
    args = [*_enclave_command(), "serve", "--port", str(port)]
    if server == "werkzeug":
        args.append("--dev-server")
    elif workers:
        args += ["--workers", str(workers)]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(args, env=enclave.env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit(f"{server} stopped at start:\n{log_path.read_text()[-2000:]}")
            with contextlib.suppress(OSError):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/login")
                if conn.getresponse().status == 200:
                    conn.close()
                    break
            if time.monotonic() > deadline:
                raise SystemExit(f"{server} did not answer within 60 s:\n{log_path.read_text()[-2000:]}")
            time.sleep(0.2)
        yield port
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=30)
    # Whatever is left of the group (a worker that outlived its master) goes too.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)


# -------------------------------------------------------------------- client


@dataclass
class Sample:
    """One answered (or failed) request."""

    operation: str
    status: int  # 0: the connection failed
    ms: float


class Client:
    """One simulated person: an API token and a web session, on keep-alive connections."""

    def __init__(self, port: int, enclave: Enclave, number: int, evidence: bytes) -> None:
        self.port = port
        self.researcher = number % len(enclave.tokens) + 1
        self.token = enclave.tokens[self.researcher - 1]
        self.project = enclave.projects[self.researcher - 1]
        self.dataset = enclave.dataset
        self.evidence = evidence
        self.number = number
        self.cookie = ""
        self.csrf = ""
        self.samples: list[Sample] = []
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.applications = 0

    def _request(self, operation: str, method: str, path: str, body: bytes | None = None,
                 headers: dict[str, str] | None = None, *, page: bool = False) -> tuple[int, str]:
        sent = dict(headers or {})
        if page and self.cookie:
            sent["Cookie"] = f"enclave_session={self.cookie}"
        start = time.perf_counter()
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=sent)
                answer = self.conn.getresponse()
                text = answer.read().decode("utf-8", "replace")
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as error:
                self.conn.close()
                # A keep-alive connection the server closed while idle is retried once, as browsers do.
                if attempt == 2:
                    self.samples.append(Sample(operation, 0, (time.perf_counter() - start) * 1000))
                    raise ConnectionError(operation) from error
            except OSError as error:
                self.conn.close()
                self.samples.append(Sample(operation, 0, (time.perf_counter() - start) * 1000))
                raise ConnectionError(operation) from error
        self.samples.append(Sample(operation, answer.status, (time.perf_counter() - start) * 1000))
        # Production cookies are Secure; over loopback http the client carries it by hand.
        for header, value in answer.getheaders():
            if header.lower() == "set-cookie" and value.startswith("enclave_session="):
                self.cookie = value.split(";", 1)[0].split("=", 1)[1]
        found = re.search(r'name="csrf_token" value="([^"]+)"', text)
        if found:
            self.csrf = found.group(1)
        return answer.status, text

    def _api(self, operation: str, method: str, path: str, body: object = None) -> int:
        headers = {"Authorization": f"Bearer {self.token}"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        return self._request(operation, method, "/api/v1" + path, data, headers)[0]

    def _form(self, operation: str, path: str, fields: list[tuple[str, str]]) -> int:
        body = urlencode([("csrf_token", self.csrf), *fields]).encode()
        return self._request(operation, "POST", path, body,
                             {"Content-Type": "application/x-www-form-urlencoded"}, page=True)[0]

    def log_in(self) -> None:
        """Open a web session through the login form (the login page gives the CSRF token)."""
        self._request("page_login", "GET", "/login", page=True)
        self._form("form_login", "/login", [("username", f"bench-r{self.researcher}"), ("password", PASSWORD)])
        self._request("page_apply", "GET", "/projects/apply", page=True)

    def run(self, operation: str) -> None:
        """Send the request(s) of one operation of the cycle."""
        if operation == "api_catalog":
            self._api(operation, "GET", "/catalog/datasets?q=benefit")
        elif operation == "api_project":
            self._api(operation, "GET", f"/projects/{self.project}")
        elif operation == "api_exports":
            self._api(operation, "GET", f"/projects/{self.project}/export-requests")
        elif operation == "api_export_create":
            self._api(operation, "POST", f"/projects/{self.project}/export-requests",
                      {"title": f"Tables {self.number}", "outputs": json.loads(self.evidence)})
        elif operation == "page_catalog":
            self._request(operation, "GET", "/catalog", page=True)
        elif operation == "page_project":
            self._request(operation, "GET", f"/projects/{self.project}", page=True)
        elif operation == "page_apply":
            self._request(operation, "GET", "/projects/apply", page=True)
        elif operation == "form_apply":
            self.applications += 1
            self._form(operation, "/projects/apply", [
                ("title", f"Follow-up {self.number}-{self.applications}"), ("purpose", "Benchmark"),
                ("analysis_plan", ""), ("retention_end", (dt.date.today() + dt.timedelta(days=200)).isoformat()),
                ("variable", f"{self.dataset}:sex"), ("variable", f"{self.dataset}:region"), ("team", "")])
        elif operation == "form_login":
            self.log_in()


#: Statuses each operation answers when all is well.
EXPECTED = {
    "api_catalog": {200}, "api_project": {200}, "api_exports": {200}, "api_export_create": {201},
    "page_catalog": {200}, "page_project": {200}, "page_apply": {200}, "page_login": {200},
    "form_apply": {302}, "form_login": {302},
}


@dataclass
class Result:
    """The figures of one configuration."""

    name: str
    samples: list[Sample]
    seconds: float

    def percentile(self, share: float) -> float:
        """Latency (ms) under which ``share`` of the requests were answered (nearest rank)."""
        ordered = sorted(s.ms for s in self.samples)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, max(0, int(round(share * len(ordered))) - 1))]

    @property
    def server_errors(self) -> int:
        """Answers of 500 and above, and failed connections."""
        return sum(s.status >= 500 or s.status == 0 for s in self.samples)

    @property
    def errors(self) -> Counter[tuple[str, int]]:
        """Unexpected answers by (operation, status)."""
        return Counter((s.operation, s.status) for s in self.samples if s.status not in EXPECTED[s.operation])

    def report(self) -> None:
        """Print the configuration's figures."""
        writes = sum(s.operation.startswith(("form_", "api_export_create")) for s in self.samples)
        _log(f"{self.name:>18}: {len(self.samples):5d} requests ({writes} writes) in {self.seconds:6.1f} s, "
             f"{len(self.samples) / self.seconds:6.1f}/s; p50 {self.percentile(0.50):7.1f} ms  "
             f"p95 {self.percentile(0.95):7.1f} ms  p99 {self.percentile(0.99):7.1f} ms  "
             f"max {max((s.ms for s in self.samples), default=float('nan')):7.1f} ms; "
             f"errors {sum(self.errors.values())} (5xx or no answer: {self.server_errors})")
        for operation in sorted({s.operation for s in self.samples}):
            times = sorted(s.ms for s in self.samples if s.operation == operation)
            _log(f"{'':>20}{operation:<18} n={len(times):<5} p50 {times[len(times) // 2]:7.1f} ms  "
                 f"p99 {times[min(len(times) - 1, int(0.99 * len(times)))]:7.1f} ms")
        for (operation, status), count in sorted(self.errors.items()):
            kind = "no answer" if status == 0 else ("5xx" if status >= 500 else "unexpected")
            _log(f"{'':>20}{kind}: {operation} -> {status} x{count}")


def drive(name: str, port: int, enclave: Enclave, total: int, time_limit: float, think_ms: float,
          evidence: bytes) -> Result:
    """Run ``CLIENTS`` clients against ``port`` until ``total`` operations or ``time_limit`` seconds.

    Each client logs in first (not measured), then acts, pausing a random
    0 to 2 x ``think_ms`` between operations.
    """
    clients = [Client(port, enclave, number, evidence) for number in range(CLIENTS)]
    budget = threading.Semaphore(total)
    ready = threading.Barrier(CLIENTS + 1)
    times: dict[str, float] = {}

    def loop(client: Client) -> None:
        pause = random.Random(client.number)
        try:
            client.log_in()
        finally:
            client.samples.clear()
            ready.wait()
        position = client.number * 7
        while time.monotonic() < times["deadline"] and budget.acquire(blocking=False):
            operation = CYCLE[position % len(CYCLE)]
            position += 1
            with contextlib.suppress(ConnectionError):
                client.run(operation)
            time.sleep(pause.uniform(0, 2 * think_ms) / 1000)

    threads = [threading.Thread(target=loop, args=(c,), name=f"client-{c.number}") for c in clients]
    for thread in threads:
        thread.start()
    times["deadline"] = time.monotonic() + 3600
    ready.wait()
    start = time.perf_counter()
    times["deadline"] = time.monotonic() + time_limit
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    for client in clients:
        client.conn.close()
    return Result(name, [s for c in clients for s in c.samples], seconds)


# ---------------------------------------------------------------------- main


def _gunicorn_workers(log_path: Path) -> int:
    return len(set(re.findall(r"Booting worker with pid: (\d+)", log_path.read_text())))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="CI: 120 operations per configuration, 2 gunicorn workers, Werkzeug on SQLite only")
    parser.add_argument("--operations", type=int, help="operations per configuration (default 3000, quick 120)")
    parser.add_argument("--time-limit", type=float, help="seconds per configuration at most (default 300, quick 30)")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES,
                        help="PostgreSQL database to use (created when missing, emptied first)")
    parser.add_argument("--think-ms", type=float, default=THINK_MS,
                        help=f"mean pause of a client between operations (default {THINK_MS:g}; 0 saturates)")
    parser.add_argument("--backends", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    parser.add_argument("--servers", default="werkzeug,gunicorn", help="comma-separated: werkzeug, gunicorn")
    args = parser.parse_args()
    total = args.operations or (120 if args.quick else TARGET_OPERATIONS)
    time_limit = args.time_limit or (30.0 if args.quick else 300.0)
    evidence = json.dumps(_evidence()).encode()

    results: dict[tuple[str, str], Result] = {}
    workers = 0
    with tempfile.TemporaryDirectory(prefix="enclave-service-load-") as tmp:
        folder = Path(tmp)
        for backend in args.backends.split(","):
            url = ""
            if backend == "postgres":
                _prepare_postgres(args.postgres_url)
                url = args.postgres_url
            began = time.monotonic()
            enclave = make_enclave(backend, folder / backend, url, researchers=RESEARCHERS)
            _log(f"enclave on {backend} set up in {time.monotonic() - began:.1f} s")
            for server in args.servers.split(","):
                if args.quick and (server, backend) == ("werkzeug", "postgres"):
                    continue  # CI's minute: the peer runs on SQLite only
                log_path = folder / f"{server}-{backend}.log"
                make_projects(enclave, server)
                began = time.monotonic()
                with running_server(enclave, server, log_path, 2 if args.quick else 0) as port:
                    _log(f"{server} on {backend} answering after {time.monotonic() - began:.1f} s")
                    result = drive(f"{server} {backend}", port, enclave, total, time_limit, args.think_ms, evidence)
                if server == "gunicorn":
                    workers = _gunicorn_workers(log_path)
                result.report()
                results[(server, backend)] = result
                if "q=benefit" in log_path.read_text():
                    _log(f"warning: the {server} log shows a query string")

    line: dict[str, object] = {"clients": CLIENTS, "think_ms": args.think_ms,
                               "requests_per_config": min(len(r.samples) for r in results.values()),
                               "gunicorn_workers": workers}
    for (server, backend), result in results.items():
        suffix = backend if server == "gunicorn" else f"werkzeug_{backend}"
        line[f"p50_ms_{suffix}"] = round(result.percentile(0.50), 1)
        line[f"p99_ms_{suffix}"] = round(result.percentile(0.99), 1)
        line[f"errors_{suffix}"] = sum(result.errors.values())
    line["target_p99_ms_sqlite"] = int(TARGET_MS["sqlite"])
    line["target_p99_ms_postgres"] = int(TARGET_MS["postgres"])
    production = [(backend, results[("gunicorn", backend)]) for backend in ("sqlite", "postgres")
                  if ("gunicorn", backend) in results]
    met = len(production) == 2 and all(
        r.percentile(0.99) <= TARGET_MS[backend] and not r.errors for backend, r in production)
    line["target_met"] = judge_target(met, total, TARGET_OPERATIONS)
    print_result_line(line)
    if any(r.server_errors for _, r in production):
        sys.exit(1)


if __name__ == "__main__":
    main()
