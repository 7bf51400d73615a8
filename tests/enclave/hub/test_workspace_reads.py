"""Reads through the analysis room's contents API: audited, and flagged to stewards above the limit."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select

from enclave.db.models import AuditEvent, Role, User
from enclave.service import EnclaveService
from enclave.steward_queue import steward_queue
from enclave.users import add_user, find_user, issue_token
from enclave.web import create_app
from enclave.workspace_reads import flagged_read_volumes, record_workspace_read
from tests.enclave.hub.conftest import People


def _flags(svc: EnclaveService) -> list[AuditEvent]:
    with svc.session() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == "hub.read_volume")))


def test_reads_are_audited_and_flagged_once_when_they_pass_the_limit(svc: EnclaveService,
                                                                    enclave_people: People) -> None:
    limit = svc.settings.room_read_limit_mb * 1_000_000
    now = dt.datetime.now(dt.UTC)
    with svc.session() as session:
        alice = find_user(session, "alice")
        assert not record_workspace_read(svc, session, alice, enclave_people.alpha, read_bytes=limit // 2, files=3,
                                         now=now)
        assert record_workspace_read(svc, session, alice, enclave_people.alpha, read_bytes=limit // 2 + 1, files=1,
                                     now=now)
        # Once per window: more reads add audit events, not more flags.
        assert not record_workspace_read(svc, session, alice, enclave_people.alpha, read_bytes=limit, files=1,
                                         now=now)
    flags = _flags(svc)
    assert len(flags) == 1 and json.loads(flags[0].details)["bytes"] == limit + 1
    with svc.session() as session:
        steward = find_user(session, "steward-sam")
        found = steward_queue(svc, session, steward).read_volumes
        assert [(v.username, v.project.id, v.read_bytes) for v in found] == [("alice", enclave_people.alpha,
                                                                              limit + 1)]
        # A day later the window starts again; a week later the flag leaves the queue.
        assert not flagged_read_volumes(session, now=now + dt.timedelta(days=8))


def test_reads_older_than_the_window_do_not_count(svc: EnclaveService, enclave_people: People) -> None:
    limit = svc.settings.room_read_limit_mb * 1_000_000
    now = dt.datetime.now(dt.UTC)
    with svc.session() as session:
        alice = find_user(session, "alice")
        record_workspace_read(svc, session, alice, enclave_people.alpha, read_bytes=limit, files=1, now=now)
        # The events are stamped now; seen from two days on, they lie outside the window.
        assert not record_workspace_read(svc, session, alice, enclave_people.alpha, read_bytes=1, files=1,
                                         now=now + dt.timedelta(days=2))
    assert not _flags(svc)


def test_the_api_takes_reports_with_a_project_token_only_for_its_project(svc: EnclaveService,
                                                                        enclave_people: People) -> None:
    client = create_app(svc.settings, svc).test_client()
    with svc.session() as session:
        alice: User = find_user(session, "alice")
        token = issue_token(svc, session, alice, actor="test", label="room", scope=f"project:{enclave_people.alpha}",
                            lifetime=dt.timedelta(hours=1))
        add_user(svc, session, username="nosy", role=Role.researcher, password=enclave_people.password, actor="test")
    auth = {"Authorization": f"Bearer {token}"}
    ok = client.post(f"/api/v1/projects/{enclave_people.alpha}/workspace-reads", json={"bytes": 1200, "files": 2},
                     headers=auth)
    assert ok.status_code == 201 and ok.get_json() == {"flagged": False}
    other = client.post(f"/api/v1/projects/{enclave_people.beta}/workspace-reads", json={"bytes": 1, "files": 1},
                        headers=auth)
    assert other.status_code in (403, 404)
    negative = client.post(f"/api/v1/projects/{enclave_people.alpha}/workspace-reads",
                           json={"bytes": -5, "files": 1}, headers=auth)
    assert negative.status_code == 400
    with svc.session() as session:
        reads = session.scalars(select(AuditEvent).where(AuditEvent.action == "hub.contents_read")).all()
    assert [json.loads(e.details)["bytes"] for e in reads] == [1200]
