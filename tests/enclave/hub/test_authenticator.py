"""The authenticator: password and one-time code, researchers of active projects, re-checked on refresh."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
from tornado import web

from enclave.db.models import Project, ProjectState
from enclave.hub import EnclaveAuthenticator
from enclave.hub.config import hub_environment
from enclave.service import EnclaveService
from enclave.users import current_code, enrol_second_factor, find_user
from tests.enclave.hub.conftest import People


@pytest.fixture
def authenticator(svc: EnclaveService) -> EnclaveAuthenticator:
    return EnclaveAuthenticator(enclave_environment=hub_environment(svc.settings))


def _login(authenticator: EnclaveAuthenticator, username: str, password: str, otp: str = "") -> str | None:
    data = {"username": username, "password": password, "otp": otp}
    return asyncio.run(authenticator.authenticate(None, data))


def test_researcher_of_an_active_project_logs_in(authenticator: EnclaveAuthenticator, enclave_people: People) -> None:
    assert _login(authenticator, "alice", enclave_people.password) == "alice"
    assert _login(authenticator, "alice", "wrong password!") is None
    assert _login(authenticator, "nobody-here", enclave_people.password) is None


def test_right_password_without_an_active_project_says_why(authenticator: EnclaveAuthenticator,
                                                           enclave_people: People) -> None:
    with pytest.raises(web.HTTPError) as caught:
        _login(authenticator, "carol", enclave_people.password)
    assert caught.value.status_code == 403
    assert "active project" in str(caught.value.log_message)


def test_enrolled_researcher_needs_the_one_time_code(svc: EnclaveService, authenticator: EnclaveAuthenticator,
                                                     enclave_people: People) -> None:
    with svc.session() as session:
        secret = enrol_second_factor(svc, session, find_user(session, "bob"), actor="test")
    assert _login(authenticator, "bob", enclave_people.password) is None
    assert _login(authenticator, "bob", enclave_people.password, "000000" if current_code(secret) != "000000"
                  else "111111") is None
    assert _login(authenticator, "bob", enclave_people.password, current_code(secret)) == "bob"


def test_refresh_fails_once_the_project_is_closed(svc: EnclaveService, authenticator: EnclaveAuthenticator,
                                                  enclave_people: People) -> None:
    user = SimpleNamespace(name="alice", spawners={})
    assert asyncio.run(authenticator.refresh_user(user)) is True
    with svc.session() as session:
        session.get(Project, enclave_people.alpha).state = ProjectState.closing  # type: ignore[union-attr]
    assert asyncio.run(authenticator.refresh_user(user)) is False
