"""The pages of each user group, driven through the test client."""

from __future__ import annotations

import datetime as dt
import re

from enclave.db.models import ExportRequest, Project, ProjectState
from enclave.service import EnclaveService

CSRF = {"csrf_token": "test-csrf-token"}


def test_catalog_lists_and_searches_datasets_without_exact_counts(client, people, login, world) -> None:
    world.add_datasets()
    login(client, people["researcher"])
    page = client.get("/catalog").get_data(as_text=True)
    assert "Benefit recipients" in page and "Clinic visits" in page
    assert "12,345" not in page and "12,000" in page
    searched = client.get("/catalog?q=clinic").get_data(as_text=True)
    assert "Clinic visits" in searched and "Benefit recipients" not in searched
    detail = client.get(f"/catalog/{world.welfare_dataset}").get_data(as_text=True)
    assert "region" in detail and "Quasi-identifier" in detail
    assert client.get("/catalog/9999").status_code == 404


def test_researcher_applies_through_the_form(client, people, login, world, svc: EnclaveService) -> None:
    world.add_datasets()
    login(client, people["researcher"])
    form = client.get("/projects/apply").get_data(as_text=True)
    assert f'value="{world.welfare_dataset}:sex"' in form
    answer = client.post("/projects/apply", data={
        **CSRF, "title": "Income and visits", "purpose": "Why", "analysis_plan": "Plan",
        "retention_end": (dt.date.today() + dt.timedelta(days=90)).isoformat(), "team": "oscar",
        "variable": [f"{world.welfare_dataset}:sex", f"{world.health_dataset}:visits"]})
    assert answer.status_code == 302
    detail = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Income and visits" in detail and "oscar" in detail
    assert "applied" in detail
    assert "Income and visits" in client.get("/projects").get_data(as_text=True)


def test_application_with_problems_is_refused_and_nothing_is_stored(client, people, login, world, svc) -> None:
    world.add_datasets()
    login(client, people["researcher"])
    answer = client.post("/projects/apply", data={
        **CSRF, "title": "", "purpose": "", "retention_end": "2001-01-01",
        "variable": [f"{world.welfare_dataset}:sex"]})
    assert answer.status_code == 400
    with svc.session() as session:
        assert session.query(Project).count() == 0


def test_researcher_guessing_another_project_gets_404(client, people, login, world) -> None:
    project_id = world.project()
    login(client, people["other_researcher"])
    for path in (f"/projects/{project_id}", f"/projects/{project_id + 100}"):
        answer = client.get(path)
        assert answer.status_code == 404
        assert "Benefits and health" not in answer.get_data(as_text=True)


def test_agency_decides_its_part_and_a_second_click_is_409(client, people, login, world, svc) -> None:
    project_id = world.project()
    login(client, people["agency"])
    listing = client.get("/agency/applications").get_data(as_text=True)
    assert "Benefits and health" in listing
    detail = client.get(f"/projects/{project_id}").get_data(as_text=True)
    assert "Clinic visits" not in detail  # only its own part of the application
    first = client.post(f"/projects/{project_id}/agency-decision", data={**CSRF, "decision": "approved"})
    assert first.status_code == 302
    second = client.post(f"/projects/{project_id}/agency-decision", data={**CSRF, "decision": "approved"})
    assert second.status_code == 409
    assert "already" in second.get_data(as_text=True)


def test_steward_approval_twice_gives_already_decided_and_changes_nothing(client, people, login, world, svc) -> None:
    project_id = world.project()
    with svc.session() as session:
        from enclave.db.models import Decision
        from enclave.projects import decide_agency_part
        from enclave.users import find_user

        project = session.get(Project, project_id)
        for key in ("agency", "health_agency"):
            decide_agency_part(svc, session, project, find_user(session, people[key].username), Decision.approved)
    login(client, people["steward"])
    queue = client.get("/steward/queue").get_data(as_text=True)
    assert "Benefits and health" in queue
    first = client.post(f"/projects/{project_id}/steward-decision", data={**CSRF, "decision": "approved"})
    assert first.status_code == 302
    second = client.post(f"/projects/{project_id}/steward-decision", data={**CSRF, "decision": "approved"})
    assert second.status_code == 409
    assert "already decided" in second.get_data(as_text=True)
    with svc.session() as session:
        project = session.get(Project, project_id)
        assert project.state is ProjectState.approved
        assert len([d for d in project.decisions if d.kind == "steward"]) == 1


def test_steward_on_the_team_may_not_decide(client, people, login, world, svc) -> None:
    project_id = world.project()
    login(client, people["member_steward"])
    assert "another steward" in client.get(f"/projects/{project_id}").get_data(as_text=True)
    answer = client.post(f"/projects/{project_id}/steward-decision", data={**CSRF, "decision": "declined",
                                                                           "comment": "no"})
    assert answer.status_code == 403
    with svc.session() as session:
        assert session.get(Project, project_id).state is ProjectState.applied


def test_export_review_shows_failing_cells_and_votes_stay_blind(client, app, people, login, world, svc) -> None:
    project_id = world.project("active")
    request_id = world.export_request(project_id)
    login(client, people["steward"])
    page = client.get(f"/exports/{request_id}").get_data(as_text=True)
    assert "by_sex_small" in page
    assert 'class="num failing"' in page
    with svc.session() as session:
        export = session.get(ExportRequest, request_id)
        outputs = {o.name: o.id for o in export.outputs}
    vote = client.post(f"/exports/outputs/{outputs['by_region']}/vote", data={**CSRF, "decision": "approve"})
    assert vote.status_code == 302
    again = client.post(f"/exports/outputs/{outputs['by_region']}/vote", data={**CSRF, "decision": "approve"})
    assert again.status_code == 409
    other = app.test_client()
    login(other, people["steward2"])
    hidden = other.get(f"/exports/{request_id}").get_data(as_text=True)
    assert "stella" not in hidden.split("<main")[1]
    assert "hidden until you have voted" in hidden


def test_failing_output_needs_a_comment_to_approve(client, people, login, world, svc) -> None:
    project_id = world.project("active")
    request_id = world.export_request(project_id)
    with svc.session() as session:
        failing = next(o.id for o in session.get(ExportRequest, request_id).outputs if o.name == "by_sex_small")
    login(client, people["steward"])
    answer = client.post(f"/exports/outputs/{failing}/vote", data={**CSRF, "decision": "approve"})
    assert answer.status_code == 400


def _vote_all(app, people, login, svc, request_id: int) -> None:
    with svc.session() as session:
        outputs = {o.name: o.id for o in session.get(ExportRequest, request_id).outputs}
    for key in ("steward", "steward2"):
        steward = app.test_client()
        login(steward, people[key])
        assert steward.post(f"/exports/outputs/{outputs['by_region']}/vote",
                            data={**CSRF, "decision": "approve"}).status_code == 302
        assert steward.post(f"/exports/outputs/{outputs['by_sex_small']}/vote",
                            data={**CSRF, "decision": "reject", "comment": "cell of 2"}).status_code == 302


def test_two_stewards_approve_and_the_researcher_downloads_the_release(client, app, people, login, world,
                                                                       svc) -> None:
    project_id = world.project("active")
    request_id = world.export_request(project_id)
    _vote_all(app, people, login, svc, request_id)
    login(client, people["researcher"])
    page = client.get(f"/exports/{request_id}").get_data(as_text=True)
    assert "released" in page
    link = re.search(r'href="(/projects/\d+/releases/\d+\.zip)"', page)
    assert link is not None
    download = client.get(link.group(1))
    assert download.status_code == 200
    assert download.data[:2] == b"PK"
    outsider = app.test_client()
    login(outsider, people["other_researcher"])
    assert outsider.get(link.group(1)).status_code == 404


def test_researcher_withdraws_an_export_request(client, people, login, world) -> None:
    project_id = world.project("active")
    request_id = world.export_request(project_id)
    login(client, people["researcher"])
    assert client.post(f"/exports/{request_id}/withdraw", data=CSRF).status_code == 302
    assert "withdrawn" in client.get(f"/exports/{request_id}").get_data(as_text=True)
    assert client.post(f"/exports/{request_id}/withdraw", data=CSRF).status_code == 409


def test_steward_destroys_a_closing_project(client, people, login, world, svc) -> None:
    project_id = world.project("closing")
    login(client, people["steward"])
    assert "Benefits and health" in client.get("/steward/queue").get_data(as_text=True)
    answer = client.post(f"/projects/{project_id}/destroy", data=CSRF)
    assert answer.status_code == 302
    with svc.session() as session:
        assert session.get(Project, project_id).state is ProjectState.destroyed
    assert client.post(f"/projects/{project_id}/destroy", data=CSRF).status_code == 409


def test_pages_render_in_korean(client, people, login, world) -> None:
    world.project()
    login(client, people["steward"])
    page = client.get("/steward/queue?lang=ko").get_data(as_text=True)
    assert "심사 대기 목록" in page


def _pending_review(svc, project_id: int) -> int:  # noqa: ANN001
    """A pending risk review of the project, as the provisioning pipeline records one."""
    from enclave.db.models import LinkedDataset, RiskReview

    report = svc.settings.reports_dir / f"project-{project_id}" / "risk-report-1.html"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text("<html><body><h1>Risk report</h1><p>k-anonymity 5</p></body></html>", encoding="utf-8")
    (report.parent / "linkage-quality.json").write_text('{"linked_records": 40, "passes": 3}', encoding="utf-8")
    with svc.session() as session:
        dataset = LinkedDataset(project_id=project_id, stage="processed", object_id="x", row_count=40,
                                created_by="pipeline")
        session.add(dataset)
        session.flush()
        review = RiskReview(project_id=project_id, dataset_id=dataset.id, report_path=str(report),
                            report_hash="0" * 64, policy_hash="0" * 64, meets_thresholds=True, ran_by="pipeline")
        session.add(review)
        session.flush()
        return review.id


def test_steward_approves_adequacy_from_the_queue_once(client, app, people, login, world, svc) -> None:
    project_id = world.project("approved")
    review_id = _pending_review(svc, project_id)
    login(client, people["steward"])
    queue = client.get("/steward/queue").get_data(as_text=True)
    assert f"/projects/{project_id}/risk-report" in queue
    assert "linked_records=40" in queue
    report = client.get(f"/projects/{project_id}/risk-report")
    assert report.status_code == 200 and b"k-anonymity" in report.data
    member = app.test_client()
    login(member, people["member_steward"])
    assert member.post(f"/projects/{project_id}/adequacy/{review_id}",
                       data={**CSRF, "decision": "approve"}).status_code == 403
    assert client.post(f"/projects/{project_id}/adequacy/{review_id}",
                       data={**CSRF, "decision": "approve"}).status_code == 302
    again = client.post(f"/projects/{project_id}/adequacy/{review_id}", data={**CSRF, "decision": "approve"})
    assert again.status_code == 409
    with svc.session() as session:
        assert session.get(Project, project_id).state is ProjectState.provisioned
    login(client, people["researcher"])
    assert client.get(f"/projects/{project_id}/risk-report").status_code == 403


def test_lead_closes_and_a_steward_on_the_team_may_not(client, app, people, login, world, svc) -> None:
    project_id = world.project("active")
    member = app.test_client()
    login(member, people["member_steward"])
    assert member.post(f"/projects/{project_id}/close", data=CSRF).status_code == 403
    login(client, people["researcher"])
    assert "Close the project" in client.get(f"/projects/{project_id}").get_data(as_text=True)
    assert client.post(f"/projects/{project_id}/close", data=CSRF).status_code == 302
    with svc.session() as session:
        assert session.get(Project, project_id).state is ProjectState.closing
    assert client.post(f"/projects/{project_id}/close", data=CSRF).status_code == 409


def test_steward_returns_a_risky_replica_and_cannot_release_it(client, people, login, world, svc) -> None:
    from enclave.db.models import ReviewState, SyntheticReplica

    project_id = world.project("active")
    with svc.session() as session:
        replica = SyntheticReplica(project_id=project_id, object_id="unused", may_release=False, ran_by="pipeline")
        session.add(replica)
        session.flush()
        replica_id = replica.id
    login(client, people["steward"])
    assert 'Synthetic replicas <span class="muted">(1)</span>' in client.get("/steward/queue").get_data(as_text=True)
    risky = client.post(f"/projects/{project_id}/replicas/{replica_id}", data={**CSRF, "decision": "approve"})
    assert risky.status_code == 400
    returned = client.post(f"/projects/{project_id}/replicas/{replica_id}", data={**CSRF, "decision": "return"})
    assert returned.status_code == 302
    with svc.session() as session:
        assert session.get(SyntheticReplica, replica_id).state is ReviewState.returned
    again = client.post(f"/projects/{project_id}/replicas/{replica_id}", data={**CSRF, "decision": "return"})
    assert again.status_code == 409


def test_project_page_names_the_flow_the_project_follows(client, people, login, world) -> None:
    project_id = world.project()
    login(client, people["researcher"])
    detail = client.get(f"/projects/{project_id}").get_data(as_text=True)
    assert 'data-flow="combination"' in detail and "가명정보 결합" in detail
