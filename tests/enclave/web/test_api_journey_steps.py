"""Every decision of a project's journey through the JSON API: success, permission,
wrong state, second click and bad input, for each operation.

Stage 4's own work (linking, combining, processing) is not driven here: a
pending risk review or replica is recorded as the pipeline records one, and
the steward's decisions on it go through the API.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pandas as pd
import pytest
from sqlalchemy import func, select

from enclave.db.models import (
    AuditEvent,
    ExportRequest,
    LinkedDataset,
    Project,
    ProjectState,
    RiskReview,
    SyntheticReplica,
)
from enclave.destruction import verify_destruction_certificate
from enclave.keys import project_key_id
from tests.enclave.web.conftest import sample_evidence
from tests.factories import sample_frame

RRN = "900101-1234567"
CSRF = {"csrf_token": "test-csrf-token"}


def _events(svc, action: str, object_id: int | str | None = None) -> list[AuditEvent]:  # noqa: ANN001
    with svc.session() as session:
        stmt = select(AuditEvent).where(AuditEvent.action == action)
        if object_id is not None:
            stmt = stmt.where(AuditEvent.object_id == str(object_id))
        found = list(session.scalars(stmt.order_by(AuditEvent.seq)))
        session.expunge_all()
        return found


def _state(svc, project_id: int) -> ProjectState:  # noqa: ANN001
    with svc.session() as session:
        return session.get(Project, project_id).state


def _application(world, **changes: object) -> dict[str, object]:  # noqa: ANN001
    body: dict[str, object] = {
        "title": "Benefits and clinic visits", "purpose": "Do benefits change how often people see a doctor?",
        "analysis_plan": "Poisson regression of visits on benefit receipt.",
        "retention_end": (dt.date.today() + dt.timedelta(days=400)).isoformat(),
        "requests": {str(world.welfare_dataset): ["sex", "region"], str(world.health_dataset): ["visits"]},
        "team": ["oscar"], "keep_unlinked": True,
    }
    body.update(changes)
    return body


def _pending_review(svc, project_id: int, *, ran_by: str = "pipeline", meets: bool = True,  # noqa: ANN001
                    frame: pd.DataFrame | None = None) -> int:
    """A pending risk review of the project, with its HTML and JSON report, as the pipeline records one.

    With ``frame``, the reviewed dataset is stored, encrypted, as the pipeline stores it.
    """
    from enclave.combination.datasets import store_dataset

    folder = svc.settings.reports_dir / f"project-{project_id}"
    folder.mkdir(parents=True, exist_ok=True)
    with svc.session() as session:
        if frame is None:
            dataset = LinkedDataset(project_id=project_id, stage="processed", object_id="unused", row_count=40,
                                    created_by=ran_by)
            session.add(dataset)
            session.flush()
        else:
            dataset = store_dataset(svc, session, project_id, "processed", frame, ran_by, "b" * 64)
        report = folder / f"risk-report-{dataset.id}.html"
        report.write_text("<html><body><h1>Risk report</h1></body></html>", encoding="utf-8")
        report.with_suffix(".json").write_text(json.dumps({
            "thresholds": {"k": 5}, "meets_thresholds": meets,
            "risk_after": {"records": 40, "classes": 6, "smallest_class": 5, "k_required": 5,
                           "max_prosecutor_risk": 0.2, "quasi_identifiers": ["sex", "region"],
                           "class_sizes": [[5, 2], [6, 4]]}}), encoding="utf-8")
        review = RiskReview(project_id=project_id, dataset_id=dataset.id, report_path=str(report),
                            report_hash="a" * 64, policy_hash="b" * 64, meets_thresholds=meets, ran_by=ran_by,
                            summary=json.dumps({"summary": "Meets every threshold.", "findings": [],
                                                "levels": {"region": 1}, "rows": 40, "k_applied": 5,
                                                "rounds": 1}))
        session.add(review)
        session.flush()
        return review.id


def _replica(svc, project_id: int, *, may_release: bool) -> int:  # noqa: ANN001
    """A pending synthetic replica whose rows are stored encrypted, as the pipeline stores them."""
    frame = pd.DataFrame({"sex": ["F", "M", "F"], "visits": [1, 4, 2]})
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    with svc.session() as session:
        replica = SyntheticReplica(project_id=project_id, object_id="", may_release=may_release, ran_by="pipeline",
                                   summary=json.dumps({"quality_score": 0.91, "max_attack_risk": 0.01}))
        session.add(replica)
        session.flush()
        replica.object_id = f"projects/{project_id}/replicas/{replica.id}"
        svc.put_object(session, replica.object_id, buffer.getvalue(), project_key_id(project_id))
        return replica.id


# --- stage 1: the application ---------------------------------------------------------------


def test_researcher_applies_and_the_application_is_audited(client, people, world, token_for, svc) -> None:
    world.add_datasets()
    answer = client.post("/api/v1/projects", headers=token_for(people["researcher"]), json=_application(world))
    assert answer.status_code == 201
    project = answer.get_json()
    assert project["state"] == "applied"
    assert sorted(project["team"]) == ["oscar", "rita"]
    assert project["keep_unlinked"] is True
    assert {r["dataset_id"]: r["variables"] for r in project["requests"]} == {
        world.welfare_dataset: ["region", "sex"], world.health_dataset: ["visits"]}
    assert project["waiting_agencies"] == ["health", "welfare"]
    [event] = _events(svc, "project.apply", project["id"])
    assert event.actor == "rita"
    # The other researcher on the team sees it; the project is theirs too.
    assert client.get(f"/api/v1/projects/{project['id']}",
                      headers=token_for(people["other_researcher"])).status_code == 200


def test_application_of_the_wrong_shape_lists_every_problem_and_stores_nothing(client, people, world, token_for,
                                                                                svc) -> None:
    world.add_datasets()
    answer = client.post("/api/v1/projects", headers=token_for(people["researcher"]), json={
        "title": 5, "retention_end": 20270101, "requests": {RRN: "sex"}, "team": RRN,
        "keep_unlinked": "yes", RRN: 1})
    assert answer.status_code == 400
    message = answer.get_json()["error"]
    for fragment in ("'title'", "'purpose'", "'retention_end'", "'requests'", "'requests.*'", "'team'",
                     "'keep_unlinked'", "1 field(s)"):
        assert fragment in message, fragment
    assert RRN not in message
    with svc.session() as session:
        assert session.scalar(select(func.count()).select_from(Project)) == 0


def test_application_content_problems_are_listed_at_once_without_echoing_team_entries(client, people, world,
                                                                                      token_for) -> None:
    world.add_datasets()
    answer = client.post("/api/v1/projects", headers=token_for(people["researcher"]), json=_application(
        world, title=" ", retention_end="2020-01-01",
        requests={str(world.welfare_dataset): ["sex", "no_such_variable"], "999": ["x"],
                  "9999999999": ["x"]},
        team=["oscar", RRN, "stella"]))
    assert answer.status_code == 400
    message = answer.get_json()["error"]
    for fragment in ("title", "retention end", "no_such_variable", "Dataset 999 ", "Dataset 9999999999 ",
                     "Team entry 2", "Team entry 3"):
        assert fragment in message, fragment
    assert RRN not in message and "stella" not in message
    not_a_date = client.post("/api/v1/projects", headers=token_for(people["researcher"]),
                             json=_application(world, retention_end="next spring"))
    assert not_a_date.status_code == 400
    assert "YYYY-MM-DD" in not_a_date.get_json()["error"]
    too_long = client.post("/api/v1/projects", headers=token_for(people["researcher"]),
                           json=_application(world, title="x" * 301))
    assert too_long.status_code == 400
    assert "300" in too_long.get_json()["error"]


@pytest.mark.parametrize("body", ["not json", "[1, 2]", "null"])
def test_application_that_is_not_a_json_object_is_400(client, people, token_for, body: str) -> None:
    answer = client.post("/api/v1/projects", headers=token_for(people["researcher"]), data=body,
                         content_type="application/json")
    assert answer.status_code == 400
    assert "JSON object" in answer.get_json()["error"]


def test_only_researchers_apply_and_never_with_a_project_token(client, people, world, token_for) -> None:
    project_id = world.project("active")
    for key in ("steward", "agency", "admin"):
        assert client.post("/api/v1/projects", headers=token_for(people[key]),
                           json=_application(world)).status_code == 403
    scoped = token_for(people["researcher"], scope=f"project:{project_id}")
    refused = client.post("/api/v1/projects", headers=scoped, json=_application(world))
    assert refused.status_code == 403
    assert "another project" in refused.get_json()["error"]
    assert client.post("/api/v1/projects", json=_application(world)).status_code == 401


# --- stage 3: the agencies' and the steward's decisions -------------------------------------


def test_agency_decides_its_part_once(client, people, world, token_for, svc) -> None:
    project_id = world.project("applied")
    url = f"/api/v1/projects/{project_id}/agency-decision"
    answer = client.post(url, headers=token_for(people["agency"]), json={"decision": "approved", "comment": "ok"})
    assert answer.status_code == 200
    project = answer.get_json()
    # The agency sees its own part only.
    assert [(r["agency_code"], r["decision"]) for r in project["requests"]] == [("welfare", "approved")]
    again = client.post(url, headers=token_for(people["agency"]), json={"decision": "declined", "comment": "no"})
    assert again.status_code == 409
    assert "already decided (approved)" in again.get_json()["error"]
    [event] = _events(svc, "project.decide.agency", project_id)
    assert json.loads(event.details)["part"] == "agency:welfare"


def test_agency_decision_refusals(client, people, world, token_for, svc) -> None:
    project_id = world.project("applied")
    url = f"/api/v1/projects/{project_id}/agency-decision"
    assert client.post(url, headers=token_for(people["other_agency"]),
                       json={"decision": "approved"}).status_code == 404
    assert client.post(url, headers=token_for(people["researcher"]),
                       json={"decision": "approved"}).status_code == 403
    assert client.post(url, headers=token_for(people["agency"], scope="project:999"),
                       json={"decision": "approved"}).status_code == 403
    bad = client.post(url, headers=token_for(people["agency"]), json={"decision": "maybe", "comment": 3})
    assert bad.status_code == 400
    assert "approved, declined" in bad.get_json()["error"] and "'comment'" in bad.get_json()["error"]
    assert client.post(url, headers=token_for(people["agency"]), json={}).status_code == 400
    no_reason = client.post(url, headers=token_for(people["agency"]), json={"decision": "declined"})
    assert no_reason.status_code == 400
    assert "comment" in no_reason.get_json()["error"]
    assert _events(svc, "project.decide.agency", project_id) == []
    approved = world.project("approved", title="Approved already")
    late = client.post(f"/api/v1/projects/{approved}/agency-decision", headers=token_for(people["agency"]),
                       json={"decision": "approved"})
    assert late.status_code == 409
    assert "already decided" in late.get_json()["error"]


def test_declined_project_tells_a_late_agency_what_state_it_is_in(client, people, world, token_for) -> None:
    project_id = world.project("applied")
    assert client.post(f"/api/v1/projects/{project_id}/agency-decision", headers=token_for(people["agency"]),
                       json={"decision": "declined", "comment": "Purpose not covered"}).status_code == 200
    late = client.post(f"/api/v1/projects/{project_id}/agency-decision", headers=token_for(people["health_agency"]),
                       json={"decision": "approved"})
    assert late.status_code == 409
    message = late.get_json()["error"]
    assert "is declined" in message and "only its destruction" in message


def test_steward_approves_after_every_agency_and_only_once(client, people, world, token_for, svc) -> None:
    project_id = world.project("applied")
    url = f"/api/v1/projects/{project_id}/decision"
    early = client.post(url, headers=token_for(people["steward"]), json={"decision": "approved"})
    assert early.status_code == 409
    assert "health, welfare" in early.get_json()["error"]
    for key in ("agency", "health_agency"):
        assert client.post(f"/api/v1/projects/{project_id}/agency-decision", headers=token_for(people[key]),
                           json={"decision": "approved"}).status_code == 200
    member = client.post(url, headers=token_for(people["member_steward"]), json={"decision": "approved"})
    assert member.status_code == 403
    assert "belong to this project" in member.get_json()["error"]
    assert client.post(url, headers=token_for(people["admin"]), json={"decision": "approved"}).status_code == 403
    assert client.post(url, headers=token_for(people["steward"]), json={"decision": "yes"}).status_code == 400
    answer = client.post(url, headers=token_for(people["steward"]), json={"decision": "approved", "comment": "Fine"})
    assert answer.status_code == 200
    assert answer.get_json()["state"] == "approved"
    assert answer.get_json()["decisions"][-1] == {**answer.get_json()["decisions"][-1], "kind": "steward",
                                                  "by": "stella", "comment": "Fine"}
    again = client.post(url, headers=token_for(people["steward2"]), json={"decision": "declined", "comment": "x"})
    assert again.status_code == 409
    assert "already decided" in again.get_json()["error"]
    assert len(_events(svc, "project.decide.steward", project_id)) == 1
    assert _state(svc, project_id) is ProjectState.approved


def test_other_researchers_do_not_learn_the_project_exists(client, people, world, token_for) -> None:
    project_id = world.project("provisioned")
    headers = token_for(people["other_researcher"])
    assert client.post(f"/api/v1/projects/{project_id}/close", headers=headers).status_code == 404
    assert client.get(f"/api/v1/projects/{project_id}/destruction-certificate", headers=headers).status_code == 404


# --- stage 4: risk reviews, linkage quality, replicas ------------------------------------


def test_steward_reads_risk_reviews_as_aggregate_figures(client, people, world, token_for, svc) -> None:
    project_id = world.project("approved")
    review_id = _pending_review(svc, project_id)
    answer = client.get(f"/api/v1/projects/{project_id}/risk-reviews", headers=token_for(people["steward"]))
    assert answer.status_code == 200
    [review] = answer.get_json()
    assert review["id"] == review_id and review["state"] == "pending" and review["meets_thresholds"] is True
    assert review["ran_by"] == "pipeline" and review["reviewer"] is None
    assert review["rows"] == 40 and review["k_applied"] == 5 and review["thresholds"] == {"k": 5}
    # Scalar measures only: no list of classes, no quasi-identifier values.
    assert review["figures"] == {"records": 40, "classes": 6, "smallest_class": 5, "k_required": 5,
                                 "max_prosecutor_risk": 0.2}
    for key in ("researcher", "agency"):
        assert client.get(f"/api/v1/projects/{project_id}/risk-reviews",
                          headers=token_for(people[key])).status_code == 403
    assert client.get(f"/api/v1/projects/{project_id}/risk-reviews",
                      headers=token_for(people["admin"])).status_code == 200


def test_adequacy_approval_provisions_the_project_once_and_is_audited(client, people, world, token_for, svc) -> None:
    project_id = world.project("approved")
    review_id = _pending_review(svc, project_id)
    url = f"/api/v1/projects/{project_id}/risk-reviews/{review_id}/decision"
    answer = client.post(url, headers=token_for(people["steward"]), json={"decision": "approve"})
    assert answer.status_code == 200
    assert answer.get_json()["state"] == "approved" and answer.get_json()["reviewer"] == "stella"
    assert _state(svc, project_id) is ProjectState.provisioned
    again = client.post(url, headers=token_for(people["steward2"]), json={"decision": "return", "comment": "x"})
    assert again.status_code == 409
    assert "already decided (approved)" in again.get_json()["error"]
    [event] = _events(svc, "privacy.adequacy", project_id)
    assert event.actor == "stella" and json.loads(event.details)["review"] == review_id


def test_adequacy_refusals_keep_the_reviewer_independent(client, people, world, token_for, svc) -> None:
    project_id = world.project("approved")
    ran_by_stella = _pending_review(svc, project_id, ran_by="stella")
    failing = _pending_review(svc, project_id, meets=False)
    url = f"/api/v1/projects/{project_id}/risk-reviews/{{}}/decision"
    steward = token_for(people["steward"])
    member = client.post(url.format(failing), headers=token_for(people["member_steward"]),
                         json={"decision": "return", "comment": "coarser"})
    assert member.status_code == 403
    assert client.post(url.format(ran_by_stella), headers=steward, json={"decision": "approve"}).status_code == 403
    assert client.post(url.format(failing), headers=token_for(people["admin"]),
                       json={"decision": "return", "comment": "x"}).status_code == 403
    fails = client.post(url.format(failing), headers=steward, json={"decision": "approve"})
    assert fails.status_code == 400 and "thresholds" in fails.get_json()["error"]
    assert client.post(url.format(failing), headers=steward, json={"decision": "return"}).status_code == 400
    bad = client.post(url.format(failing), headers=steward, json={"decision": "approved", "extra": 1})
    assert bad.status_code == 400 and "approve, return" in bad.get_json()["error"]
    elsewhere = world.project("approved", title="Elsewhere")
    assert client.post(f"/api/v1/projects/{elsewhere}/risk-reviews/{failing}/decision", headers=steward,
                       json={"decision": "return", "comment": "x"}).status_code == 404
    assert _events(svc, "privacy.adequacy") == []
    returned = client.post(url.format(failing), headers=steward, json={"decision": "return", "comment": "coarser"})
    assert returned.status_code == 200 and returned.get_json()["state"] == "returned"
    assert _state(svc, project_id) is ProjectState.approved


def test_linkage_quality_report_for_stewards_only(client, people, world, token_for, svc) -> None:
    project_id = world.project("approved")
    url = f"/api/v1/projects/{project_id}/linkage-quality"
    before = client.get(url, headers=token_for(people["steward"]))
    assert before.status_code == 404 and "linkage unit" in before.get_json()["error"]
    quality = {"project_id": str(project_id), "records": {"welfare": 50, "health": 48},
               "unlinked": {"welfare": 2, "health": 0}, "passes": [], "pairs": [], "cluster_sizes": {"2": 48}}
    folder = svc.settings.reports_dir / f"project-{project_id}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "linkage-quality.json").write_text(json.dumps(quality), encoding="utf-8")
    answer = client.get(url, headers=token_for(people["steward"]))
    assert answer.status_code == 200 and answer.get_json() == quality
    for key in ("researcher", "agency"):
        assert client.get(url, headers=token_for(people[key])).status_code == 403
    queue = client.get("/api/v1/steward/queue", headers=token_for(people["steward"])).get_json()
    assert [q["project_id"] for q in queue["linkage_quality"]] == [project_id]


def test_steward_releases_a_safe_replica_once_and_never_a_risky_one(client, people, world, token_for, svc) -> None:
    project_id = world.project("active")
    safe = _replica(svc, project_id, may_release=True)
    risky = _replica(svc, project_id, may_release=False)
    url = f"/api/v1/projects/{project_id}/replicas/{{}}/decision"
    steward = token_for(people["steward"])
    listed = client.get(f"/api/v1/projects/{project_id}/replicas", headers=steward).get_json()
    assert {r["id"]: r["evidence"]["quality_score"] for r in listed} == {safe: 0.91, risky: 0.91}
    assert client.post(url.format(safe), headers=token_for(people["member_steward"]),
                       json={"decision": "approve"}).status_code == 403
    assert client.post(url.format(safe), headers=steward, json={"decision": "keep"}).status_code == 400
    answer = client.post(url.format(safe), headers=steward, json={"decision": "approve"})
    assert answer.status_code == 200
    assert answer.get_json()["released"] is True and answer.get_json()["state"] == "approved"
    assert (svc.settings.releases_dir / f"project-{project_id}" / f"synthetic-replica-{safe}.csv").is_file()
    assert client.post(url.format(safe), headers=steward, json={"decision": "return"}).status_code == 409
    refused = client.post(url.format(risky), headers=steward, json={"decision": "approve"})
    assert refused.status_code == 400 and "risk" in refused.get_json()["error"]
    returned = client.post(url.format(risky), headers=steward, json={"decision": "return"})
    assert returned.status_code == 200 and returned.get_json()["released"] is False
    other = world.project("active", title="Other")
    assert client.post(f"/api/v1/projects/{other}/replicas/{risky}/decision", headers=steward,
                       json={"decision": "return"}).status_code == 404
    assert len(_events(svc, "privacy.replica_decision", project_id)) == 2


# --- opening, closing, destruction ------------------------------------------------------


def test_activation_says_what_must_happen_first_and_refuses_a_second_click(client, people, world, token_for,
                                                                          svc) -> None:
    approved = world.project("approved")
    early = client.post(f"/api/v1/projects/{approved}/activate", headers=token_for(people["steward"]))
    assert early.status_code == 409
    assert "is approved" in early.get_json()["error"] and "adequate" in early.get_json()["error"]
    project_id = world.project("provisioned", title="Provisioned")
    url = f"/api/v1/projects/{project_id}/activate"
    assert client.post(url, headers=token_for(people["member_steward"])).status_code == 403
    assert client.post(url, headers=token_for(people["researcher"])).status_code == 403
    answer = client.post(url, headers=token_for(people["steward"]))
    assert answer.status_code == 200 and answer.get_json()["state"] == "active"
    again = client.post(url, headers=token_for(people["steward2"]))
    assert again.status_code == 409 and "already decided (active)" in again.get_json()["error"]
    events = [json.loads(e.details) for e in _events(svc, "project.state", project_id)]
    assert events[-1]["after"] == "active"


def test_lead_researcher_closes_once(client, people, world, token_for, svc) -> None:
    project_id = world.project("active")
    url = f"/api/v1/projects/{project_id}/close"
    assert client.post(url, headers=token_for(people["member_steward"])).status_code == 403
    assert client.post(url, headers=token_for(people["agency"])).status_code == 403
    answer = client.post(url, headers=token_for(people["researcher"], scope=f"project:{project_id}"))
    assert answer.status_code == 200 and answer.get_json()["state"] == "closing"
    again = client.post(url, headers=token_for(people["steward"]))
    assert again.status_code == 409 and "already decided (closing)" in again.get_json()["error"]
    applied = world.project("applied", title="Applied")
    early = client.post(f"/api/v1/projects/{applied}/close", headers=token_for(people["steward"]))
    assert early.status_code == 409 and "must approve the application" in early.get_json()["error"]


def test_destruction_signs_a_certificate_once(client, people, world, token_for, svc) -> None:
    project_id = world.project("active")
    url = f"/api/v1/projects/{project_id}/destruction"
    certificate_url = f"/api/v1/projects/{project_id}/destruction-certificate"
    too_early = client.post(url, headers=token_for(people["steward"]))
    assert too_early.status_code == 409 and "must close the project" in too_early.get_json()["error"]
    missing = client.get(certificate_url, headers=token_for(people["researcher"]))
    assert missing.status_code == 404 and "destroy" in missing.get_json()["error"]
    client.post(f"/api/v1/projects/{project_id}/close", headers=token_for(people["researcher"]))
    assert client.post(url, headers=token_for(people["member_steward"])).status_code == 403
    assert client.post(url, headers=token_for(people["researcher"])).status_code == 403
    answer = client.post(url, headers=token_for(people["steward"]))
    assert answer.status_code == 201
    certificate = answer.get_json()
    assert certificate["certificate"]["project"] == project_id
    assert certificate["certificate"]["destroyed_by"] == "stella"
    public_key = svc.keys.signing_key.public_key()
    assert verify_destruction_certificate(certificate["body"], certificate["signature"], public_key)
    assert _state(svc, project_id) is ProjectState.destroyed
    again = client.post(url, headers=token_for(people["admin"]))
    assert again.status_code == 409 and "was destroyed" in again.get_json()["error"]
    for key in ("researcher", "agency", "steward"):
        read = client.get(certificate_url, headers=token_for(people[key]))
        assert read.status_code == 200 and read.get_json()["signature"] == certificate["signature"]
    assert len(_events(svc, "project.destroy", project_id)) == 1


# --- stage 5: the export review ----------------------------------------------------------


def _outputs(client, headers, request_id: int) -> dict[str, int]:  # noqa: ANN001
    detail = client.get(f"/api/v1/export-requests/{request_id}", headers=headers).get_json()
    return {o["name"]: o["id"] for o in detail["outputs"]}


def test_two_blind_votes_release_the_approved_outputs(client, people, world, token_for, svc) -> None:
    project_id = world.project("active")
    request_id = world.export_request(project_id)
    stella, sven = token_for(people["steward"]), token_for(people["steward2"])
    outputs = _outputs(client, stella, request_id)
    url = f"/api/v1/export-requests/{request_id}/outputs/{{}}/votes"
    first = client.post(url.format(outputs["by_region"]), headers=stella, json={"vote": "approve"})
    assert first.status_code == 201
    region = next(o for o in first.get_json()["outputs"] if o["name"] == "by_region")
    assert [v["reviewer"] for v in region["votes"]] == ["stella"]
    # The other steward does not see stella's vote before casting their own.
    blind = client.get(f"/api/v1/export-requests/{request_id}", headers=sven).get_json()
    assert all(o["votes"] == [] for o in blind["outputs"])
    twice = client.post(url.format(outputs["by_region"]), headers=stella, json={"vote": "reject", "comment": "x"})
    assert twice.status_code == 409 and "already voted" in twice.get_json()["error"]
    unexplained = client.post(url.format(outputs["by_sex_small"]), headers=stella, json={"vote": "approve"})
    assert unexplained.status_code == 400
    assert client.post(url.format(outputs["by_sex_small"]), headers=stella,
                       json={"vote": "reject", "comment": "Cell of 2"}).status_code == 201
    assert client.post(url.format(outputs["by_region"]), headers=sven, json={"vote": "approve"}).status_code == 201
    last = client.post(url.format(outputs["by_sex_small"]), headers=sven, json={"vote": "reject", "comment": "Small"})
    assert last.status_code == 201
    released = last.get_json()
    assert released["status"] == "released" and len(released["release"]["sha256"]) == 64
    assert {o["name"]: o["outcome"] for o in released["outputs"]} == {"by_region": "approved",
                                                                      "by_sex_small": "rejected"}
    download = client.get(f"/api/v1/projects/{project_id}/export-requests/{request_id}/release",
                          headers=token_for(people["researcher"], scope=f"project:{project_id}"))
    assert download.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(download.data)).namelist()
    assert any("by_region" in n for n in names) and not any("by_sex_small" in n for n in names)
    assert len(_events(svc, "export.vote")) == 4
    assert len(_events(svc, "export.release", request_id)) == 1
    late = client.post(url.format(outputs["by_region"]), headers=token_for(people["admin"]), json={"vote": "approve"})
    assert late.status_code == 403


def test_vote_refusals(client, people, world, token_for, svc) -> None:
    project_id = world.project("active")
    request_id = world.export_request(project_id)
    other_request = world.export_request(project_id)
    stella = token_for(people["steward"])
    outputs = _outputs(client, stella, request_id)
    url = f"/api/v1/export-requests/{request_id}/outputs/{outputs['by_region']}/votes"
    for key in ("member_steward", "researcher", "admin", "agency"):
        assert client.post(url, headers=token_for(people[key]), json={"vote": "approve"}).status_code == 403, key
    wrong_pair = f"/api/v1/export-requests/{other_request}/outputs/{outputs['by_region']}/votes"
    assert client.post(wrong_pair, headers=stella, json={"vote": "approve"}).status_code == 404
    bad = client.post(url, headers=stella, json={"vote": "yes", "comment": ["x"]})
    assert bad.status_code == 400
    assert "approve, reject, request_changes" in bad.get_json()["error"] and "'comment'" in bad.get_json()["error"]
    assert client.post(url, headers=token_for(people["steward"], scope=f"project:{project_id}"),
                       json={"vote": "approve"}).status_code == 403
    assert _events(svc, "export.vote") == []
    client.post(f"/api/v1/export-requests/{request_id}/withdraw", headers=token_for(people["researcher"]))
    withdrawn = client.post(url, headers=stella, json={"vote": "approve"})
    assert withdrawn.status_code == 409 and "withdrawn" in withdrawn.get_json()["error"]


def test_author_withdraws_a_request_once(client, people, world, token_for, svc) -> None:
    project_id = world.project("active")
    request_id = world.export_request(project_id)
    url = f"/api/v1/export-requests/{request_id}/withdraw"
    assert client.post(url, headers=token_for(people["other_researcher"])).status_code == 404
    assert client.post(url, headers=token_for(people["steward"])).status_code == 403
    answer = client.post(url, headers=token_for(people["researcher"]))
    assert answer.status_code == 200 and answer.get_json()["status"] == "withdrawn"
    again = client.post(url, headers=token_for(people["researcher"]))
    assert again.status_code == 409 and "withdrawn" in again.get_json()["error"]
    with svc.session() as session:
        assert session.get(ExportRequest, request_id).state == "withdrawn"


# --- the steward's queue, ids, audit parity -----------------------------------------------


def test_steward_queue_says_who_may_decide(client, people, world, token_for, svc) -> None:
    applied = world.project("applied")
    active = world.project("active", title="Active")
    world.export_request(active)
    mine = client.get("/api/v1/steward/queue", headers=token_for(people["steward"])).get_json()
    theirs = client.get("/api/v1/steward/queue", headers=token_for(people["member_steward"])).get_json()
    assert mine["applications"] == [{"project_id": applied, "title": "Benefits and health",
                                     "waiting_agencies": ["health", "welfare"], "may_decide": True}]
    assert theirs["applications"][0]["may_decide"] is False
    assert {o["name"] for o in mine["export_outputs"]} == {"by_region", "by_sex_small"}
    # A steward on the team is not asked to vote on it at all.
    assert theirs["export_outputs"] == []
    assert client.get("/api/v1/steward/queue", headers=token_for(people["admin"])).status_code == 403


def test_ids_past_the_database_range_are_404_not_500(app, client, people, login, token_for) -> None:
    huge = str(10**30)
    headers = token_for(people["steward"])
    browser = app.test_client()
    login(browser, people["steward"])
    walked = 0
    for rule in app.url_map.iter_rules():
        if "<int:" not in rule.rule:
            continue
        walked += 1
        url = rule.rule
        for name in rule.arguments:
            url = url.replace(f"<int:{name}>", huge)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if rule.rule.startswith("/api/"):
                answer = client.open(url, method=method, headers=headers,
                                     **({"json": {}} if method == "POST" else {}))
            else:
                answer = browser.open(url, method=method, data=CSRF if method == "POST" else None)
            assert answer.status_code in (403, 404), f"{method} {rule.rule}: {answer.status_code}"
    assert walked >= 30


@pytest.mark.parametrize("step", ["agency", "steward", "activate", "close"])
def test_api_decisions_are_audited_as_the_pages_audit_them(app, client, people, login, world, token_for, svc,
                                                          step: str) -> None:
    state, who, page, api, action, body = {
        "agency": ("applied", "agency", "/projects/{}/agency-decision", "/api/v1/projects/{}/agency-decision",
                   "project.decide.agency", {"decision": "approved", "comment": "ok"}),
        "steward": ("applied", "steward", "/projects/{}/steward-decision", "/api/v1/projects/{}/decision",
                    "project.decide.steward", {"decision": "declined", "comment": "Purpose unclear"}),
        "activate": ("provisioned", "steward", "/projects/{}/activate", "/api/v1/projects/{}/activate",
                     "project.state", {}),
        "close": ("active", "researcher", "/projects/{}/close", "/api/v1/projects/{}/close", "project.state", {}),
    }[step]
    by_page, by_api = world.project(state), world.project(state, title="Through the API")
    browser = app.test_client()
    login(browser, people[who])
    assert browser.post(page.format(by_page), data={**CSRF, **body}).status_code == 302
    assert client.post(api.format(by_api), headers=token_for(people[who]), json=body).status_code == 200
    [page_event] = _events(svc, action, by_page)[-1:]
    [api_event] = _events(svc, action, by_api)[-1:]
    assert (page_event.actor, page_event.object_type, page_event.outcome) == (
        api_event.actor, api_event.object_type, api_event.outcome)
    page_details, api_details = json.loads(page_event.details), json.loads(api_event.details)
    page_details.pop("application_hash", None)
    api_details.pop("application_hash", None)
    assert page_details == api_details
    assert len(_events(svc, action, by_page)) == len(_events(svc, action, by_api))


def test_a_project_from_application_to_destruction_over_the_api(client, people, world, token_for, svc) -> None:
    world.add_datasets()
    rita, stella, sven = (token_for(people[k]) for k in ("researcher", "steward", "steward2"))
    project = client.post("/api/v1/projects", headers=rita, json=_application(world)).get_json()
    pid = project["id"]
    for key in ("agency", "health_agency"):
        assert client.post(f"/api/v1/projects/{pid}/agency-decision", headers=token_for(people[key]),
                           json={"decision": "approved"}).status_code == 200
    assert client.post(f"/api/v1/projects/{pid}/decision", headers=stella,
                       json={"decision": "approved"}).get_json()["state"] == "approved"
    # Stage 4 (linking, combining, processing) is the pipeline's: its risk review stands in here.
    review_id = _pending_review(svc, pid, frame=sample_frame())
    queue = client.get("/api/v1/steward/queue", headers=sven).get_json()
    assert {"project_id": pid, "review_id": review_id, "meets_thresholds": True,
            "may_decide": True} in queue["risk_reviews"]
    assert client.post(f"/api/v1/projects/{pid}/risk-reviews/{review_id}/decision", headers=sven,
                       json={"decision": "approve"}).status_code == 200
    assert client.post(f"/api/v1/projects/{pid}/activate", headers=stella).get_json()["state"] == "active"
    kernel = token_for(people["researcher"], scope=f"project:{pid}")
    with svc.session() as session:
        version = str(session.get(RiskReview, review_id).dataset_id)
    export = client.post(f"/api/v1/projects/{pid}/export-requests", headers=kernel,
                         json={"title": "Tables", "outputs": sample_evidence(version)}).get_json()
    for headers in (stella, sven):
        for output in export["outputs"]:
            vote = {"vote": "approve"} if output["name"] == "by_region" else {"vote": "reject", "comment": "Small"}
            assert client.post(f"/api/v1/export-requests/{export['id']}/outputs/{output['id']}/votes",
                               headers=headers, json=vote).status_code == 201
    assert client.get(f"/api/v1/projects/{pid}/export-requests/{export['id']}/release",
                      headers=kernel).status_code == 200
    assert client.post(f"/api/v1/projects/{pid}/close", headers=rita).get_json()["state"] == "closing"
    certificate = client.post(f"/api/v1/projects/{pid}/destruction", headers=sven).get_json()
    assert verify_destruction_certificate(certificate["body"], certificate["signature"],
                                          svc.keys.signing_key.public_key())
    assert client.get(f"/api/v1/projects/{pid}", headers=rita).get_json()["state"] == "destroyed"
