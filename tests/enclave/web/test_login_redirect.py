"""The login page sends people back only to paths on this site."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.enclave.web.conftest import Person

#: Targets a browser would read as another host or a script; each must land on the start page.
HOSTILE_NEXT = [
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "\t//evil.example",
    " //evil.example",
    "//evil.example",
    "///evil.example",
    "\\\\evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "https://evil.example",
    "HTTPS://evil.example",
    "javascript:alert(1)",
    "evil.example",
    "%2F%2Fevil.example",
    "/%2F/evil.example",
    "/%5Cevil.example",
    "/%09/evil.example",
    "/\u2028/evil.example",
    "",
]


def _log_in_with_next(client: FlaskClient, person: Person, target: str) -> str:
    page = client.get("/login", query_string={"next": target})
    assert page.status_code == 200
    with client.session_transaction() as session:
        token = str(session["csrf"])
    answer = client.post("/login", data={"username": person.username, "password": person.password,
                                         "csrf_token": token, "next": target})
    assert answer.status_code == 302
    return answer.headers["Location"]


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_login_refuses_a_next_target_that_leaves_the_site(client, people, target: str) -> None:
    assert _log_in_with_next(client, people["researcher"], target) == "/"


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_login_form_does_not_carry_a_hostile_next_target(client, target: str) -> None:
    page = client.get("/login", query_string={"next": target}).get_data(as_text=True)
    assert 'name="next"' not in page


def test_a_next_target_with_a_nul_is_refused_before_any_redirect(client, people) -> None:
    # NUL never reaches the login view: text input holding it is refused as a whole (400), so
    # there is no redirect to follow at all.
    page = client.get("/login", query_string={"next": "/\x00/evil.example"})
    assert page.status_code == 400
    assert "Location" not in page.headers


def test_the_tab_trick_from_the_report_lands_on_the_start_page(client, people) -> None:
    client.get("/login?next=/%09/evil.example")
    with client.session_transaction() as session:
        token = str(session["csrf"])
    answer = client.post("/login?next=/%09/evil.example",
                         data={"username": "rita", "password": people["researcher"].password,
                               "csrf_token": token, "next": "/\t/evil.example"})
    assert answer.headers["Location"] == "/"


@pytest.mark.parametrize("target", ["/projects/1", "/catalog?q=income%20band&page=2", "/exports/requests"])
def test_login_returns_to_a_plain_path_on_this_site(client, people, target: str) -> None:
    assert _log_in_with_next(client, people["researcher"], target) == target
