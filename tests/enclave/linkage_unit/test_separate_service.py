"""The linkage unit deployed apart: its own process, port, folder, keys and database.

One deployment per module: the enclave (``enclave serve``, development mode)
and the linkage unit (``enclave linkage-unit serve``) run as two processes on
free ports, each with its own folder and database (SQLite files, or two
PostgreSQL databases under ``ENCLAVE_TEST_DATABASE_URL``). Trust is set up
only through the commands; agencies upload over HTTP to each; an operator
starts linking through the linkage unit's API, and the enclave receives the
map. The tests then check what each side holds, and that bad input at either
side is refused clearly, changes nothing and is audited.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
import requests
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat
from sqlalchemy import create_engine, inspect, select
from sqlalchemy import text as sql

from enclave.agencies import rotate_agency_key
from enclave.audit import AuditRecord
from enclave.combination import combine_project
from enclave.db.models import (
    Decision,
    LinkageMapReceipt,
    LinkageRun,
    MatchKeySubmission,
    Project,
    Submission,
    User,
)
from enclave.linkage_unit import QUALITY_METADATA_KEY
from enclave.linkage_unit.service import LinkageUnitService, open_linkage_unit_service
from enclave.linkage_unit.settings import load_linkage_unit_settings
from enclave.projects import apply_for_project, decide_agency_part, decide_as_steward
from enclave.service import EnclaveService, open_enclave
from enclave.settings import load_settings
from linkage import (
    LinkageMap,
    generate_agency_data,
    generate_party_keys,
    load_identifier_policies,
    prepare_submission,
    write_synthetic_data,
)
from linkage.linkage_map import LINKAGE_MAP_SCHEMA
from linkage.party_keys import PartyKeys, fingerprint, load_party_keys, load_sealing_public_key
from linkage.sealing import open_package
from tests.enclave.domain_fixtures import World, apply, build_world
from tests.enclave.linkage_unit.builders import free_port, second_postgres_database

REPO = Path(__file__).resolve().parents[3]
PG_URL = os.environ.get("ENCLAVE_TEST_DATABASE_URL", "")
AGENCIES = ("welfare", "health")
_PEM_PUBLIC = (Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
_RAW_PRIVATE = (Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def _base_env() -> dict[str, str]:
    # Neither process inherits the other's settings (nor the developer's).
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ENCLAVE_", "LINKAGE_UNIT_"))}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["ENCLAVE_ACTOR"] = "tester"
    return env


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from enclave.cli import main; main()", *args], env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def _cli(env: dict[str, str], *args: str) -> str:
    done = _run(env, *args)
    assert done.returncode == 0, f"enclave {' '.join(args[:2])} failed: {done.stderr}"
    return done.stdout


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            if requests.get(url + "/api/v1/openapi.json", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise AssertionError(f"server did not start: {log.read_text(errors='replace')[-2000:]}")


@dataclass
class Deployment:
    """The two running services and what the test set up through them."""

    enclave_dir: Path
    lu_dir: Path
    enclave_env: dict[str, str]
    lu_env: dict[str, str]
    enclave_url: str
    lu_url: str
    logs: list[Path]
    svc: EnclaveService
    lu: LinkageUnitService
    world: World
    project_id: int
    packages: dict[str, tuple[bytes, bytes]]
    agency_keys: dict[str, PartyKeys]
    lu_tokens: dict[str, str] = field(default_factory=dict)
    enclave_tokens: dict[str, str] = field(default_factory=dict)
    linked: dict[str, Any] = field(default_factory=dict)
    uploads: list[requests.Response] = field(default_factory=list)

    def bearer(self, token: str, body: bytes | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {token}"}
        if body is not None:
            headers |= {"X-Content-SHA256": hashlib.sha256(body).hexdigest(),
                        "Content-Type": "application/octet-stream"}
        return headers

    def enclave_events(self, action: str) -> list[AuditRecord]:
        with self.svc.session() as session:
            return self.svc.audit.query(session, action=action, limit=1000)

    def lu_events(self, action: str) -> list[AuditRecord]:
        with self.lu.session() as session:
            return self.lu.audit.query(session, action=action, limit=1000)


def _approve(svc: EnclaveService, world: World, project_id: int) -> None:
    with svc.session() as session:
        project = session.get(Project, project_id)
        for code in AGENCIES:
            decide_agency_part(svc, session, project, session.get(User, world.users[code].id), Decision.approved)
        decide_as_steward(svc, session, project, session.get(User, world.users["carol"].id), Decision.approved)


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    enclave_dir = tmp_path_factory.mktemp("enclave-machine")
    lu_dir = tmp_path_factory.mktemp("linkage-unit-machine")
    handover = tmp_path_factory.mktemp("handed-over")  # what the operators send each other: public keys only
    logs_dir = tmp_path_factory.mktemp("logs")
    if PG_URL.startswith("postgresql"):
        enclave_db, lu_db = PG_URL, second_postgres_database(PG_URL, empty_first=True)
    else:
        enclave_db = f"sqlite:///{enclave_dir / 'data' / 'enclave.db'}"
        lu_db = ""  # the default: linkage-unit.db in its own folder
    enclave_port, lu_port = free_port(), free_port()
    enclave_url, lu_url = f"http://127.0.0.1:{enclave_port}", f"http://127.0.0.1:{lu_port}"
    enclave_env = _base_env() | {
        "ENCLAVE_MODE": "development", "ENCLAVE_DATA_DIR": str(enclave_dir / "data"),
        "ENCLAVE_DATABASE_URL": enclave_db, "ENCLAVE_PORT": str(enclave_port),
        "ENCLAVE_LINKAGE_UNIT_URL": lu_url}
    lu_env = _base_env() | {
        "LINKAGE_UNIT_MODE": "development", "LINKAGE_UNIT_DATA_DIR": str(lu_dir / "lu-data"),
        "LINKAGE_UNIT_DATABASE_URL": lu_db, "LINKAGE_UNIT_PORT": str(lu_port),
        "LINKAGE_UNIT_ENCLAVE_URL": enclave_url}

    # Each side is set up on its own machine; only public keys and tokens cross, through the handover folder.
    _cli(enclave_env, "init")
    _cli(lu_env, "linkage-unit", "init")
    _cli(lu_env, "linkage-unit", "init")  # safe to run twice
    (handover / "enclave.sealing.pub.pem").write_text(_cli(enclave_env, "keys", "public", "--kind", "sealing"))
    trusted = _cli(lu_env, "linkage-unit", "trust-enclave", "--sealing-key", str(handover / "enclave.sealing.pub.pem"))
    enclave_fp = _cli(enclave_env, "keys", "public", "--kind", "sealing", "--fingerprint").strip()
    assert enclave_fp in trusted

    logs = [logs_dir / "linkage-unit.log", logs_dir / "enclave.log"]
    processes = []
    for env, args, log in ((lu_env, ["linkage-unit", "serve"], logs[0]), (enclave_env, ["serve"], logs[1])):
        with log.open("wb") as out:
            processes.append(subprocess.Popen(
                [sys.executable, "-c", "from enclave.cli import main; main()", *args], env=env,
                stdout=out, stderr=subprocess.STDOUT, cwd=str(logs_dir)))
    settings = load_settings(environ=enclave_env)
    svc = open_enclave(settings)
    lu = open_linkage_unit_service(load_linkage_unit_settings(environ=lu_env))
    try:
        _wait_until_up(lu_url, processes[0], logs[0])
        _wait_until_up(enclave_url, processes[1], logs[1])
        imported = _cli(enclave_env, "linkage-unit-keys", "import")
        published = requests.get(lu_url + "/api/v1/keys", timeout=10).json()["keys"]
        assert {k["party"] for k in published} == {"linkage-unit"}
        assert all(k["fingerprint"] in imported for k in published)

        # The project itself is prepared through the enclave's domain functions.
        world = build_world(svc)
        project_id = apply(svc, world)
        _approve(svc, world, project_id)

        data = generate_agency_data(150, agencies=AGENCIES, seed=3)
        files = write_synthetic_data(data, handover / "agencies")
        policies = load_identifier_policies(settings.policies_dir / "identifiers")
        lu_sealing = next(k for k in published if k["use"] == "sealing")["pem"].encode()
        (handover / "linkage-unit.sealing.pub.pem").write_bytes(lu_sealing)
        packages, agency_keys = {}, {}
        for code in AGENCIES:
            keys = generate_party_keys(code)
            agency_keys[code] = keys
            pub = handover / f"{code}.signing.pub.pem"
            pub.write_bytes(keys.signing_public.public_bytes(*_PEM_PUBLIC))
            # The agency registered by build_world hands the enclave a new key, as an admin records it.
            rotate_agency_key(svc, code, pub.read_bytes(), actor="test")
            assert keys.signing_fingerprint in _cli(lu_env, "linkage-unit", "trust-agency", code,
                                                    "--signing-key", str(pub))
            prepared = prepare_submission(
                files[code], agency=code, schema=policies.schema(code), scheme=policies.scheme,
                project_id=str(project_id), key_id="k1", linkage_secret=b"s" * 32, signer=keys.signing,
                linkage_unit_public=load_sealing_public_key(handover / "linkage-unit.sealing.pub.pem"),
                enclave_public=load_sealing_public_key(handover / "enclave.sealing.pub.pem"))
            packages[code] = (prepared.match_keys_package, prepared.content_package)
        deployment = Deployment(enclave_dir, lu_dir, enclave_env, lu_env, enclave_url, lu_url, logs, svc, lu,
                                world, project_id, packages, agency_keys)
        for code in AGENCIES:
            deployment.lu_tokens[code] = _cli(lu_env, "linkage-unit", "tokens", "add", "--agency", code).split()[-1]
            deployment.enclave_tokens[code] = _cli(enclave_env, "users", "token", code).split()[-1]
        deployment.lu_tokens["operator"] = _cli(lu_env, "linkage-unit", "tokens", "add",
                                                "--operator", "olivia").split()[-1]
        deployment.enclave_tokens["carol"] = _cli(enclave_env, "users", "token", "carol").split()[-1]
        _cli(enclave_env, "users", "add", "lu-service", "--role", "linkage_unit",
             "--password", "a long service password")
        token_file = lu_dir / "lu-data" / "enclave.token"
        token_file.write_text(_cli(enclave_env, "users", "token", "lu-service").split()[-1])
        token_file.chmod(0o600)
        deployment.enclave_tokens["lu-service"] = token_file.read_text()

        # Agencies upload over HTTP: match keys to the linkage unit, content to the enclave, same route and headers.
        for code in AGENCIES:
            match_keys, content = packages[code]
            for base, body in ((lu_url, match_keys), (enclave_url, content)):
                token = deployment.lu_tokens[code] if base == lu_url else deployment.enclave_tokens[code]
                deployment.uploads.append(requests.put(f"{base}/api/v1/projects/{project_id}/packages", data=body,
                                                       headers=deployment.bearer(token, body), timeout=60))
        answer = requests.post(f"{lu_url}/api/v1/projects/{project_id}/link", timeout=300,
                               headers=deployment.bearer(deployment.lu_tokens["operator"]))
        assert answer.status_code == 201, answer.text
        deployment.linked = answer.json()
        yield deployment
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)
        svc.close()
        lu.close()


def _map_rows(d: Deployment) -> int:
    with d.svc.session() as session:
        return len(session.scalars(select(LinkageMapReceipt)).all())


def _lu_rows(d: Deployment) -> int:
    with d.lu.session() as session:
        return len(session.scalars(select(MatchKeySubmission)).all())


def _content_rows(d: Deployment) -> int:
    with d.svc.session() as session:
        return len(session.scalars(select(Submission)).all())


def _all_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def test_uploads_go_to_their_own_servers_and_the_enclave_receives_the_map(deployment: Deployment) -> None:
    d = deployment
    receipts = [u.json() for u in d.uploads]
    assert [u.status_code for u in d.uploads] == [201] * 4
    assert [(r["kind"], r["received_by"]) for r in receipts] == [
        ("match_keys", "linkage-unit"), ("content", "enclave")] * 2
    assert set(receipts[0]) == set(receipts[1]) == {"kind", "package_id", "row_count", "sha256", "received_by",
                                                    "duplicate"}
    assert not any(r["duplicate"] for r in receipts)

    # The agency sees its own match-key submission at the linkage unit; the operator sees both.
    own = requests.get(f"{d.lu_url}/api/v1/projects/{d.project_id}/submissions", timeout=10,
                       headers=d.bearer(d.lu_tokens["welfare"])).json()
    every = requests.get(f"{d.lu_url}/api/v1/projects/{d.project_id}/submissions", timeout=10,
                         headers=d.bearer(d.lu_tokens["operator"])).json()
    assert [s["agency_code"] for s in own] == ["welfare"]
    # What a partner tool asks before it streams a package: the same question at either server.
    for base, token in ((d.lu_url, d.lu_tokens["welfare"]), (d.enclave_url, d.enclave_tokens["welfare"])):
        assert requests.get(f"{base}/api/v1/projects/{d.project_id}", timeout=10,
                            headers=d.bearer(token)).json()["id"] == d.project_id
    assert sorted(s["agency_code"] for s in every) == ["health", "welfare"]

    assert d.linked["delivered"] is True and d.linked["project_id"] == d.project_id
    quality = requests.get(f"{d.enclave_url}/api/v1/projects/{d.project_id}/linkage-quality", timeout=10,
                           headers=d.bearer(d.enclave_tokens["carol"]))
    assert quality.status_code == 200
    assert quality.json() == d.linked["quality"]
    # The report counts every record the agencies sent to the linkage unit.
    assert quality.json()["records"] == {"welfare": receipts[0]["row_count"], "health": receipts[2]["row_count"]}
    assert (d.svc.settings.reports_dir / f"project-{d.project_id}" / "linkage-quality.html").is_file()
    # The map the separate linkage unit sealed joins the enclave's content.
    combined = combine_project(d.svc, d.project_id, "tester")
    assert combined.row_count > 0
    received = d.enclave_events("combination.receive_map")
    assert [e.actor for e in received if e.outcome == "ok"] == ["lu-service"]
    assert [e.action for e in d.lu_events("lu.deliver")] == ["lu.deliver"]


def test_neither_side_holds_the_other_files_keys_or_tables(deployment: Deployment) -> None:
    d = deployment
    enclave_data, lu_data = d.enclave_dir / "data", d.lu_dir / "lu-data"
    assert not lu_data.is_relative_to(d.enclave_dir) and not enclave_data.is_relative_to(d.lu_dir)
    # No in-process linkage unit was ever created on the enclave's machine.
    assert not d.svc.settings.linkage_unit_dir.exists()
    assert not list(enclave_data.rglob("linkage-unit.*.key.pem"))
    assert not list(lu_data.rglob("*.keys"))
    assert oct(lu_data.stat().st_mode & 0o777) == "0o700"

    lu_keys = load_party_keys(lu_data / "keys", "linkage-unit")
    lu_secrets = [lu_keys.sealing.private_bytes(*_RAW_PRIVATE), lu_keys.signing.private_bytes(*_RAW_PRIVATE),
                  (lu_data / "keys" / "linkage-unit.sealing.key.pem").read_bytes(),
                  (lu_data / "keys" / "linkage-unit.signing.key.pem").read_bytes(),
                  (lu_data / "keys" / "audit.key").read_bytes()]
    enclave_keys = d.svc.keys
    enclave_secrets = [enclave_keys.sealing_key_raw, enclave_keys.signing_key_raw, enclave_keys.kek,
                       enclave_keys.audit_key, d.svc.settings.key_file.read_bytes()]

    def encodings(secret: bytes) -> list[bytes]:
        return [secret, secret.hex().encode(), base64.b64encode(secret)]

    for path in _all_files(enclave_data):
        content = path.read_bytes()
        assert not any(e in content for s in lu_secrets for e in encodings(s)), path
    for path in _all_files(lu_data):
        content = path.read_bytes()
        assert not any(e in content for s in enclave_secrets for e in encodings(s)), path

    # The linkage unit's database has its own tables and audit log only; the enclave's has no lu_ rows.
    with d.lu.db.engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) == {"lu_submissions", "lu_linkage_runs", "lu_tokens",
                                                       "audit_events"}
    plain = create_engine(d.svc.settings.database_url)
    with plain.connect() as conn:
        for table in ("lu_submissions", "lu_linkage_runs", "lu_tokens"):
            assert conn.scalar(sql(f"SELECT count(*) FROM {table}")) == 0
    plain.dispose()

    # No match key, in any encoding, anywhere in the enclave's folder or either server's log.
    sample: set[bytes] = set()
    for code in AGENCIES:
        opened = open_package(d.packages[code][0], lu_keys.sealing,
                              {code: d.agency_keys[code].signing_public})
        table = opened.table()
        for column in table.column_names:
            if column == "serial":
                continue
            for value in table.column(column).to_pylist()[:40]:
                if value:
                    sample.add(value if isinstance(value, bytes) else str(value).encode())
    assert sample
    for path in _all_files(enclave_data) + d.logs:
        content = path.read_bytes()
        assert not any(v in content for v in sample), path
    for path in d.logs:
        log = path.read_text(errors="replace")
        assert not any(token in log for token in (*d.lu_tokens.values(), *d.enclave_tokens.values()))


def _forged_map(project_id: int, signer: Any, enclave_public: Any, quality: dict[str, Any]) -> bytes:
    table = pa.table({"agency": ["welfare"], "serial": [1], "link_id": [7], "link_pass": ["exact"]},
                     schema=LINKAGE_MAP_SCHEMA)
    table = table.replace_schema_metadata({QUALITY_METADATA_KEY: json.dumps(quality).encode()})
    return LinkageMap(table=table, project_id=str(project_id)).seal(enclave_public, signer)


def _put_map(d: Deployment, project_id: int, body: bytes, token: str) -> requests.Response:
    return requests.put(f"{d.enclave_url}/api/v1/projects/{project_id}/linkage-map", data=body, timeout=60,
                        headers=d.bearer(token, body))


def test_the_partner_tool_sends_match_keys_to_the_linkage_unit_and_a_repeat_is_no_duplicate(
        deployment: Deployment, tmp_path: Path) -> None:
    d = deployment
    before = (_lu_rows(d), sorted(p.name for p in _all_files(d.lu_dir)))
    package = tmp_path / "welfare.match_keys.pkg"
    package.write_bytes(d.packages["welfare"][0])
    token = d.lu_tokens["welfare"]
    done = subprocess.run([str(Path(sys.executable).with_name("linkage")), "upload", str(package), "--to", d.lu_url],
                          env={**os.environ, "PYTHONPATH": str(REPO), "LINKAGE_TOKEN": token, "ENCLAVE_LANG": "en"},
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "Received by the linkage-unit: match_keys package" in done.stdout
    assert "already held this very package" in done.stdout
    assert token not in done.stdout + done.stderr
    assert (_lu_rows(d), sorted(p.name for p in _all_files(d.lu_dir))) == before
    assert [e.outcome for e in d.lu_events("linkage_unit.receive")].count("duplicate") == 1


def test_the_partner_tool_fetches_and_verifies_the_linkage_units_published_keys(
        deployment: Deployment, tmp_path: Path) -> None:
    d = deployment
    keys = d.lu.role.keys
    pin = f"linkage-unit.sealing={fingerprint(keys.sealing_public)}"
    done = subprocess.run([str(Path(sys.executable).with_name("linkage")), "fetch-keys", d.lu_url,
                           "--out", str(tmp_path / "keys"), "--expect", pin],
                          env={**os.environ, "PYTHONPATH": str(REPO), "ENCLAVE_LANG": "en"},
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "keys").iterdir()) == [
        "linkage-unit.sealing.pub.pem", "linkage-unit.signing.pub.pem"]
    assert fingerprint(load_sealing_public_key(tmp_path / "keys" / "linkage-unit.sealing.pub.pem")) == \
        fingerprint(keys.sealing_public)
    assert fingerprint(keys.signing_public) in done.stdout


def test_content_package_sent_to_the_linkage_unit_is_refused_and_audited(deployment: Deployment) -> None:
    d = deployment
    before = (_lu_rows(d), sorted(p.name for p in _all_files(d.lu_dir)))
    content = d.packages["welfare"][1]
    answer = requests.put(f"{d.lu_url}/api/v1/projects/{d.project_id}/packages", data=content, timeout=60,
                          headers=d.bearer(d.lu_tokens["welfare"], content))
    assert answer.status_code == 400
    assert "belongs to the enclave" in answer.json()["error"]
    assert (_lu_rows(d), sorted(p.name for p in _all_files(d.lu_dir))) == before
    denied = [e for e in d.lu_events("lu.receive") if e.outcome == "denied"]
    assert denied and denied[0].details["reason"] == "belongs_to_enclave"


def test_match_keys_sent_to_the_enclave_are_refused_and_name_the_linkage_unit(deployment: Deployment) -> None:
    d = deployment
    before = _content_rows(d)
    match_keys = d.packages["health"][0]
    answer = requests.put(f"{d.enclave_url}/api/v1/projects/{d.project_id}/packages", data=match_keys, timeout=60,
                          headers=d.bearer(d.enclave_tokens["health"], match_keys))
    assert answer.status_code == 400
    assert d.lu_url in answer.json()["error"]
    assert _content_rows(d) == before
    assert not list((d.enclave_dir / "data" / "incoming").iterdir())
    denied = [e for e in d.enclave_events("intake.upload") if e.outcome == "denied"]
    assert denied and denied[0].details["reason"] == "belongs_to_linkage_unit"


def _single_dataset_project(d: Deployment) -> int:
    """An approved project asking for the welfare dataset alone: it is provided, never linked."""
    with d.svc.session() as session:
        project = apply_for_project(
            d.svc, session, session.get(User, d.world.users["alice"].id), title="One dataset", purpose="P",
            retention_end=dt.date.today() + dt.timedelta(days=30), requests={d.world.datasets["welfare"].id: ["x"]})
        decide_agency_part(d.svc, session, project, session.get(User, d.world.users["welfare"].id),
                           Decision.approved)
        decide_as_steward(d.svc, session, project, session.get(User, d.world.users["carol"].id), Decision.approved)
        return project.id


@pytest.mark.parametrize("case", ["unknown_project", "not_waiting", "single_dataset", "other_signer", "replay",
                                  "agency_token"])
def test_bad_linkage_maps_are_refused_change_nothing_and_are_audited(deployment: Deployment, case: str) -> None:
    d = deployment
    lu_keys = load_party_keys(d.lu_dir / "lu-data" / "keys", "linkage-unit")
    enclave_public = d.svc.keys.sealing_public_key
    quality = d.linked["quality"]
    token, project_id = d.enclave_tokens["lu-service"], d.project_id
    if case == "unknown_project":
        project_id = 999
        body = _forged_map(999, lu_keys.signing, enclave_public, quality)
        status, reason = 404, "unknown_project"
    elif case == "not_waiting":
        project_id = apply(d.svc, d.world)  # applied, not approved: it waits for no map
        body = _forged_map(project_id, lu_keys.signing, enclave_public, quality)
        status, reason = 409, "state"
    elif case == "single_dataset":
        project_id = _single_dataset_project(d)
        body = _forged_map(project_id, lu_keys.signing, enclave_public, quality)
        status, reason = 409, "single_dataset"
    elif case == "other_signer":
        body = _forged_map(d.project_id, generate_party_keys("linkage-unit").signing, enclave_public, quality)
        status, reason = 400, "BadSignatureError"
    elif case == "replay":
        body = next((d.lu_dir / "lu-data" / "store" / f"project-{d.project_id}").glob("linkage-map-*.pkg")).read_bytes()
        status, reason = 409, "ReplayedPackageError"
    else:
        body = _forged_map(d.project_id, lu_keys.signing, enclave_public, quality)
        token = d.enclave_tokens["welfare"]
        status, reason = 403, "role"
    before = (_map_rows(d), sorted(p.name for p in _all_files(d.enclave_dir / "data" / "objects")))
    answer = _put_map(d, project_id, body, token)
    assert answer.status_code == status, answer.text
    assert answer.json()["error"]
    assert (_map_rows(d), sorted(p.name for p in _all_files(d.enclave_dir / "data" / "objects"))) == before
    denied = [e for e in d.enclave_events("combination.receive_map") if e.outcome == "denied"]
    assert denied and denied[0].details["reason"] == reason
    assert denied[0].object_id == str(project_id)


@pytest.mark.parametrize("case", ["unknown_token", "agency_starts_linking", "operator_uploads"])
def test_wrong_tokens_at_the_linkage_unit_are_refused_and_audited(deployment: Deployment, case: str) -> None:
    d = deployment
    before = (_lu_rows(d), len(d.lu_events("lu.deliver")))
    body = d.packages["welfare"][0]
    if case == "unknown_token":
        answer = requests.put(f"{d.lu_url}/api/v1/projects/{d.project_id}/packages", data=body, timeout=60,
                              headers=d.bearer("lut_not-a-token", body))
        status, reason = 401, "unknown_token"
    elif case == "agency_starts_linking":
        answer = requests.post(f"{d.lu_url}/api/v1/projects/{d.project_id}/link", timeout=60,
                               headers=d.bearer(d.lu_tokens["welfare"]))
        status, reason = 403, "holder"
    else:
        answer = requests.put(f"{d.lu_url}/api/v1/projects/{d.project_id}/packages", data=body, timeout=60,
                              headers=d.bearer(d.lu_tokens["operator"], body))
        status, reason = 403, "holder"
    assert answer.status_code == status
    assert "lut_" not in answer.text
    assert (_lu_rows(d), len(d.lu_events("lu.deliver"))) == before
    denied = d.lu_events("lu.token")
    assert denied and denied[0].details["reason"] == reason and denied[0].outcome == "denied"


def test_commands_show_keys_and_state_and_link_again(deployment: Deployment) -> None:
    d = deployment
    published = {k["use"]: k for k in requests.get(d.lu_url + "/api/v1/keys", timeout=10).json()["keys"]}
    # The enclave shows the separate linkage unit's keys it registered, not keys of its own making.
    assert _cli(d.enclave_env, "keys", "public", "--party", "linkage-unit", "--kind", "sealing") == \
        published["sealing"]["pem"]
    assert _cli(d.enclave_env, "keys", "public", "--party", "linkage-unit", "--kind", "signing",
                "--fingerprint").strip() == published["signing"]["fingerprint"]
    status = _cli(d.lu_env, "linkage-unit", "status")
    assert published["sealing"]["fingerprint"] in status and published["signing"]["fingerprint"] in status
    assert _cli(d.enclave_env, "keys", "public", "--kind", "sealing", "--fingerprint").strip() in status
    assert f"project {d.project_id}: 2 match-key packages from 2 agencies" in status
    listed = _cli(d.lu_env, "linkage-unit", "tokens", "list")
    assert "olivia" in listed and not any(t in listed for t in d.lu_tokens.values())

    before = _map_rows(d)
    out = _cli(d.lu_env, "linkage-unit", "link", str(d.project_id))
    assert f"Project {d.project_id} linked" in out and d.enclave_url in out
    assert _map_rows(d) == before + 1


def test_an_unreachable_enclave_keeps_the_run_and_says_so(deployment: Deployment) -> None:
    d = deployment
    with d.lu.session() as session:
        runs = len(session.scalars(select(LinkageRun)).all())
    before = _map_rows(d)
    done = _run(d.lu_env | {"LINKAGE_UNIT_ENCLAVE_URL": f"http://127.0.0.1:{free_port()}"},
                "linkage-unit", "link", str(d.project_id))
    assert done.returncode == 12
    assert "Could not reach the enclave" in done.stderr and "kept here" in done.stderr
    with d.lu.session() as session:
        assert len(session.scalars(select(LinkageRun)).all()) == runs + 1
    assert _map_rows(d) == before
    failed = d.lu_events("lu.deliver")
    assert failed[0].outcome == "failed" and failed[0].details["reason"] == "unreachable"


def test_the_linkage_unit_destroys_its_own_part_of_a_project(deployment: Deployment) -> None:
    d = deployment
    out = _cli(d.lu_env, "linkage-unit", "destroy", str(d.project_id), "--yes")
    assert f"project {d.project_id}" in out
    assert not (d.lu_dir / "lu-data" / "store" / f"project-{d.project_id}").exists()
    assert _lu_rows(d) == 0
    assert d.lu_events("linkage_unit.destroy")


def _verified_events(output: str) -> int:
    found = re.search(r"(\d+) events", output)
    assert found, output
    return int(found.group(1))


def test_each_side_verifies_its_own_audit_chain(deployment: Deployment) -> None:
    d = deployment
    lu_count = _verified_events(_cli(d.lu_env, "linkage-unit", "audit-verify"))
    enclave_count = _verified_events(_cli(d.enclave_env, "audit", "verify"))
    # A successful `enclave audit verify` then records a signed checkpoint of what it verified.
    enclave_events = d.enclave_events("")
    assert lu_count == len(d.lu_events("")) and enclave_count == len(enclave_events) - 1
    assert (enclave_events[0].action, enclave_events[0].details["covers_seq"]) == ("audit.checkpoint", enclave_count)
    # Each log records its own side's work only.
    assert not d.enclave_events("lu.") and not d.lu_events("combination.")
