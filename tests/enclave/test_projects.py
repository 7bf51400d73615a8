"""Project applications, multi-party approval, access rules and lifecycle."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from enclave.catalog import round_count, search_datasets
from enclave.db.models import Decision, Project, ProjectState, User
from enclave.errors import Conflict, InputError, NotFound, PermissionDenied
from enclave.projects import (
    apply_for_project,
    close_project,
    decide_agency_part,
    decide_as_steward,
    projects_due_for_destruction,
    projects_for,
    require_project_access,
)
from enclave.service import EnclaveService
from tests.enclave.domain_fixtures import World, apply, build_world


@pytest.fixture
def world(svc: EnclaveService) -> World:
    return build_world(svc)


def _get(session, world: World, name: str) -> User:  # type: ignore[no-untyped-def]
    return session.get(User, world.users[name].id)


def test_catalog_rounds_counts_and_finds_by_variable_meaning(svc: EnclaveService, world: World) -> None:
    assert round_count(12_345) == 12_000 and round_count(7) == 1000 and round_count(0) == 0
    with svc.session() as session:
        assert [d.name for d in search_datasets(session, "a kind")] == ["health", "welfare"]
        assert search_datasets(session, "nothing like this") == []


def test_application_lists_every_problem_at_once(svc: EnclaveService, world: World) -> None:
    with pytest.raises(InputError) as caught, svc.session() as session:
        apply_for_project(svc, session, _get(session, world, "alice"), title="", purpose=" ",
                          retention_end=dt.date.today(), requests={999: ["x"]}, team=["carol"])
    message = str(caught.value)
    for fragment in ("title", "purpose", "retention end", "999", "Team entry 1"):
        assert fragment in message
    # A team entry may be anything pasted there: it is named by position, never echoed.
    assert "carol" not in message


def test_key_variables_of_the_plan_must_be_requested_and_are_kept_in_order(svc: EnclaveService,
                                                                           world: World) -> None:
    welfare = world.datasets["welfare"].id
    with pytest.raises(InputError) as caught, svc.session() as session:
        apply_for_project(svc, session, _get(session, world, "alice"), title="t", purpose="p",
                          retention_end=dt.date.today() + dt.timedelta(days=5), requests={welfare: ["x"]},
                          key_variables=["x", "household_type"])
    assert "household_type" in str(caught.value) and "not among the variables requested" in str(caught.value)
    with svc.session() as session:
        project = apply_for_project(svc, session, _get(session, world, "alice"), title="t", purpose="p",
                                    retention_end=dt.date.today() + dt.timedelta(days=5), requests={welfare: ["x"]},
                                    key_variables=[" x ", "x"])
        assert json.loads(project.key_variables) == ["x"]


def test_only_researchers_apply(svc: EnclaveService, world: World) -> None:
    with pytest.raises(PermissionDenied), svc.session() as session:
        apply_for_project(svc, session, _get(session, world, "carol"), title="t", purpose="p",
                          retention_end=dt.date.today() + dt.timedelta(days=1), requests={})


def test_steward_approval_waits_for_every_agency(svc: EnclaveService, world: World) -> None:
    pid = apply(svc, world)
    with svc.session() as session:
        project = session.get(Project, pid)
        decide_agency_part(svc, session, project, _get(session, world, "welfare"), Decision.approved)
    with pytest.raises(Conflict, match="health"), svc.session() as session:
        decide_as_steward(svc, session, session.get(Project, pid), _get(session, world, "carol"), Decision.approved)
    with svc.session() as session:
        project = session.get(Project, pid)
        decide_agency_part(svc, session, project, _get(session, world, "health"), Decision.approved)
        decide_as_steward(svc, session, project, _get(session, world, "carol"), Decision.approved)
        assert project.state is ProjectState.approved
        assert {d.application_hash for d in project.decisions} == {project.application_hash}


def test_second_click_on_approve_changes_nothing(svc: EnclaveService, world: World) -> None:
    pid = apply(svc, world)
    with svc.session() as session:
        decide_agency_part(svc, session, session.get(Project, pid), _get(session, world, "welfare"), Decision.approved)
    with pytest.raises(Conflict, match="already decided"), svc.session() as session:
        decide_agency_part(svc, session, session.get(Project, pid), _get(session, world, "welfare"), Decision.declined,
                           "changed my mind")
    with svc.session() as session:
        assert len(session.get(Project, pid).decisions) == 1


def test_agency_cannot_decide_for_data_it_does_not_hold(svc: EnclaveService, world: World) -> None:
    with svc.session() as session:
        project = apply_for_project(svc, session, _get(session, world, "alice"), title="t", purpose="p",
                                    retention_end=dt.date.today() + dt.timedelta(days=5),
                                    requests={world.datasets["welfare"].id: ["x"]})
        pid = project.id
    with pytest.raises(NotFound), svc.session() as session:
        require_project_access(session, _get(session, world, "health"), pid)
    with pytest.raises(PermissionDenied), svc.session() as session:
        decide_agency_part(svc, session, session.get(Project, pid), _get(session, world, "health"), Decision.approved)


def test_steward_on_the_team_may_not_decide(svc: EnclaveService, world: World) -> None:
    pid = apply(svc, world)
    with svc.session() as session:
        project = session.get(Project, pid)
        from enclave.db.models import ProjectMember

        project.members.append(ProjectMember(user_id=world.users["dave"].id))
    with pytest.raises(PermissionDenied, match="belong"), svc.session() as session:
        decide_as_steward(svc, session, session.get(Project, pid), _get(session, world, "dave"), Decision.declined,
                          "no")


def test_declining_needs_a_reason(svc: EnclaveService, world: World) -> None:
    pid = apply(svc, world)
    with pytest.raises(InputError, match="why"), svc.session() as session:
        decide_agency_part(svc, session, session.get(Project, pid), _get(session, world, "welfare"), Decision.declined)


def test_researchers_see_only_their_projects(svc: EnclaveService, world: World) -> None:
    mine = apply(svc, world, "alice")
    theirs = apply(svc, world, "bob")
    with svc.session() as session:
        alice = _get(session, world, "alice")
        assert [p.id for p in projects_for(session, alice)] == [mine]
        with pytest.raises(NotFound, match="no such project"):
            require_project_access(session, alice, theirs)
        with pytest.raises(NotFound):
            require_project_access(session, alice, 10_000)
        assert {p.id for p in projects_for(session, _get(session, world, "carol"))} == {mine, theirs}


def test_closing_and_due_for_destruction(svc: EnclaveService, world: World) -> None:
    pid = apply(svc, world)
    with pytest.raises(PermissionDenied), svc.session() as session:
        close_project(svc, session, session.get(Project, pid), _get(session, world, "bob"))
    with svc.session() as session:
        assert [p.id for p in projects_due_for_destruction(session)] == []
        assert [p.id for p in projects_due_for_destruction(session, dt.date.today() + dt.timedelta(days=31))] == [pid]
