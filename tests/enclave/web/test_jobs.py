"""Stage-4 jobs through the JSON API and the project page: start, refuse, watch, cancel."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from enclave.combination import STAGE4_JOBS
from enclave.db.models import Job
from enclave.jobs import Worker
from enclave.service import EnclaveService
from enclave.users import find_user, issue_token
from tests.conftest import passable_folder
from tests.enclave.jobs.stage4 import Stage4Project, build_stage4_project
from tests.enclave.web.conftest import sign_in


@pytest.fixture
def stage4(svc: EnclaveService) -> Stage4Project:
    return build_stage4_project(svc, passable_folder("agencies"))


def _bearer(svc: EnclaveService, username: str) -> dict[str, str]:
    with svc.session() as session:
        token = issue_token(svc, session, find_user(session, username), actor="test")
    return {"Authorization": f"Bearer {token}"}


def _jobs(svc: EnclaveService) -> list[Job]:
    with svc.session() as session:
        return list(session.scalars(select(Job).order_by(Job.id)))


def test_a_steward_starts_watches_and_cancels_jobs_through_the_api(svc: EnclaveService, client: FlaskClient,
                                                                   stage4: Stage4Project) -> None:
    pid = stage4.project_id
    stella = _bearer(svc, "stella")
    early = client.post(f"/api/v1/projects/{pid}/jobs", json={"kind": "combine"}, headers=stella)
    assert early.status_code == 409 and "Run the link job first" in early.get_json()["error"]
    bad = client.post(f"/api/v1/projects/{pid}/jobs", json={"kind": "everything"}, headers=stella)
    assert bad.status_code == 400 and "link, combine, process, replica" in bad.get_json()["error"]
    started = client.post(f"/api/v1/projects/{pid}/jobs", json={"kind": "link"}, headers=stella)
    assert started.status_code == 202
    job = started.get_json()
    assert (job["kind"], job["state"], job["started_by"]) == ("link", "queued", "stella")
    again = client.post(f"/api/v1/projects/{pid}/jobs", json={"kind": "link"}, headers=stella)
    assert again.status_code == 409 and "already queued" in again.get_json()["error"]
    assert len(_jobs(svc)) == 1
    mina = client.post(f"/api/v1/projects/{pid}/jobs", json={"kind": "link"}, headers=_bearer(svc, "mina"))
    assert mina.status_code == 403

    assert Worker(svc, STAGE4_JOBS).run_once() is not None
    done = client.get(f"/api/v1/jobs/{job['id']}", headers=stella).get_json()
    assert done["state"] == "succeeded" and done["percent"] == 100 and done["result"]["links"] > 0
    listed = client.get(f"/api/v1/projects/{pid}/jobs", headers=_bearer(svc, "adam")).get_json()
    assert [j["id"] for j in listed] == [job["id"]]
    late = client.post(f"/api/v1/jobs/{job['id']}/cancel", headers=stella)
    assert late.status_code == 409 and "already ended" in late.get_json()["error"]

    queued = client.post(f"/api/v1/projects/{pid}/jobs", json={"kind": "combine"}, headers=stella).get_json()
    cancelled = client.post(f"/api/v1/jobs/{queued['id']}/cancel", headers=stella)
    assert cancelled.status_code == 200 and cancelled.get_json()["state"] == "cancelled"


def _log_in(svc: EnclaveService, client: FlaskClient, stage4: Stage4Project, username: str) -> None:
    sign_in(svc, client, stage4.users[username].id)


def test_the_project_page_starts_a_job_refuses_a_second_click_and_serves_its_progress(
        svc: EnclaveService, client: FlaskClient, stage4: Stage4Project) -> None:
    pid = stage4.project_id
    _log_in(svc, client, stage4, "stella")
    page = client.get(f"/projects/{pid}").get_data(as_text=True)
    assert "Next step" in page and "Link the match keys" in page
    assert re.search(r'<button type="submit" data-kind="link">Start: Linkage', page)
    assert 'data-kind="combine"' not in page  # not before the linkage map arrived
    assert "jobs.js" in page and "<script>" not in page

    first = client.post(f"/projects/{pid}/jobs", data={"kind": "link", "csrf_token": "test-csrf-token"})
    assert first.status_code == 302
    page = client.get(f"/projects/{pid}").get_data(as_text=True)
    assert "is queued" in page and 'data-active="1"' in page and 'data-kind="link"' not in page
    second = client.post(f"/projects/{pid}/jobs", data={"kind": "link", "csrf_token": "test-csrf-token"})
    assert second.status_code == 302
    page = client.get(f"/projects/{pid}").get_data(as_text=True)
    assert "a project runs one stage-4 job at a time" in page
    assert len(_jobs(svc)) == 1

    status = client.get(f"/projects/{pid}/jobs.json")
    assert "connect-src 'self'" in status.headers["Content-Security-Policy"]
    body = status.get_json()
    assert body["active"] is True and body["jobs"][0]["state"] == "queued"
    Worker(svc, STAGE4_JOBS).run_once()
    body = client.get(f"/projects/{pid}/jobs.json").get_json()
    assert body["active"] is False and body["jobs"][0]["state_label"] == "succeeded"
    assert "Combine the agencies' content" in body["next_step"]
    assert client.get("/static/jobs.js").status_code == 200


def test_a_steward_on_the_team_sees_no_job_controls(svc: EnclaveService, client: FlaskClient,
                                                    stage4: Stage4Project) -> None:
    _log_in(svc, client, stage4, "mina")
    page = client.get(f"/projects/{stage4.project_id}").get_data(as_text=True)
    assert "data-jobs-url" not in page
    assert client.get(f"/projects/{stage4.project_id}/jobs.json").status_code == 403
