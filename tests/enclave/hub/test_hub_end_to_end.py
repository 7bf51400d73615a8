"""The analysis room for real: JupyterHub and its proxy on the configuration `enclave hub` writes; a researcher logs in,
gets a server, runs code in a kernel that reads the project's data and submits an output through
``export_review`` to the enclave's API; downloads are refused through the proxy; another project's
data is out of reach; a researcher without an active project is refused; closing the project ends
the session. Run as root, every server and kernel runs under its workspace's own account, and a
kernel is shown to be refused the key file, the database, the data folder, the hub's environment
and the running workspace of a researcher on another project.

Everything runs on free ports picked here, with bounded waits, and is stopped at the end.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import websocket
from sqlalchemy import select

from enclave.db.models import ApiToken, AuditEvent, ExportRequest, Project, ProjectMember, ProjectState, Role
from enclave.hub import KERNEL_ENVIRONMENT, HubLayout, workspace_root, write_hub_config
from enclave.hub.firewall import nft_command
from enclave.users import add_user, current_code, enrol_second_factor, find_user, resolve_token
from tests.conftest import needs_accounts, workspace_accounts_unusable
from tests.enclave.hub.conftest import REFUSED_CODE, Room, enclave_secrets, free_port, make_study_frame, serve_api

pytestmark = pytest.mark.hub

WAIT_SECONDS = 60


def _wait_for(predicate, what: str, timeout: float = WAIT_SECONDS, interval: float = 0.25):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@dataclass
class Hub:
    """A running hub: its public URL and the enclave API's URL."""

    url: str
    api_url: str
    log: Path
    pid: int
    proxy_api_port: int
    hub_api_port: int

    def get(self, session: requests.Session, path: str, **kwargs):  # type: ignore[no-untyped-def]
        return session.get(self.url + path, allow_redirects=False, timeout=30, **kwargs)


@pytest.fixture(scope="module")
def api_url(room: Room) -> Iterator[str]:
    """The enclave's web app and JSON API, served from this process on a free port."""
    with serve_api(room.svc, free_port()) as url:
        yield url


def _nft_tables() -> str:
    nft = nft_command()
    if nft is None:
        return ""
    return subprocess.run([nft, "list", "tables"], capture_output=True, text=True, timeout=30, check=False).stdout


def _stray_servers(folder: Path) -> list[int]:
    """Pids of processes (our notebook servers, kernels) working inside ``folder``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if Path(os.readlink(entry / "cwd")).is_relative_to(folder):
                    found.append(int(entry.name))
    return found


@pytest.fixture(scope="module")
def hub(room: Room, api_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    port, hub_port, proxy_api_port = free_port(), free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENCLAVE_")}
    env.update(ENCLAVE_MODE="development", ENCLAVE_DATA_DIR=str(room.settings.data_dir),
               ENCLAVE_DATABASE_URL=room.settings.database_url, ENCLAVE_PUBLIC_URL=api_url)
    log = tmp_path_factory.mktemp("hub-log") / "hub.log"
    # The configuration `enclave hub` writes (tested in test_config.py), started the way it starts it;
    # going round the CLI saves importing every command in this already long test.
    settings = room.settings.replace(public_url=api_url)
    config = write_hub_config(settings, HubLayout.for_settings(settings, port=port, hub_port=hub_port,
                                                               proxy_api_port=proxy_api_port))
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(config)], cwd=config.parent,
                                   env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        # The hub answers 404 for a moment after start: wait for its API to say 200.
        def hub_is_up() -> bool:
            assert process.poll() is None, log.read_text(errors="replace")[-3000:]
            with contextlib.suppress(requests.RequestException):
                return requests.get(url + "/hub/api", timeout=2).status_code == 200
            return False

        _wait_for(hub_is_up, "the hub to answer")
        yield Hub(url=url, api_url=api_url, log=log, pid=process.pid, proxy_api_port=proxy_api_port,
                  hub_api_port=hub_port)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        for pid in _stray_servers(room.settings.workspaces_dir):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    # The hub removes its egress rules when it exits.
    assert f"enclave_room_{hub_port}" not in _nft_tables()


def _login(hub: Hub, username: str, password: str, otp: str = "") -> tuple[requests.Session, requests.Response]:
    session = requests.Session()
    session.trust_env = False
    page = hub.get(session, "/hub/login")
    xsrf = re.search(r'name="_xsrf"\s+value="([^"]+)"', page.text)
    assert page.status_code == 200 and xsrf, page.status_code
    response = session.post(hub.url + "/hub/login", data={
        "username": username, "password": password, "otp": otp, "_xsrf": xsrf.group(1)},
        allow_redirects=False, timeout=60)
    return session, response


@dataclass
class Researcher:
    """A logged-in researcher with a running server and a hub API token for it."""

    name: str
    session: requests.Session
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"token {self.token}"}


def _start_server(hub: Hub, name: str, password: str) -> Researcher:
    session, response = _login(hub, name, password)
    assert response.status_code == 302, response.text[-500:]
    xsrf = {"X-XSRFToken": session.cookies.get("_xsrf", path="/hub/") or session.cookies["_xsrf"]}
    created = session.post(hub.url + f"/hub/api/users/{name}/tokens", json={"note": "test", "expires_in": 900},
                           headers=xsrf, timeout=30)
    assert created.status_code == 201, created.text
    token = created.json()["token"]
    auth = {"Authorization": f"token {token}"}
    started = session.post(hub.url + f"/hub/api/users/{name}/server", headers=auth, timeout=60)
    assert started.status_code in (201, 202), started.text

    def ready() -> bool:
        state = requests.get(hub.url + f"/hub/api/users/{name}", headers=auth, timeout=10).json()
        server = state.get("servers", {}).get("", {})
        return bool(server.get("ready"))

    _wait_for(ready, f"{name}'s server", interval=0.5)
    return Researcher(name=name, session=session, token=token)


@pytest.fixture(scope="module")
def alice(hub: Hub, room: Room) -> Researcher:
    return _start_server(hub, "alice", room.people.password)


@pytest.fixture(scope="module")
def dave(hub: Hub, room: Room) -> Researcher:
    """A researcher on project beta (not alice's), with his server running: his data is decrypted meanwhile."""
    with room.svc.session() as session:
        user = add_user(room.svc, session, username="dave", role=Role.researcher, password=room.people.password,
                        actor="test").user
        session.add(ProjectMember(project_id=room.people.beta, user_id=user.id))
    return _start_server(hub, "dave", room.people.password)


def _run_in_kernel(hub: Hub, who: Researcher, code: str) -> str:
    """Start a kernel on the researcher's server, run ``code``, return what it printed."""
    base = f"/user/{who.name}/api/kernels"
    kernel = requests.post(hub.url + base, headers=who.auth, json={"name": "python3"}, timeout=60)
    assert kernel.status_code == 201, kernel.text
    kernel_id = kernel.json()["id"]
    socket_url = hub.url.replace("http://", "ws://") + f"{base}/{kernel_id}/channels"
    conn = websocket.create_connection(socket_url, header=[f"Authorization: token {who.token}"], timeout=90)
    msg_id = uuid.uuid4().hex
    conn.send(json.dumps({
        "header": {"msg_id": msg_id, "username": who.name, "session": uuid.uuid4().hex,
                   "msg_type": "execute_request", "version": "5.3"},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                    "allow_stdin": False, "stop_on_error": True},
    }))
    printed, error = [], None
    try:
        while True:
            message = json.loads(conn.recv())
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = message["msg_type"], message["content"]
            if kind == "stream":
                printed.append(content["text"])
            elif kind == "error":
                error = f"{content['ename']}: {content['evalue']}"
            elif kind == "status" and content["execution_state"] == "idle":
                break
    finally:
        conn.close()
        requests.delete(hub.url + f"{base}/{kernel_id}", headers=who.auth, timeout=30)
    assert error is None, error
    return "".join(printed)


def test_researcher_without_an_active_project_is_refused(hub: Hub, room: Room) -> None:
    _, refused = _login(hub, "carol", room.people.password)
    assert refused.status_code == 403
    assert "not a member of an active project" in refused.text
    _, wrong = _login(hub, "alice", "not the password at all")
    assert wrong.status_code == 403 and "Invalid username or password" in wrong.text
    _, steward = _login(hub, "steward-sam", room.people.password)
    assert steward.status_code == 403
    with room.svc.session() as session:
        denied = session.scalars(select(AuditEvent).where(AuditEvent.action == "hub.login",
                                                          AuditEvent.outcome == "denied")).all()
    assert {e.actor for e in denied} >= {"carol"}


def test_login_form_takes_the_one_time_code_of_an_enrolled_researcher(hub: Hub, room: Room) -> None:
    with room.svc.session() as session:
        secret = enrol_second_factor(room.svc, session, find_user(session, "bob"), actor="test")
    _, without = _login(hub, "bob", room.people.password)
    assert without.status_code == 403
    _, with_code = _login(hub, "bob", room.people.password, current_code(secret))
    assert with_code.status_code == 302


def test_workspace_is_the_projects_folder_with_read_only_data(hub: Hub, room: Room, alice: Researcher) -> None:
    listing = requests.get(hub.url + "/user/alice/api/contents/", headers=alice.auth, timeout=30)
    assert listing.status_code == 200
    names = {item["name"] for item in listing.json()["content"]}
    assert {"data", "outputs", "welcome.ipynb", "example_analysis.ipynb"} <= names
    data = requests.get(hub.url + "/user/alice/api/contents/data", headers=alice.auth, timeout=30).json()
    assert sorted(item["name"] for item in data["content"]) == ["dataset.json", "linked.parquet"]
    root = workspace_root(room.settings, room.people.alpha, "alice")
    data_file = (root / "data" / "linked.parquet").stat()
    if not workspace_accounts_unusable():
        # The server runs as the workspace's account; the data stays root's, readable by the account's group.
        assert root.stat().st_uid > room.settings.hub_uid_base and root.stat().st_mode & 0o777 == 0o700
        assert (data_file.st_uid, data_file.st_gid, data_file.st_mode & 0o777) == (0, root.stat().st_gid, 0o440)
    else:
        assert data_file.st_mode & 0o777 == 0o444
    with room.svc.session() as session:
        actions = {e.action for e in session.scalars(select(AuditEvent).where(AuditEvent.actor == "alice"))}
    assert {"hub.login", "hub.provision", "hub.spawn"} <= actions


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "files/data/linked.parquet"),
    ("GET", "files/welcome.ipynb"),
    ("GET", "files/outputs/?download=1"),
    ("GET", "api/contents/welcome.ipynb?download=1"),
    ("GET", "nbconvert/html/welcome.ipynb?download=true"),
    ("GET", "nbconvert/script/welcome.ipynb"),
    ("POST", "nbconvert/html"),
    ("GET", "view/welcome.ipynb"),
    ("GET", "api/contents/data/linked.parquet"),
    ("GET", "api/contents/data/linked.parquet?content=1&format=base64&type=file"),
])
def test_downloads_are_refused_through_the_proxy(hub: Hub, alice: Researcher, method: str, path: str) -> None:
    response = requests.request(method, f"{hub.url}/user/alice/{path}", headers=alice.auth, timeout=30)
    assert response.status_code == 403, (path, response.status_code)
    assert "export request" in response.json()["message"]


@pytest.mark.parametrize(("method", "path"), [
    ("PUT", "api/contents/data/copy.txt"),
    ("DELETE", "api/contents/data/linked.parquet"),
    ("PATCH", "api/contents/data/linked.parquet"),
])
def test_the_data_folder_cannot_be_changed(hub: Hub, alice: Researcher, method: str, path: str) -> None:
    body = {"type": "file", "format": "text", "content": "x"} if method == "PUT" else {"path": "outputs/x.parquet"}
    response = requests.request(method, f"{hub.url}/user/alice/{path}", headers=alice.auth, json=body, timeout=30)
    assert response.status_code == 403, (path, response.status_code)
    assert "read-only" in response.json()["message"]


def test_jupyterlab_opens_with_its_download_commands_disabled(hub: Hub, alice: Researcher) -> None:
    page = requests.get(hub.url + "/user/alice/lab", headers=alice.auth, timeout=60)
    assert page.status_code == 200
    config = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', page.text, re.S)
    assert config is not None
    disabled = json.loads(config.group(1))["disabledExtensions"]
    assert {"@jupyterlab/docmanager-extension:download", "@jupyterlab/filebrowser-extension:download",
            "@jupyterlab/notebook-extension:export"} <= set(disabled)


def test_notebooks_still_open_and_terminals_are_off(hub: Hub, alice: Researcher) -> None:
    notebook = requests.get(hub.url + "/user/alice/api/contents/welcome.ipynb", headers=alice.auth, timeout=30)
    assert notebook.status_code == 200 and notebook.json()["type"] == "notebook"
    terminals = requests.get(hub.url + "/user/alice/api/terminals", headers=alice.auth, timeout=30)
    assert terminals.status_code == 404


def test_kernel_reads_the_project_data_and_submits_an_output_for_export(hub: Hub, room: Room,
                                                                         alice: Researcher) -> None:
    printed = _run_in_kernel(hub, alice, """
import json, os
import pandas as pd
from export_review import OutputSession
df = pd.read_parquet("data/linked.parquet")
session = OutputSession(dataset="hub test", record_id="pseudonym", echo=None)
session.frequency(df, "sex", name="by_sex", comment="records per sex")
receipt = session.submit("from the hub end-to-end test")
print("RESULT", json.dumps({"rows": len(df), "request": receipt.id, "status": receipt.status,
                            "enclave_env": sorted(k for k in os.environ if k.startswith("ENCLAVE_")),
                            "cwd": os.getcwd()}))
print("ENV", json.dumps(dict(os.environ)))
""")
    result = json.loads(printed.split("RESULT ", 1)[1].splitlines()[0])
    env = json.loads(printed.split("ENV ", 1)[1].splitlines()[0])
    assert result["rows"] == 300
    assert set(result["enclave_env"]) == set(KERNEL_ENVIRONMENT)
    assert result["cwd"] == str(workspace_root(room.settings, room.people.alpha, "alice"))
    assert env["ENCLAVE_PROJECT_ID"] == str(room.people.alpha)
    joined = "\n".join(f"{k}={v}" for k, v in env.items()).encode()
    for secret in enclave_secrets(room.svc):
        assert secret not in joined
    with room.svc.session() as session:
        request = session.get(ExportRequest, result["request"])
        assert request is not None and request.project_id == room.people.alpha
        assert request.author.username == "alice" and [o.name for o in request.outputs] == ["by_sex"]
        _, token = resolve_token(session, env["ENCLAVE_API_TOKEN"])
        assert token.scope == f"project:{room.people.alpha}"


def test_another_projects_data_is_out_of_reach(hub: Hub, room: Room, alice: Researcher, dave: Researcher) -> None:
    beta = room.people.beta
    escape = f"api/contents/../../{beta}/dave/data/linked.parquet"
    response = requests.get(f"{hub.url}/user/alice/{escape}", headers=alice.auth, timeout=30)
    assert response.status_code in (400, 403, 404)
    printed = _run_in_kernel(hub, alice, f"""
import json, os, urllib.request, urllib.error
from export_review.client import submit_export_request
from export_review.errors import SubmissionError
env = dict(os.environ, ENCLAVE_PROJECT_ID="{beta}")
try:
    submit_export_request("into another project", [], environ=env)
    refused = None
except SubmissionError as error:
    refused = error.status
request = urllib.request.Request(os.environ["ENCLAVE_API_URL"] + "/api/v1/projects/{beta}",
                                  headers={{"Authorization": "Bearer " + os.environ["ENCLAVE_API_TOKEN"]}})
try:
    urllib.request.urlopen(request, timeout=30)
    read = 200
except urllib.error.HTTPError as error:
    read = error.code
print("RESULT", json.dumps({{"submit": refused, "read": read}}))
""")
    result = json.loads(printed.split("RESULT ", 1)[1].splitlines()[0])
    assert result["submit"] in (403, 404) and result["read"] in (403, 404)


@needs_accounts
def test_a_kernel_runs_as_its_workspace_account_and_the_os_refuses_everything_else(
        hub: Hub, room: Room, alice: Researcher, dave: Researcher) -> None:
    settings = room.settings
    dave_root = workspace_root(settings, room.people.beta, "dave")
    alice_root = workspace_root(settings, room.people.alpha, "alice")
    # Dave's server is running, so his project's data is decrypted in his workspace right now.
    assert (dave_root / "data" / "linked.parquet").exists()
    targets = {
        "key file": settings.key_file, "data folder": settings.data_dir, "hub folder": settings.data_dir / "hub",
        "objects": settings.objects_dir, "linkage unit": settings.linkage_unit_dir,
        "all workspaces": settings.workspaces_dir, "project beta": dave_root.parent, "dave's workspace": dave_root,
        "dave's data": dave_root / "data" / "linked.parquet", "hub environment": Path(f"/proc/{hub.pid}/environ"),
    }
    if settings.database_url.startswith("sqlite:///"):
        targets["database"] = Path(settings.database_url.removeprefix("sqlite:///"))
    assert all(path.exists() for path in targets.values())  # so a refusal is not a wrong path
    printed = _run_in_kernel(hub, alice, f"""
{REFUSED_CODE}def mem_refused():
    # The kernel's parent is its notebook server, of the same account: not dumpable, so not writable.
    try:
        open(f"/proc/{{os.getppid()}}/mem", "r+b").close()
        return False
    except PermissionError:
        return True
targets = {json.dumps({k: str(v) for k, v in targets.items()})}
print("RESULT", json.dumps({{"uid": os.getuid(), "gid": os.getgid(), "euid": os.geteuid(),
                            "refused": {{name: refused(path) for name, path in targets.items()}},
                            "server memory": mem_refused(),
                            "own data": not refused("data/linked.parquet")}}))
""")
    result = json.loads(printed.split("RESULT ", 1)[1].splitlines()[0])
    assert result["uid"] == result["euid"] == alice_root.stat().st_uid != 0
    assert result["uid"] != dave_root.stat().st_uid
    assert result["refused"] == dict.fromkeys(targets, True)
    assert result["server memory"]
    assert result["own data"]


@needs_accounts
def test_other_services_sockets_are_hidden_from_a_kernel(hub: Hub, alice: Researcher) -> None:
    # PostgreSQL (trust) and MariaDB (unix_socket) answer whoever reaches their socket, as superuser.
    sockets = [p for p in ("/run/postgresql/.s.PGSQL.5432", "/run/mysqld/mysqld.sock") if Path(p).is_socket()]
    if not sockets:
        pytest.skip("no database socket on this machine to hide")
    printed = _run_in_kernel(hub, alice, f"""
import json, socket
def reach(path):
    conn = socket.socket(socket.AF_UNIX)
    try:
        conn.connect(path)
        return "open"
    except OSError as error:
        return type(error).__name__
    finally:
        conn.close()
print("RESULT", json.dumps({{path: reach(path) for path in {sockets!r}}}))
""")
    result = json.loads(printed.split("RESULT ", 1)[1].splitlines()[0])
    assert result == dict.fromkeys(sockets, "FileNotFoundError")


@needs_accounts
@pytest.mark.skipif(nft_command() is None,
                    reason="nftables is not installed (scripts/install.sh installs it as root)")
def test_a_kernel_may_connect_only_to_the_hub_and_the_enclave_api(
        hub: Hub, room: Room, alice: Researcher) -> None:
    api_port = int(hub.api_url.rsplit(":", 1)[1])
    database = 5432  # PostgreSQL with trust authentication runs on this machine: exactly what must be closed.
    public_port = int(hub.url.rsplit(":", 1)[1])
    printed = _run_in_kernel(hub, alice, f"""
import json, socket
def reach(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
        return "open"
    except OSError as error:
        return type(error).__name__
print("RESULT", json.dumps({{"api": reach({api_port}), "database": reach({database}),
                            "proxy api": reach({hub.proxy_api_port}), "public proxy": reach({public_port})}}))
""")
    result = json.loads(printed.split("RESULT ", 1)[1].splitlines()[0])
    assert result["api"] == "open"
    assert result["database"] == result["proxy api"] == result["public proxy"] == "ConnectionRefusedError"
    assert f"enclave_room_{hub.hub_api_port}" in _nft_tables()


def test_closing_the_project_stops_the_server_and_revokes_its_token(hub: Hub, room: Room,
                                                                    alice: Researcher) -> None:
    with room.svc.session() as session:
        token_ids = [e.details for e in session.scalars(select(AuditEvent).where(AuditEvent.action == "hub.spawn",
                                                                                  AuditEvent.actor == "alice"))]
        session.get(Project, room.people.alpha).state = ProjectState.closing  # type: ignore[union-attr]
    # The hub re-checks access once auth_refresh_age (5 s) has passed; the spawner's
    # poll (every 10 s) may have stopped the server already: either way it stops.
    time.sleep(5.5)
    refused = requests.get(hub.url + "/hub/api/user", headers=alice.auth, timeout=30)
    assert refused.status_code == 403
    data = workspace_root(room.settings, room.people.alpha, "alice") / "data"
    _wait_for(lambda: not data.exists(), "the decrypted data to be removed")
    token_id = json.loads(token_ids[-1])["token_id"]

    def stop_recorded() -> bool:
        # The stop removes the data first and records hub.stop in its own
        # transaction right after; wait for that commit rather than race it.
        with room.svc.session() as session:
            return session.scalars(select(AuditEvent).where(AuditEvent.action == "hub.stop",
                                                            AuditEvent.actor == "alice")).first() is not None

    _wait_for(stop_recorded, "the hub.stop audit event")
    with room.svc.session() as session:
        assert session.get(ApiToken, token_id).revoked_at is not None  # type: ignore[union-attr]
    page = hub.get(alice.session, "/hub/home")
    assert page.status_code == 302 and "/hub/login" in page.headers["Location"]


def test_hub_log_holds_no_record_value_token_or_secret(hub: Hub, room: Room) -> None:
    log = hub.log.read_bytes()
    assert b"Spawning" in log  # the log is the one the servers wrote to
    # The idle culler ran as a hub service and could read the servers' activity.
    assert re.search(rb"200 GET /hub/api/users\S* \(idle-culler@", log)
    assert not re.search(rb"enc_[A-Za-z0-9_-]{20,}", log)
    for secret in enclave_secrets(room.svc):
        assert secret not in log
    assert not any(p.encode() in log for p in make_study_frame()["pseudonym"])
