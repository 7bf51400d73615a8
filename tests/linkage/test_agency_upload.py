"""``linkage upload`` and ``linkage status`` against the real enclave, served by ``enclave serve``.

The enclave is initialized, its agency account and token made with the
``enclave`` command, and the project approved with the domain functions; the
agency then runs the ``linkage`` command as a separate process, as it would on
its own machine. A small TCP relay between them cuts a connection mid-upload,
or loses the enclave's answer, to show that a retry never stores a package twice.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from enclave.db.models import Decision, MatchKeySubmission, Submission
from enclave.service import EnclaveService, open_linkage_unit

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PASSWORD = "correct horse battery staple"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Served:
    """The running enclave and what the agency holds."""

    url: str
    env: dict[str, str]
    token: str
    projects: dict[str, int]
    packages: dict[str, Path]
    svc: EnclaveService
    signer: object = field(repr=False)


def _enclave(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([str(BIN / "enclave"), *args], env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def served(svc: EnclaveService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    from enclave.catalog.from_policy import import_dataset_from_policy
    from enclave.parties import linkage_unit_sealing_public
    from enclave.projects import apply_for_project, decide_agency_part, decide_as_steward
    from enclave.users import add_user, find_user
    from linkage import (
        generate_agency_data,
        generate_linkage_secret,
        load_identifier_policies,
        prepare_submission,
        write_synthetic_data,
    )
    from tests.enclave.domain_fixtures import register_agencies

    # Accounts made in this process hash their passwords cheaply; the parameters travel with each hash.
    monkeypatch.setattr("enclave.users.passwords._N", 2**10)
    settings = svc.settings
    env = {**os.environ, "ENCLAVE_MODE": "development", "ENCLAVE_DATA_DIR": str(settings.data_dir),
           "ENCLAVE_DATABASE_URL": settings.database_url, "ENCLAVE_ACTOR": "tester",
           "PYTHONPATH": str(REPO), "ENCLAVE_LANG": "en"}
    env.pop("LINKAGE_TOKEN", None)
    agency_keys = register_agencies(svc, "welfare", "health", "employment")
    _enclave(env, "users", "add", "agency-welfare", "--role", "agency", "--agency", "welfare",
             "--password", PASSWORD)
    token = _enclave(env, "users", "token", "agency-welfare", "--label", "upload test", "--days", "1")
    token = token.strip().splitlines()[-1]
    sources = write_synthetic_data(generate_agency_data(60, agencies=("welfare",), seed=3), tmp_path / "agencies")
    secret = generate_linkage_secret()
    with svc.session() as session:
        users = {"agency-welfare": find_user(session, "agency-welfare")}
        for code in ("health", "employment"):
            users[f"agency-{code}"] = add_user(svc, session, username=f"agency-{code}", role="agency",
                                               password=PASSWORD, actor="test", agency_code=code).user
        researcher = add_user(svc, session, username="rita", role="researcher", password=PASSWORD,
                              actor="test").user
        steward = add_user(svc, session, username="stella", role="steward", password=PASSWORD, actor="test").user
        datasets = {code: import_dataset_from_policy(
            svc, session, users[f"agency-{code}"],
            policy=(settings.policies_dir / "identifiers" / f"{code}.yaml").read_bytes(),
            policy_name=f"identifiers/{code}.yaml", agency_code=code, name=code, title=f"{code} data",
            description="", row_count=60) for code in ("welfare", "health")}
        projects = {}
        # "ours" asks the welfare agency; "theirs" asks only the health agency.
        for name, code in (("ours", "welfare"), ("theirs", "health")):
            project = apply_for_project(
                svc, session, researcher, title=name, purpose="p",
                retention_end=dt.date.today() + dt.timedelta(days=60),
                requests={datasets[code].id: [datasets[code].variables[0].name]})
            decide_agency_part(svc, session, project, users[f"agency-{code}"], Decision.approved)
            decide_as_steward(svc, session, project, steward, Decision.approved)
            projects[name] = project.id
    policies = load_identifier_policies(settings.policies_dir / "identifiers")
    packages = {}
    for name, project_id in projects.items():
        prepared = prepare_submission(
            sources["welfare"], agency="welfare", schema=policies.schema("welfare"),
            scheme=policies.scheme, project_id=str(project_id), key_id=f"project-{project_id}-k1",
            linkage_secret=secret, signer=agency_keys["welfare"],
            linkage_unit_public=linkage_unit_sealing_public(settings), enclave_public=svc.keys.sealing_public_key,
            output_dir=tmp_path / name)
        packages[f"{name}.content"] = prepared.content_path  # type: ignore[assignment]
        packages[f"{name}.match_keys"] = prepared.match_keys_path  # type: ignore[assignment]
    port = _free_port()
    server = subprocess.Popen([str(BIN / "enclave"), "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url + "/api/v1/openapi.json", timeout=2).close()
                break
            except OSError:
                assert server.poll() is None, "enclave serve exited"
                assert time.monotonic() < deadline, "enclave serve did not start"
                time.sleep(0.3)
        yield Served(url, env, token, projects, packages, svc, agency_keys["welfare"])
    finally:
        server.terminate()
        server.wait(timeout=30)


def _linkage(served: Served, *args: str, token: str | None = "env") -> subprocess.CompletedProcess[str]:
    env = dict(served.env)
    if token == "env":
        env["LINKAGE_TOKEN"] = served.token
    elif token is not None:
        env["LINKAGE_TOKEN"] = token
    done = subprocess.run([str(BIN / "linkage"), *args, "--retry-wait", "0.1"], env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    # Whatever happened, the token is never printed.
    assert served.token not in done.stdout + done.stderr
    return done


def _stored(served: Served) -> tuple[int, int]:
    with served.svc.session() as session:
        content = session.query(Submission).count()
    linkage_unit = open_linkage_unit(served.svc.settings, served.svc)
    try:
        with linkage_unit.session() as session:
            keys = session.query(MatchKeySubmission).count()
    finally:
        linkage_unit.close()
    return content, keys


def test_upload_prints_destination_and_receipt_and_a_repeat_stores_nothing_twice(served: Served) -> None:
    ours = served.projects["ours"]
    content = _linkage(served, "upload", str(served.packages["ours.content"]), "--to", served.url)
    assert content.returncode == 0, content.stderr
    assert f"to {served.url}/api/v1/projects/{ours}/packages" in content.stdout
    assert "Received by the enclave: content package" in content.stdout
    keys = _linkage(served, "upload", str(served.packages["ours.match_keys"]), "--to", served.url,
                    "--project", str(ours))
    assert keys.returncode == 0, keys.stderr
    assert "Received by the linkage-unit: match_keys package" in keys.stdout
    assert _stored(served) == (1, 1)
    for name in ("ours.content", "ours.match_keys"):
        again = _linkage(served, "upload", str(served.packages[name]), "--to", served.url)
        assert again.returncode == 0, again.stderr
        assert "already held this very package" in again.stdout
    assert _stored(served) == (1, 1)
    status = _linkage(served, "status", "--to", served.url)
    assert status.returncode == 0, status.stderr
    lines = status.stdout.splitlines()
    assert lines[1].split()[:3] == ["project", "package", "id"]
    assert lines[2].split()[0] == str(ours) and "FAIL (k=1" in lines[2]
    scripted = _linkage(served, "status", "--to", served.url, "--json")
    import json

    [row] = json.loads(scripted.stdout)
    assert row["project_id"] == ours and row["precheck"]["passed"] is False


def test_a_different_package_reusing_an_id_is_refused_as_a_replay(served: Served, tmp_path: Path) -> None:
    import pyarrow as pa

    from linkage.sealing import read_manifest, seal_package, table_to_parquet_bytes

    original = served.packages["ours.content"]
    assert _linkage(served, "upload", str(original), "--to", served.url).returncode == 0
    forged = tmp_path / "forged.content.pkg"
    forged.write_bytes(seal_package(table_to_parquet_bytes(pa.table({"serial": pa.array([1], pa.int64())})),
                                    read_manifest(original.read_bytes()).to_dict(),
                                    served.svc.keys.sealing_public_key, served.signer))  # type: ignore[arg-type]
    replay = _linkage(served, "upload", str(forged), "--to", served.url)
    assert replay.returncode == 12, replay.stderr
    assert "refused the package as a conflict (409: " in replay.stderr and "opened before" in replay.stderr
    assert _stored(served) == (1, 0)


def test_wrong_token_wrong_project_and_no_token_get_clear_messages(served: Served, tmp_path: Path) -> None:
    package = str(served.packages["ours.content"])
    wrong = _linkage(served, "upload", package, "--to", served.url, token="enc_not-a-real-token")
    assert wrong.returncode == 10 and "did not accept the token (401" in wrong.stderr
    assert "enc_not-a-real-token" not in wrong.stdout + wrong.stderr
    token_file = tmp_path / "token"
    token_file.write_text(served.token + "\n")
    token_file.chmod(0o600)
    # --project must agree with the project sealed in the package.
    disagree = _linkage(served, "upload", package, "--to", served.url, "--project", "999",
                        "--token-file", str(token_file), token=None)
    assert disagree.returncode == 11 and "sealed for project" in disagree.stderr
    # A package sealed for a project that does not ask this agency: the enclave answers 404.
    theirs = _linkage(served, "upload", str(served.packages["theirs.content"]), "--to", served.url,
                      "--token-file", str(token_file), token=None)
    assert theirs.returncode == 11 and "has nothing there for your agency (404" in theirs.stderr
    none = _linkage(served, "upload", package, "--to", served.url, token=None)
    assert none.returncode == 9 and "LINKAGE_TOKEN" in none.stderr
    assert _stored(served) == (0, 0)


def test_an_unreachable_enclave_is_retried_then_reported(tmp_path: Path) -> None:
    import pyarrow as pa

    from linkage import generate_party_keys, seal_package, table_to_parquet_bytes

    agency = generate_party_keys("welfare")
    package = tmp_path / "welfare.content.pkg"
    package.write_bytes(seal_package(table_to_parquet_bytes(pa.table({"serial": pa.array([1], pa.int64())})),
                                     {"agency": "welfare", "kind": "content", "project_id": "3"},
                                     generate_party_keys("enclave").sealing_public, agency.signing))
    token = "enc_a-token-that-must-not-show"
    done = subprocess.run([str(BIN / "linkage"), "upload", str(package), "--to", f"http://127.0.0.1:{_free_port()}",
                           "--retries", "2", "--retry-wait", "0.1"],
                          env={**os.environ, "PYTHONPATH": str(REPO), "LINKAGE_TOKEN": token, "ENCLAVE_LANG": "en"},
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 15, done.stderr
    assert done.stderr.count("trying again") == 2 and "Cannot reach the enclave" in done.stderr
    assert "after 3 attempt(s)" in done.stderr
    assert token not in done.stdout + done.stderr


def _hang_up(*sockets: socket.socket) -> None:
    # shutdown, not only close: another thread may be blocked reading the socket,
    # and close alone would leave the connection open until that read returns.
    for s in sockets:
        with contextlib.suppress(OSError):
            s.shutdown(socket.SHUT_RDWR)
        s.close()


class Relay:
    """A TCP relay to the enclave that can break the next connections in chosen ways.

    Plans, one per accepted connection (then ``pass``): ``pass`` relays both ways;
    ``cut`` relays ``cut_after`` bytes of the request and then closes both sides;
    ``lose_answer`` relays the whole request, waits for the enclave's answer (so
    the upload was stored) and closes the agency's side without relaying it.
    """

    def __init__(self, upstream_port: int, plans: list[str], cut_after: int = 0) -> None:
        self.plans = list(plans)
        self.cut_after = cut_after
        self.upstream_port = upstream_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.seen: list[str] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            plan = self.plans.pop(0) if self.plans else "pass"
            self.seen.append(plan)
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            threading.Thread(target=self._relay, args=(client, upstream, plan), daemon=True).start()

    def _relay(self, client: socket.socket, upstream: socket.socket, plan: str) -> None:
        def answers() -> None:
            try:
                while data := upstream.recv(65536):
                    if plan == "lose_answer":
                        break
                    client.sendall(data)
            except OSError:
                pass
            finally:
                _hang_up(client, upstream)

        threading.Thread(target=answers, daemon=True).start()
        sent = 0
        try:
            while data := client.recv(65536):
                if plan == "cut" and sent + len(data) >= self.cut_after:
                    upstream.sendall(data[: self.cut_after - sent])
                    break
                upstream.sendall(data)
                sent += len(data)
        except OSError:
            pass
        if plan == "cut":
            _hang_up(client, upstream)

    def close(self) -> None:
        self.listener.close()


@pytest.mark.parametrize("plan", ["cut", "lose_answer"])
def test_a_broken_upload_is_retried_and_stored_once(served: Served, plan: str) -> None:
    package = served.packages["ours.content"]
    size = package.stat().st_size
    assert size > 4000
    relay = Relay(int(served.url.rsplit(":", 1)[1]), ["pass", plan], cut_after=size // 2)
    try:
        done = _linkage(served, "upload", str(package), "--to", f"http://127.0.0.1:{relay.port}")
    finally:
        relay.close()
    assert done.returncode == 0, done.stderr
    # The project check, the broken upload, then the retry.
    assert relay.seen[:3] == ["pass", plan, "pass"]
    assert "trying again (1 of 4)" in done.stderr
    assert "Received by the enclave: content package" in done.stdout
    # Cut mid-body, the enclave kept nothing and the retry stored it; answer lost, the retry found it held.
    assert ("already held this very package" in done.stdout) is (plan == "lose_answer")
    assert _stored(served) == (1, 0)
    with served.svc.session() as session:
        outcomes = [e.outcome for e in served.svc.audit.query(session, action="intake.upload")]
    assert outcomes.count("ok") == 1
    assert outcomes.count("duplicate") == (1 if plan == "lose_answer" else 0)
