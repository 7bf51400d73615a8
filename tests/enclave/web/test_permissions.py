"""Every registered route, walked with every role, against a table of expected answers.

The world: the researcher's active project (with ``member_steward`` on its
team) and a released export request on it. Requests are shaped so that a
role that passes the permission checks is stopped by the object's state or
by its input (409, 400, 404 for objects that do not exist), and nothing
changes — so every role sees the same world. Which answers mean "refused
for who you are" is the point: 302 (to the login page), 403 and 404.
"""

from __future__ import annotations

import hashlib

import pytest

from enclave.db.models import ExportRequest
from enclave.exports import cast_vote
from enclave.users import add_user, find_user

ROLES = ("anonymous", "researcher", "other_researcher", "agency", "other_agency", "steward",
         "member_steward", "admin")

# Answer per role, in the order of ROLES. "ok" is 200.
A, R, OR, AG, OA, S, MS, AD = range(8)


def row(anonymous, researcher, other_researcher, agency, other_agency, steward, member_steward, admin):  # noqa: ANN001, ANN201
    return (anonymous, researcher, other_researcher, agency, other_agency, steward, member_steward, admin)


PAGES = {
    ("GET", "auth.home"): row(200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "auth.login"): row(200, 200, 200, 200, 200, 200, 200, 200),
    ("POST", "auth.login"): row(401, 401, 401, 401, 401, 401, 401, 401),
    ("POST", "auth.logout"): row(302, 302, 302, 302, 302, 302, 302, 302),
    ("GET", "admin.users"): row(302, 403, 403, 403, 403, 403, 403, 200),
    ("POST", "admin.add"): row(302, 403, 403, 403, 403, 403, 403, 400),
    ("POST", "admin.disable"): row(302, 403, 403, 403, 403, 403, 403, 302),
    ("POST", "admin.sign_out"): row(302, 403, 403, 403, 403, 403, 403, 302),
    ("GET", "account.overview"): row(302, 200, 200, 200, 200, 200, 200, 200),
    # Nobody's session 999 exists; an empty new password is refused before anything changes.
    ("POST", "account.end"): row(302, 404, 404, 404, 404, 404, 404, 404),
    ("POST", "account.password"): row(302, 400, 400, 400, 400, 400, 400, 400),
    ("GET", "audit.audit_log"): row(302, 403, 403, 403, 403, 200, 200, 200),
    ("GET", "catalog.browse"): row(302, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "catalog.dataset"): row(302, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "projects.my_projects"): row(302, 200, 200, 403, 403, 403, 403, 403),
    ("GET", "projects.apply"): row(302, 200, 200, 403, 403, 403, 403, 403),
    ("POST", "projects.apply"): row(302, 400, 400, 403, 403, 403, 403, 403),
    # Someone else's project is "not found": guessing ids reveals nothing.
    ("GET", "projects.detail"): row(302, 200, 404, 200, 404, 200, 200, 200),
    ("POST", "projects.agency_decision"): row(302, 403, 403, 409, 404, 403, 403, 403),
    # The steward on the team is refused for who they are (403), the other by the project's state (409).
    ("POST", "projects.steward_decision"): row(302, 403, 403, 403, 403, 409, 403, 403),
    ("POST", "projects.adequacy_decision"): row(302, 403, 403, 403, 403, 404, 404, 403),
    ("GET", "projects.risk_report"): row(302, 403, 403, 403, 403, 404, 404, 404),
    ("GET", "projects.linkage_quality"): row(302, 403, 403, 403, 403, 404, 404, 404),
    ("POST", "projects.replica_decision"): row(302, 403, 403, 403, 403, 404, 404, 403),
    ("POST", "projects.destroy"): row(302, 403, 403, 403, 403, 409, 403, 409),
    ("POST", "projects.activate"): row(302, 403, 403, 403, 403, 409, 403, 403),
    # Walked on a project still in "applied", which cannot be closed yet (409) — nothing changes.
    ("POST", "projects.close"): row(302, 409, 404, 403, 403, 409, 403, 409),
    ("GET", "projects.download_release"): row(302, 200, 404, 403, 403, 200, 200, 200),
    ("GET", "exports.my_requests"): row(302, 200, 200, 403, 403, 200, 200, 200),
    ("GET", "exports.detail"): row(302, 200, 404, 403, 403, 200, 200, 200),
    ("POST", "exports.withdraw"): row(302, 409, 404, 403, 403, 403, 403, 403),
    ("POST", "exports.vote"): row(302, 403, 403, 403, 403, 409, 403, 403),
    ("GET", "agency.applications"): row(302, 403, 403, 200, 200, 403, 403, 403),
    ("GET", "agency.submissions"): row(302, 403, 403, 200, 200, 403, 403, 403),
    ("GET", "steward.queue"): row(302, 403, 403, 403, 403, 200, 200, 403),
    # Stage-4 jobs: an active project cannot be linked again, so the steward's start is
    # refused by its state and flashed on the project page (302, nothing changes).
    ("POST", "jobs.start"): row(302, 403, 403, 403, 403, 302, 403, 302),
    ("POST", "jobs.cancel"): row(302, 403, 403, 403, 403, 404, 404, 404),
    ("GET", "jobs.jobs_status"): row(302, 403, 403, 403, 403, 200, 403, 200),
    # The agency pages are walked on a revoked agency, which cannot change any more (409), and with
    # empty forms (400), so nothing changes.
    ("GET", "agencies.agencies"): row(302, 403, 403, 403, 403, 403, 403, 200),
    ("POST", "agencies.register"): row(302, 403, 403, 403, 403, 403, 403, 400),
    ("GET", "agencies.agency"): row(302, 403, 403, 403, 403, 403, 403, 200),
    ("POST", "agencies.rotate"): row(302, 403, 403, 403, 403, 403, 403, 409),
    ("GET", "agencies.confirm_revoke"): row(302, 403, 403, 403, 403, 403, 403, 200),
    ("POST", "agencies.revoke"): row(302, 403, 403, 403, 403, 403, 403, 400),
    ("GET", "catalog.describe"): row(302, 403, 403, 200, 200, 200, 200, 200),
    # An empty form names no agency: an agency may describe only its own (403), the others get every problem.
    ("POST", "catalog.create"): row(302, 403, 403, 403, 403, 400, 400, 400),
    ("GET", "keys.public"): row(200, 200, 200, 200, 200, 200, 200, 200),
}

API = {
    ("GET", "api.openapi"): row(200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "api.me"): row(401, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "api.list_datasets"): row(401, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "api.get_dataset"): row(401, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "api.list_projects"): row(401, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "api.get_project"): row(401, 200, 404, 200, 404, 200, 200, 200),
    ("POST", "api.create_export"): row(401, 400, 404, 403, 403, 403, 403, 403),
    # The room's notebook server reports its reads with the researcher's project token.
    ("POST", "api.workspace_reads"): row(401, 400, 404, 403, 403, 403, 403, 403),
    ("GET", "api.list_project_exports"): row(401, 200, 404, 403, 403, 200, 200, 200),
    ("GET", "api.list_exports"): row(401, 200, 200, 403, 403, 200, 200, 200),
    ("GET", "api.get_export"): row(401, 200, 404, 403, 403, 200, 200, 200),
    ("GET", "api.download_release"): row(401, 200, 404, 403, 403, 200, 200, 200),
    ("PUT", "api.upload_package"): row(401, 403, 403, 409, 404, 403, 403, 403),
    ("GET", "api.list_submissions"): row(401, 403, 403, 200, 200, 403, 403, 403),
    ("POST", "api.create_dataset"): row(401, 403, 403, 400, 400, 400, 400, 400),
    ("GET", "api.public_keys"): row(200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "api.list_agencies"): row(401, 403, 403, 403, 403, 403, 403, 200),
    ("GET", "api.get_agency"): row(401, 403, 403, 403, 403, 403, 403, 200),
    ("POST", "api.register_agency"): row(401, 403, 403, 403, 403, 403, 403, 400),
    ("POST", "api.rotate_agency_key"): row(401, 403, 403, 403, 403, 403, 403, 400),
    ("POST", "api.revoke_agency"): row(401, 403, 403, 403, 403, 403, 403, 409),
    ("POST", "api.sign_out_user"): row(401, 403, 403, 403, 403, 403, 403, 200),
    ("POST", "api.apply_project"): row(401, 400, 400, 403, 403, 403, 403, 403),
    ("POST", "api.agency_decision"): row(401, 403, 403, 409, 404, 403, 403, 403),
    ("POST", "api.steward_decision"): row(401, 403, 403, 403, 403, 409, 403, 403),
    ("GET", "api.list_risk_reviews"): row(401, 403, 403, 403, 403, 200, 200, 200),
    ("POST", "api.decide_risk_review"): row(401, 403, 403, 403, 403, 404, 404, 403),
    ("GET", "api.linkage_quality"): row(401, 403, 403, 403, 403, 404, 404, 404),
    ("GET", "api.list_replicas"): row(401, 403, 403, 403, 403, 200, 200, 200),
    ("POST", "api.decide_replica_route"): row(401, 403, 403, 403, 403, 404, 404, 403),
    ("POST", "api.activate"): row(401, 403, 403, 403, 403, 409, 403, 403),
    # Walked on a project still in "applied", as the page is.
    ("POST", "api.close"): row(401, 409, 404, 403, 403, 409, 403, 409),
    ("POST", "api.destroy"): row(401, 403, 403, 403, 403, 409, 403, 409),
    ("GET", "api.destruction_certificate"): row(401, 404, 404, 404, 404, 404, 404, 404),
    ("POST", "api.vote"): row(401, 403, 403, 403, 403, 409, 403, 403),
    ("POST", "api.withdraw"): row(401, 409, 404, 403, 403, 403, 403, 403),
    ("GET", "api.queue"): row(401, 403, 403, 403, 403, 200, 200, 403),
    ("POST", "api.start_project_job"): row(401, 403, 403, 403, 403, 400, 403, 400),
    ("GET", "api.list_project_jobs"): row(401, 403, 403, 403, 403, 200, 403, 200),
    ("GET", "api.get_job"): row(401, 403, 403, 403, 403, 404, 404, 404),
    ("POST", "api.cancel_one_job"): row(401, 403, 403, 403, 403, 404, 404, 404),
    # Only a separate linkage unit's account delivers maps; every person is refused for who they are.
    ("PUT", "api.put_linkage_map"): row(401, 403, 403, 403, 403, 403, 403, 403),
}

#: JSON bodies that pass the shape checks, so the walk reaches the permission and state rules.
API_BODIES: dict[str, dict[str, object]] = {
    "api.agency_decision": {"decision": "approved"},
    "api.steward_decision": {"decision": "approved"},
    "api.decide_risk_review": {"decision": "approve"},
    "api.decide_replica_route": {"decision": "approve"},
    "api.vote": {"vote": "approve"},
}


@pytest.fixture
def walk_world(world, people, svc):  # noqa: ANN001, ANN201
    project_id = world.project("active")
    request_id = world.export_request(project_id)
    with svc.session() as session:
        export = session.get(ExportRequest, request_id)
        outputs = {o.name: o.id for o in export.outputs}
        for key in ("steward", "steward2"):
            reviewer = find_user(session, people[key].username)
            cast_vote(svc, session, outputs["by_region"], reviewer, "approve")
            cast_vote(svc, session, outputs["by_sex_small"], reviewer, "reject", "small cell")
        add_user(svc, session, username="walk-target", role="researcher", password="a-long-password-1",
                 actor="test")
    with svc.session() as session:
        assert session.get(ExportRequest, request_id).state == "released"
    applied_id = world.project("applied", title="Still applied")
    from enclave.agencies import revoke_agency
    from tests.enclave.domain_fixtures import register_agencies

    register_agencies(svc, "closed")
    revoke_agency(svc, "closed", actor="test")
    return {
        "code": "closed",
        "applied_project_id": applied_id,
        "project_id": project_id, "request_id": request_id, "output_id": outputs["by_region"],
        "dataset_id": world.welfare_dataset, "review_id": 999, "replica_id": 999, "username": "walk-target",
        "job_id": 999, "session_id": 999,
    }


def _form(endpoint: str, role: str) -> dict[str, object]:
    forms: dict[str, dict[str, object]] = {
        "auth.login": {"username": f"walk-{role}", "password": "not-the-password"},
        "projects.agency_decision": {"decision": "approved"},
        "projects.steward_decision": {"decision": "approved"},
        "projects.adequacy_decision": {"decision": "approve"},
        "projects.replica_decision": {"decision": "approve"},
        "exports.vote": {"decision": "approve"},
        "jobs.start": {"kind": "link"},
    }
    return {"csrf_token": "test-csrf-token", **forms.get(endpoint, {})}


def test_every_route_is_in_the_table(app) -> None:
    walked = {(method, rule.endpoint) for rule in app.url_map.iter_rules() if rule.endpoint != "static"
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert walked == set(PAGES) | set(API)


def test_every_route_answers_every_role_as_the_table_says(app, people, login, token_for, walk_world) -> None:
    tokens = {key: token_for(people[key]) for key in ROLES if key != "anonymous"}
    wrong: list[str] = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static":
            continue
        url = rule.rule
        values = dict(walk_world)
        if rule.endpoint in ("projects.close", "api.close"):
            values["project_id"] = walk_world["applied_project_id"]
        for name in rule.arguments:
            url = url.replace(f"<int:{name}>", str(values[name])).replace(f"<{name}>", str(values[name]))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            key = (method, rule.endpoint)
            expected = (API if rule.endpoint.startswith("api.") else PAGES)[key]
            for index, role in enumerate(ROLES):
                client = app.test_client()
                if rule.endpoint.startswith("api."):
                    headers = tokens.get(role, {})
                    if method == "PUT":
                        headers = {**headers, "X-Content-SHA256": hashlib.sha256(b"").hexdigest()}
                    answer = client.open(url, method=method, headers=headers,
                                         **({"json": API_BODIES.get(rule.endpoint, {})}
                                            if method == "POST" else {}))
                else:
                    if role != "anonymous":
                        login(client, people[role])
                    else:
                        # An anonymous visitor who loaded a form has a session with a CSRF token.
                        with client.session_transaction() as session:
                            session["csrf"] = "test-csrf-token"
                    form = _form(rule.endpoint, role) if method == "POST" else None
                    answer = client.open(url, method=method, data=form)
                if answer.status_code != expected[index]:
                    wrong.append(f"{method} {rule.rule} as {role}: {answer.status_code}, table says {expected[index]}")
    assert not wrong, "\n".join(wrong)
