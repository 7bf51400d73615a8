"""Who may enter the analysis room: researchers on active projects, only their own project."""

from __future__ import annotations

import pytest

from enclave.db.models import Project, ProjectState
from enclave.hub import WorkspaceRefused, active_projects_for, choose_workspace_project, may_enter_analysis_room
from enclave.service import EnclaveService
from enclave.users import find_user
from tests.enclave.hub.conftest import People, Room


def test_researcher_on_active_project_gets_that_project(room: Room) -> None:
    svc, enclave_people = room.svc, room.people
    with svc.session() as session:
        alice = find_user(session, "alice")
        assert may_enter_analysis_room(session, alice)
        assert [p.id for p in active_projects_for(session, alice)] == [enclave_people.alpha]
        assert choose_workspace_project(session, alice).id == enclave_people.alpha


def test_researcher_whose_project_is_only_approved_is_refused(room: Room) -> None:
    svc = room.svc
    with svc.session() as session:
        carol = find_user(session, "carol")
        assert not may_enter_analysis_room(session, carol)
        with pytest.raises(WorkspaceRefused, match="not a member of an active project"):
            choose_workspace_project(session, carol)


def test_steward_is_refused_even_without_checking_projects(room: Room) -> None:
    with room.svc.session() as session, pytest.raises(WorkspaceRefused, match="for researchers"):
        choose_workspace_project(session, find_user(session, "steward-sam"))


def test_asking_for_another_researchers_project_is_refused_without_naming_it(room: Room) -> None:
    svc, enclave_people = room.svc, room.people
    with svc.session() as session:
        alice = find_user(session, "alice")
        with pytest.raises(WorkspaceRefused) as caught:
            choose_workspace_project(session, alice, enclave_people.beta)
        assert "Another study" not in caught.value.message


def test_closing_and_then_destroying_a_project_ends_access(svc: EnclaveService, enclave_people: People) -> None:
    for state in (ProjectState.closing, ProjectState.destroyed):
        with svc.session() as session:
            session.get(Project, enclave_people.alpha).state = state  # type: ignore[union-attr]
        with svc.session() as session:
            assert not may_enter_analysis_room(session, find_user(session, "alice")), state
