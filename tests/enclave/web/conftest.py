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
    One account per role the permission tests walk, created in ``svc``:
    ``researcher``, ``other_researcher``, ``agency`` (agency ``welfare``),
    ``other_agency`` (``health``), ``steward``, ``steward2``,
    ``member_steward`` (a steward on the researcher's team when a project is
    made) and ``admin``. Each is a :class:`Person` with the password and,
    for stewards and admins, the TOTP secret.
``login``
    ``login(client, person)`` starts a web session for ``person`` without
    going through the form (the login tests use the form itself).
``token_for``
    ``token_for(person, scope="")`` issues an API token and returns the
    ``Authorization`` header dict.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient

from enclave.db.models import Role
from enclave.service import EnclaveService
from enclave.users import add_user, find_user, issue_token
from enclave.web import create_app

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
    ("other_agency", "agency-health", Role.agency, "health"),
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
    made: dict[str, Person] = {}
    with svc.session() as session:
        for key, username, role, agency in _ACCOUNTS:
            new = add_user(svc, session, username=username, role=role, password=PASSWORD,
                           actor="test", agency_code=agency)
            made[key] = Person(key, username, role, new.user.id, PASSWORD, new.totp_secret, agency)
    return made


@pytest.fixture
def login() -> Callable[[FlaskClient, Person], None]:
    def _login(client: FlaskClient, person: Person) -> None:
        with client.session_transaction() as session:
            session["uid"] = person.user_id
            session["seen"] = int(time.time())
            session["csrf"] = "test-csrf-token"

    return _login


@pytest.fixture
def token_for(svc: EnclaveService) -> Callable[..., dict[str, str]]:
    def _token(person: Person, scope: str = "") -> dict[str, str]:
        with svc.session() as session:
            token = issue_token(svc, session, find_user(session, person.username), actor="test", scope=scope)
        return {"Authorization": f"Bearer {token}"}

    return _token
