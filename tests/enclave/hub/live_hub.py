"""A real analysis room for tests: JupyterHub and its proxy on the configuration `enclave hub` writes.

:func:`running_hub` starts JupyterHub with configurable-http-proxy on free
ports and stops it, and every server it started, at the end (the ``hub``
fixture of the real-hub test modules). Helpers: :func:`login`, :func:`start_server` (a
researcher with a running server and a hub token), :func:`stop_server`,
:func:`run_in_kernel` (run code in a fresh kernel, return what it printed),
:func:`wait_for`.
"""

from __future__ import annotations

import contextlib
import dataclasses
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

import requests
import websocket

from enclave.hub import HubLayout, write_hub_config
from enclave.hub.firewall import nft_command
from tests.enclave.hub.conftest import Room, free_port

WAIT_SECONDS = 60


def wait_for(predicate, what: str, timeout: float = WAIT_SECONDS, interval: float = 0.25):  # type: ignore[no-untyped-def]
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


def nft_tables() -> str:
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


@contextlib.contextmanager
def running_hub(room: Room, api_url: str, log: Path, extra_config: str = "") -> Iterator[Hub]:
    """Start JupyterHub on the configuration `enclave hub` writes; yield it; stop it and its servers after.

    ``extra_config`` is appended to the generated configuration (a test that must break something);
    such a hub keeps its files beside ``log``, so it can run beside the module's own.
    """
    port, hub_port, proxy_api_port = free_port(), free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENCLAVE_")}
    env.update(ENCLAVE_MODE="development", ENCLAVE_DATA_DIR=str(room.settings.data_dir),
               ENCLAVE_DATABASE_URL=room.settings.database_url, ENCLAVE_PUBLIC_URL=api_url)
    # The configuration `enclave hub` writes (tested in test_config.py), started the way it starts it;
    # going round the CLI saves importing every command in this already long test.
    settings = room.settings.replace(public_url=api_url)
    layout = HubLayout.for_settings(settings, port=port, hub_port=hub_port, proxy_api_port=proxy_api_port)
    if extra_config:
        layout = dataclasses.replace(layout, folder=log.parent / "hub")
    config = write_hub_config(settings, layout)
    if extra_config:
        with open(config, "a", encoding="utf-8") as appended:
            appended.write(extra_config + "\n")
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

        wait_for(hub_is_up, "the hub to answer")
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
    assert f"enclave_room_{hub_port}" not in nft_tables()


def login(hub: Hub, username: str, password: str, otp: str = "") -> tuple[requests.Session, requests.Response]:
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


def start_server(hub: Hub, name: str, password: str) -> Researcher:
    session, response = login(hub, name, password)
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

    wait_for(ready, f"{name}'s server", interval=0.5)
    return Researcher(name=name, session=session, token=token)


def run_in_kernel(hub: Hub, who: Researcher, code: str, kernel_name: str = "python3") -> str:
    """Start a kernel (``python3``, ``ir``) on the researcher's server, run ``code``, return what it printed."""
    base = f"/user/{who.name}/api/kernels"
    kernel = requests.post(hub.url + base, headers=who.auth, json={"name": kernel_name}, timeout=60)
    assert kernel.status_code == 201, kernel.text
    kernel_id = kernel.json()["id"]
    socket_url = hub.url.replace("http://", "ws://") + f"{base}/{kernel_id}/channels"
    conn = websocket.create_connection(socket_url, header=[f"Authorization: token {who.token}"], timeout=300)
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


def stop_server(hub: Hub, who: Researcher) -> None:
    """Stop the researcher's server through the hub's API and wait until the hub has it stopped."""
    url = hub.url + f"/hub/api/users/{who.name}"
    response = requests.delete(url + "/server", headers=who.auth, timeout=60)
    assert response.status_code in (202, 204), response.text

    def stopped() -> bool:
        state = requests.get(url, headers=who.auth, timeout=10).json()
        return not state.get("servers")

    wait_for(stopped, f"{who.name}'s server to stop", interval=0.5)
