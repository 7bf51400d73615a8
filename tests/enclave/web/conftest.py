"""Fixtures of the web layer's tests.

Fixtures:

``fast_passwords`` (autouse)
    Lowers scrypt's work factor for users created in these tests; the
    parameters are stored with each hash, so verification is unchanged.
``app``
    The Flask app from :func:`enclave.web.create_app` on the suite's ``svc``.
``client``
    Flask's test client for ``app``.
``people``
    The agencies ``welfare``, ``health`` and ``employment`` registered with
    fresh signing keys, and one account per role the permission tests walk, created in ``svc``:
    ``researcher``, ``other_researcher``, ``agency`` (agency ``welfare``),
    ``health_agency`` (``health``, the second agency the world's projects
    ask), ``other_agency`` (``employment``, asked by nobody), ``steward``, ``steward2``,
    ``member_steward`` (a steward on the researcher's team when a project is
    made) and ``admin``. Each is a :class:`Person` with the password and,
    for stewards and admins, the TOTP secret.
``login``
    ``login(client, person)`` starts a web session for ``person`` without
    going through the form (the login tests use the form itself).
``token_for``
    ``token_for(person, scope="")`` issues an API token and returns the
    ``Authorization`` header dict.
``world``
    A :class:`World` that registers two catalog datasets (agencies
    ``welfare`` and ``health``), makes the researcher's project in a chosen
    state (``applied``, ``approved``, ``provisioned``, ``active``,
    ``closing``) with ``member_steward`` on its team, and export requests
    holding one passing and one failing table (:func:`sample_evidence`).
``evidence``
    ``evidence(project_id)``: that evidence, made from the project's approved
    dataset (stored on first use): ``by_region`` passes, ``by_sex_small`` has a cell of 2.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from flask import Flask
from flask.testing import FlaskClient

from enclave.db.models import Role, User
from enclave.service import EnclaveService
from enclave.users import add_user, find_user, issue_token, start_session
from enclave.web import create_app
from tests.factories import sample_frame

PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class Person:
    """A test account."""

    key: str
    username: str
    role: Role
    user_id: int
    password: str
    totp_secret: bytes | None
    agency_code: str | None = None


_ACCOUNTS = (
    ("researcher", "rita", Role.researcher, None),
    ("other_researcher", "oscar", Role.researcher, None),
    ("agency", "agency-welfare", Role.agency, "welfare"),
    ("health_agency", "agency-health", Role.agency, "health"),
    ("other_agency", "agency-employment", Role.agency, "employment"),
    ("steward", "stella", Role.steward, None),
    ("steward2", "sven", Role.steward, None),
    ("member_steward", "mina", Role.steward, None),
    ("admin", "adam", Role.admin, None),
)


@pytest.fixture(autouse=True)
def fast_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("enclave.users.passwords._N", 2**10)


@pytest.fixture
def app(svc: EnclaveService) -> Iterator[Flask]:
    application = create_app(svc.settings, svc)
    application.config["TESTING"] = True
    yield application


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def people(svc: EnclaveService) -> dict[str, Person]:
    from tests.enclave.domain_fixtures import register_agencies

    register_agencies(svc, "welfare", "health", "employment")
    made: dict[str, Person] = {}
    with svc.session() as session:
        for key, username, role, agency in _ACCOUNTS:
            new = add_user(svc, session, username=username, role=role, password=PASSWORD,
                           actor="test", agency_code=agency)
            made[key] = Person(key, username, role, new.user.id, PASSWORD, new.totp_secret, agency)
    return made


def sign_in(svc: EnclaveService, client: FlaskClient, user_id: int) -> int:
    """Start a web session for user ``user_id`` in the database and give ``client`` its cookie.

    Returns:
        The session's row id.
    """
    with svc.session() as session:
        session_id, row = start_session(session, session.get(User, user_id), client="Test client",
                                        lifetime=dt.timedelta(hours=svc.settings.session_absolute_hours))
        row_id = row.id
    with client.session_transaction() as cookie:
        cookie["sid"] = session_id
        cookie["csrf"] = "test-csrf-token"
    return row_id


@pytest.fixture
def login(svc: EnclaveService) -> Callable[[FlaskClient, Person], None]:
    def _login(client: FlaskClient, person: Person) -> None:
        sign_in(svc, client, person.user_id)

    return _login


@pytest.fixture
def token_for(svc: EnclaveService) -> Callable[..., dict[str, str]]:
    def _token(person: Person, scope: str = "") -> dict[str, str]:
        with svc.session() as session:
            token = issue_token(svc, session, find_user(session, person.username), actor="test", scope=scope)
        return {"Authorization": f"Bearer {token}"}

    return _token


@dataclass
class World:
    """Catalog datasets and projects in chosen states, made through the domain functions."""

    svc: EnclaveService
    people: dict[str, Person]
    welfare_dataset: int = 0
    health_dataset: int = 0
    _versions: dict[int, str] = field(default_factory=dict)

    def _user(self, session, key: str):  # type: ignore[no-untyped-def]
        return find_user(session, self.people[key].username)

    def add_datasets(self) -> None:
        from enclave.catalog import VariableSpec, register_dataset

        with self.svc.session() as session:
            steward = self._user(session, "steward")
            welfare = register_dataset(
                self.svc, session, steward, agency_code="welfare", name="benefits", title="Benefit recipients",
                row_count=12_345, description="Monthly benefit payments.",
                variables=[VariableSpec("sex", "category", "Sex", is_quasi_identifier=True),
                           VariableSpec("region", "category", "Region", is_quasi_identifier=True),
                           VariableSpec("benefit", "number", "Benefit paid", is_sensitive=True)])
            health = register_dataset(
                self.svc, session, steward, agency_code="health", name="visits", title="Clinic visits",
                row_count=54_321, variables=[VariableSpec("visits", "integer", "Visits per year")])
            self.welfare_dataset, self.health_dataset = welfare.id, health.id

    def project(self, state: str = "applied", *, title: str = "Benefits and health") -> int:
        """Make a project of the researcher (with ``member_steward`` on its team) in ``state``."""
        from enclave.db.models import Decision, ProjectMember, ProjectState
        from enclave.projects import apply_for_project, close_project, decide_agency_part, decide_as_steward
        from enclave.projects.lifecycle import move_project

        if not self.welfare_dataset:
            self.add_datasets()
        with self.svc.session() as session:
            project = apply_for_project(
                self.svc, session, self._user(session, "researcher"), title=title, purpose="Study",
                retention_end=dt.date.today() + dt.timedelta(days=365),
                requests={self.welfare_dataset: ["sex", "region"], self.health_dataset: ["visits"]})
            # A steward who is also on the research team: the conflict of interest under test.
            session.add(ProjectMember(project_id=project.id, user_id=self.people["member_steward"].user_id))
            session.flush()
            session.refresh(project)
            if state in ("approved", "provisioned", "active", "closing"):
                for key in ("agency", "health_agency"):
                    decide_agency_part(self.svc, session, project, self._user(session, key), Decision.approved)
                decide_as_steward(self.svc, session, project, self._user(session, "steward"), Decision.approved)
            if state in ("provisioned", "active"):
                move_project(self.svc, session, project, ProjectState.provisioned, "test")
            if state == "active":
                move_project(self.svc, session, project, ProjectState.active, "test")
            if state == "closing":
                close_project(self.svc, session, project, self._user(session, "researcher"))
            return project.id

    def evidence(self, project_id: int) -> list[dict[str, object]]:
        """Outputs of the project's approved dataset (stored on first use), as its kernel makes them."""
        from tests.factories import store_approved_dataset

        if project_id not in self._versions:
            self._versions[project_id] = store_approved_dataset(self.svc, project_id, sample_frame())
        return sample_evidence(self._versions[project_id])

    def export_request(self, project_id: int) -> int:
        """An export request with one passing and one failing table."""
        from enclave.db.models import Project
        from enclave.exports import create_export_request

        evidence = self.evidence(project_id)
        with self.svc.session() as session:
            request = create_export_request(self.svc, session, self._user(session, "researcher"),
                                            session.get(Project, project_id), "Tables for the paper",
                                            evidence)
            return request.id


def sample_evidence(version: str) -> list[dict[str, object]]:
    """Evidence of two frequency tables of :func:`sample_frame` made from dataset ``version``.

    ``by_region`` passes, ``by_sex_small`` has a cell of 2.
    """
    from tests.factories import outputs_from

    def make(session, frame) -> None:  # noqa: ANN001
        session.frequency(frame, "region", name="by_region")
        session.frequency(frame, "sex", name="by_sex_small")

    return outputs_from(sample_frame(), version, make)


@pytest.fixture
def world(svc: EnclaveService, people: dict[str, Person]) -> World:
    return World(svc, people)


@pytest.fixture
def evidence(world: World) -> Callable[[int], list[dict[str, object]]]:
    return world.evidence
