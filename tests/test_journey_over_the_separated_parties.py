"""The journey across separated parties: application to signed release and destruction, over public interfaces only.

One run of ``run_demo(separate=True, destroy_all=True)`` is shared by the
module: the linkage unit runs as its own process (``enclave linkage-unit
serve``) with its own folder and database, ``enclave serve`` runs without
its embedded worker beside a separate ``enclave worker``, and everything the
demo does is an HTTP request or an ``enclave``/``linkage``/``export-review``
command. One combination project and one single-dataset project go from
application to a signed release and destruction.

The checks below use only what any party could use afterwards: the
commands, the files in the folders, and the enclave's public key (with
``cryptography``). Nothing of the service's internals is imported; on
PostgreSQL the linkage unit gets its own database, ``<name>_lu`` beside the
suite's.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
    load_pem_public_key,
)
from sqlalchemy import create_engine
from sqlalchemy import text as sql
from sqlalchemy.engine import make_url

from enclave.demo import DemoResult, run_demo
from tests.conftest import PG_URL, _reset_postgres, passable_folder

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]


def _linkage_unit_database(url: str) -> str:
    """Create (if missing) and empty ``<name>_lu`` beside the suite's PostgreSQL database; return its URL."""
    parsed = make_url(url)
    own = parsed.set(database=f"{parsed.database}_lu")
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if conn.scalar(sql("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": own.database}) is None:
            conn.execute(sql(f'CREATE DATABASE "{own.database}"'))
    admin.dispose()
    lu_url = own.render_as_string(hide_password=False)
    _reset_postgres(lu_url)
    return lu_url


@dataclass
class Journey:
    result: DemoResult
    enclave_env: dict[str, str]
    lu_env: dict[str, str]
    signing_public_key: Path

    def enclave(self, *args: str) -> str:
        return _run("enclave", self.enclave_env, *args)

    def linkage_unit(self, *args: str) -> str:
        return _run("enclave", self.lu_env, "linkage-unit", *args)


def _clean_environment() -> dict[str, str]:
    # Only the settings each party was given: nothing of the developer's own.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ENCLAVE_", "LINKAGE_UNIT_"))}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def _run(program: str, env: dict[str, str], *args: str) -> str:
    done = subprocess.run([str(Path(sys.executable).with_name(program)), *args], env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, f"`{program} {' '.join(args[:2])}` failed: {done.stderr[-2000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def journey() -> Iterator[Journey]:
    workspace = passable_folder("separated-journey")
    database_url = lu_database_url = None
    if PG_URL.startswith("postgresql"):
        _reset_postgres(PG_URL)
        database_url, lu_database_url = PG_URL, _linkage_unit_database(PG_URL)
    with pytest.MonkeyPatch.context() as patch:
        # The demo's commands run this checkout, as the parties' machines would run their installation.
        patch.setenv("PYTHONPATH", _clean_environment()["PYTHONPATH"])
        result = run_demo(workspace, echo=lambda line: None, persons=1200, separate=True, destroy_all=True,
                          database_url=database_url, linkage_unit_database_url=lu_database_url)
    enclave_env = _clean_environment() | result.enclave_environment
    lu_env = _clean_environment() | result.linkage_unit_environment
    public_key = workspace / "checked" / "enclave.signing.pub.pem"
    public_key.parent.mkdir()
    public_key.write_text(_run("enclave", enclave_env, "keys", "public", "--kind", "signing"))
    yield Journey(result, enclave_env, lu_env, public_key)


def _files(*folders: Path) -> list[Path]:
    return [p for folder in folders if folder.exists() for p in folder.rglob("*") if p.is_file()]


def _enclave_folders(result: DemoResult) -> list[Path]:
    # The data folder and the workspaces beside it (ENCLAVE_DATA_DIR + "-workspaces").
    return [result.data_dir, result.data_dir.with_name(result.data_dir.name + "-workspaces")]


def test_the_journey_ran_with_the_parties_apart_and_said_so(journey: Journey) -> None:
    result = journey.result
    assert result.separate and result.steps[0].startswith("mode: separated parties")
    text = "\n".join(result.steps)
    for stage in ("stage 6-1 (linkage unit)", "stage 1-2 (linkage unit)", "stage 6-1 (services)",
                  "stages 1 and 3", "stage 4-1", "stage 4-4", "stage 4-6", "stage 5-1", "stage 5-2", "provision",
                  "stage 6-2 (linkage unit)", "audit log verified", "linkage-unit audit-verify"):
        assert stage in text, stage
    assert result.enclave_environment["ENCLAVE_LINKAGE_UNIT_URL"].startswith("http://127.0.0.1:")
    assert result.linkage_unit_dir is not None
    assert result.linkage_unit_dir.is_relative_to(result.workspace / "linkage-unit")


def test_the_stage_four_jobs_ran_in_the_separate_worker_which_stopped_cleanly(journey: Journey) -> None:
    log = (journey.result.workspace / "worker.log").read_text()
    assert re.findall(r"job \d+: (\w+) succeeded", log) == ["combine", "process", "provide", "process"]
    assert "Worker stopped after running 4 jobs" in log
    # The server ran none: its embedded worker was off.
    assert "succeeded" not in (journey.result.workspace / "serve.log").read_text()


def test_both_release_packages_verify_with_the_enclaves_public_key(journey: Journey) -> None:
    packages = [journey.result.release_package, journey.result.provided_release_package]
    assert all(p is not None and p.is_file() for p in packages)
    for package in packages:
        assert package is not None
        _run("export-review", journey.enclave_env, "verify", str(package), "--public-key",
             str(journey.signing_public_key))


def test_a_tampered_release_package_does_not_verify(journey: Journey, tmp_path: Path) -> None:
    package = journey.result.release_package
    assert package is not None
    forged = tmp_path / "forged.zip"
    data = bytearray(package.read_bytes())
    data[len(data) // 2] ^= 0x01
    forged.write_bytes(bytes(data))
    done = subprocess.run([str(Path(sys.executable).with_name("export-review")), "verify", str(forged),
                           "--public-key", str(journey.signing_public_key)], env=journey.enclave_env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode != 0


def test_both_projects_are_destroyed(journey: Journey) -> None:
    result = journey.result
    assert result.project_id is not None and result.provided_project_id is not None
    shown = {}
    for project_id in (result.project_id, result.provided_project_id):
        shown[project_id] = journey.enclave("projects", "show", str(project_id))
        assert re.search(r"^\s*state:\s+destroyed\s*$", shown[project_id], re.MULTILINE), shown[project_id]
    assert "flow:      combination" in shown[result.project_id]
    assert "flow:      provision" in shown[result.provided_project_id]


def test_each_destruction_certificate_verifies_and_a_forged_one_does_not(journey: Journey) -> None:
    public_key = load_pem_public_key(journey.signing_public_key.read_bytes())
    assert isinstance(public_key, Ed25519PublicKey)
    result = journey.result
    assert set(result.certificates) == {result.project_id, result.provided_project_id}
    for project_id, path in result.certificates.items():
        certificate = json.loads(path.read_text())
        body, signature = certificate["body"], base64.b64decode(certificate["signature"])
        public_key.verify(signature, body.encode("utf-8"))  # raises if it does not verify
        content = json.loads(body)
        assert content["project"] == project_id
        # A separate linkage unit is not reached by the enclave: its operator destroys its part there.
        assert content["linkage_unit_files_deleted"] is None
        forged = body.replace(f'"project":{project_id}', f'"project":{project_id + 100}')
        assert forged != body
        with pytest.raises(InvalidSignature):
            public_key.verify(signature, forged.encode("utf-8"))


def test_both_audit_logs_verify_by_their_own_commands(journey: Journey) -> None:
    enclave = journey.enclave("audit", "verify")
    linkage_unit = journey.linkage_unit("audit-verify")
    counts = [int(re.search(r"(\d+) events", out).group(1)) for out in (enclave, linkage_unit)]  # type: ignore[union-attr]
    assert all(count > 0 for count in counts)


def test_the_linkage_unit_deleted_its_part_of_the_destroyed_projects(journey: Journey) -> None:
    lu_dir = journey.result.linkage_unit_dir
    assert lu_dir is not None
    assert not list((lu_dir / "store").glob("project-*"))
    status = journey.linkage_unit("status")
    assert "match-key packages" not in status, status


def _private_key_secrets_of_the_linkage_unit(lu_dir: Path) -> list[bytes]:
    found = []
    for pem in (lu_dir / "keys").glob("*.key.pem"):
        key = load_pem_private_key(pem.read_bytes(), password=None)
        raw = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        found += [pem.read_bytes(), raw]
    found.append((lu_dir / "keys" / "audit.key").read_bytes())
    assert len(found) == 5
    return found


def _private_key_secrets_of_the_enclave(data_dir: Path) -> list[bytes]:
    key_file = data_dir / "keys" / "enclave.keys"
    document = json.loads(key_file.read_text())
    strings: list[str] = []

    def collect(value: object) -> None:
        if isinstance(value, str) and len(value) >= 32:
            strings.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                collect(item)

    collect({k: v for k, v in document.items() if k != "format"})
    assert len(strings) >= 5
    found = [key_file.read_bytes()]
    for value in strings:
        found.append(value.encode())
        with contextlib.suppress(binascii.Error):
            found.append(base64.b64decode(value, validate=True))
    return found


def _encodings(secret: bytes) -> list[bytes]:
    return [secret, secret.hex().encode(), base64.b64encode(secret)]


def test_neither_folder_holds_the_others_files_or_private_keys(journey: Journey) -> None:
    result = journey.result
    lu_dir = result.linkage_unit_dir
    assert lu_dir is not None
    enclave_folders = _enclave_folders(result)
    lu_files, enclave_files = _files(lu_dir), _files(*enclave_folders)
    assert lu_files and enclave_files
    assert not any(lu_dir.is_relative_to(folder) or folder.is_relative_to(lu_dir) for folder in enclave_folders)
    # The enclave never made an in-process linkage unit, nor the linkage unit anything of the enclave's.
    assert not (result.data_dir / "linkage-unit").exists()
    assert not [p for p in enclave_files if p.name.startswith("linkage-unit.") and not p.name.endswith(".pub.pem")]
    assert not [p for p in lu_files if p.name.startswith("enclave.") and p.name not in ("enclave.sealing.pub.pem",
                                                                                        "enclave.token")]
    assert not [p for p in lu_files if p.suffix == ".enc"]

    # No file is in both, except the public keys they handed each other (and empty lock files).
    def shared(path: Path) -> bool:
        head = path.read_bytes()[:64]
        return bool(head) and b"PUBLIC KEY-----" not in head

    enclave_contents = {p.read_bytes() for p in enclave_files if shared(p)}
    assert not [p for p in lu_files if shared(p) and p.read_bytes() in enclave_contents]

    lu_secrets = [e for s in _private_key_secrets_of_the_linkage_unit(lu_dir) for e in _encodings(s)]
    for path in enclave_files:
        content = path.read_bytes()
        assert not any(secret in content for secret in lu_secrets), path
    enclave_secrets = [e for s in _private_key_secrets_of_the_enclave(result.data_dir) for e in _encodings(s)]
    for path in lu_files:
        content = path.read_bytes()
        assert not any(secret in content for secret in enclave_secrets), path


def test_no_match_key_package_reached_the_enclaves_folder(journey: Journey) -> None:
    result = journey.result
    # Every match-key package prepared: one per agency for the combination project (sent to the linkage
    # unit), and the welfare agency's for the provision project (prepared, never sent).
    packages = sorted((result.workspace / "agencies").rglob("*.match_keys.pkg"))
    assert sorted(p.parent.name for p in packages) == [f"out-project-{result.project_id}"] * 3 + [
        f"out-project-{result.provided_project_id}"]
    sent = [p.read_bytes() for p in packages]
    enclave_files = _files(*_enclave_folders(result))
    assert not [p for p in enclave_files if "match" in p.name]
    for path in enclave_files:
        content = path.read_bytes()
        # Any 4 KiB run of a sealed match-key package, not only the whole file.
        assert not any(package[i:i + 4096] in content for package in sent
                       for i in range(0, max(len(package) - 4096, 1), 65536)), path
