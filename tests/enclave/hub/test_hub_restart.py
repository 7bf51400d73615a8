"""A workspace server starts, stops and starts again; a start that fails is closed like a stop (real hub).

Every kernel leaves ``~/.ipython`` behind, which once made jupyter_core try to
migrate it into the read-only configuration folder at the next start (the hub
answered 500). The failing start is forced with a second hub whose servers
exit at once, as a server that cannot start does.
"""

from __future__ import annotations

import json
import sys

import pytest
import requests
from sqlalchemy import select

from enclave.db.models import ApiToken, AuditEvent
from enclave.hub import workspace_root
from tests.enclave.hub.conftest import Room
from tests.enclave.hub.live_hub import (
    Hub,
    login,
    run_in_kernel,
    running_hub,
    start_server,
    stop_server,
    wait_for,
)

pytestmark = [pytest.mark.hub, pytest.mark.slow]


def _events(room: Room, action: str, actor: str) -> list[AuditEvent]:
    with room.svc.session() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action, AuditEvent.actor == actor)
                                    .order_by(AuditEvent.id)))


def _token_ids(room: Room, actor: str) -> list[int]:
    return [json.loads(e.details)["token_id"] for e in _events(room, "hub.spawn", actor) if e.outcome == "ok"]


def _is_revoked(room: Room, token_id: int) -> bool:
    with room.svc.session() as session:
        token = session.get(ApiToken, token_id)
        return token is not None and token.revoked_at is not None


def test_a_server_starts_again_after_each_stop_with_kernels_run_in_between(hub: Hub, room: Room) -> None:
    root = workspace_root(room.settings, room.people.alpha, "alice")
    for round_ in range(3):
        alice = start_server(hub, "alice", room.people.password)
        printed = run_in_kernel(hub, alice, "import os, pandas as pd\n"
                                            "print('ROWS', len(pd.read_parquet('data/linked.parquet')))\n"
                                            "print('IPYTHON', os.path.isdir(os.path.expanduser('~/.ipython')))")
        assert "ROWS 300" in printed and "IPYTHON True" in printed, round_
        stop_server(hub, alice)
        assert not (root / "data").exists() or not any((root / "data").iterdir())
        wait_for(lambda done=round_: len(_events(room, "hub.stop", "alice")) > done, "the hub.stop audit event")
        assert _is_revoked(room, _token_ids(room, "alice")[-1])
    assert len(_token_ids(room, "alice")) == 3
    # Nothing was migrated into the shipped configuration folder, and the workspace kept its IPython folder.
    assert (root / ".ipython").is_dir()
    assert not [e for e in _events(room, "hub.spawn", "alice") if e.outcome != "ok"]


def test_a_start_that_fails_revokes_the_token_removes_the_data_and_is_audited(
        room: Room, api_url: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    # A server that exits as soon as it starts, as one that cannot start does.
    failing = f"c.Spawner.cmd = [{sys.executable!r}, '-c', 'import sys; sys.exit(3)']\nc.Spawner.http_timeout = 20"
    log = tmp_path_factory.mktemp("failing-hub") / "hub.log"
    with running_hub(room, api_url, log, extra_config=failing) as broken:
        session, response = login(broken, "bob", room.people.password)
        assert response.status_code == 302
        xsrf = {"X-XSRFToken": session.cookies.get("_xsrf", path="/hub/") or session.cookies["_xsrf"]}
        token = session.post(broken.url + "/hub/api/users/bob/tokens", json={"note": "test", "expires_in": 900},
                             headers=xsrf, timeout=30).json()["token"]
        auth = {"Authorization": f"token {token}"}
        started = requests.post(broken.url + "/hub/api/users/bob/server", headers=auth, timeout=60)
        assert started.status_code in (201, 202, 500), started.text

        def failed() -> bool:
            return any(e.outcome == "failed" for e in _events(room, "hub.spawn", "bob"))

        wait_for(failed, "the failed start to be audited")
        state = requests.get(broken.url + "/hub/api/users/bob", headers=auth, timeout=10).json()
        assert not state.get("servers")
    failure = next(e for e in _events(room, "hub.spawn", "bob") if e.outcome == "failed")
    token_id = json.loads(failure.details)["token_id"]
    assert token_id == _token_ids(room, "bob")[-1]
    assert _is_revoked(room, token_id)
    assert _events(room, "hub.stop", "bob")
    data = workspace_root(room.settings, room.people.beta, "bob") / "data"
    assert not data.exists() or not any(data.iterdir())
