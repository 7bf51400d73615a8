"""Login, second factor, sessions, CSRF, rate limiting, headers and error pages."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from enclave.db.models import WebSession, utcnow
from enclave.service import EnclaveService
from enclave.users import current_code


def _csrf(client: FlaskClient) -> str:
    client.get("/login")
    with client.session_transaction() as session:
        return str(session["csrf"])


def _login_form(client: FlaskClient, username: str, password: str, totp: str = "") -> object:
    token = _csrf(client)
    return client.post("/login", data={"username": username, "password": password, "totp": totp,
                                       "csrf_token": token})


def test_researcher_logs_in_with_password_and_reaches_a_page(client, people) -> None:
    answer = _login_form(client, "rita", people["researcher"].password)
    assert answer.status_code == 302
    page = client.get("/")
    assert "rita" in page.get_data(as_text=True)


def test_steward_needs_the_one_time_code(client, people) -> None:
    steward = people["steward"]
    refused = _login_form(client, steward.username, steward.password)
    assert refused.status_code == 401
    assert "one-time code" in refused.get_data(as_text=True)
    accepted = _login_form(client, steward.username, steward.password, current_code(steward.totp_secret))
    assert accepted.status_code == 302


def test_wrong_password_is_refused_without_echoing_the_input(client, people) -> None:
    answer = _login_form(client, "rita", "my-secret-guess-12345")
    body = answer.get_data(as_text=True)
    assert answer.status_code == 401
    assert "my-secret-guess-12345" not in body


def test_sixth_failed_login_is_rate_limited_and_audited(client, people, svc: EnclaveService) -> None:
    for _ in range(5):
        assert _login_form(client, "rita", "wrong-password-0000").status_code == 401
    blocked = _login_form(client, "rita", people["researcher"].password)
    assert blocked.status_code == 429
    assert "Wait 15 minutes" in blocked.get_data(as_text=True)
    with svc.session() as session:
        events = svc.audit.query(session, action="user.login")
    assert any(e.details.get("reason") == "rate_limited" for e in events)
    assert sum(e.outcome == "denied" for e in events) == 6


def test_form_without_csrf_token_gets_400_and_changes_nothing(client, people, login, svc) -> None:
    login(client, people["admin"])
    answer = client.post("/admin/users", data={"username": "mallory", "role": "researcher",
                                               "password": "a-long-password-1"})
    assert answer.status_code == 400
    assert "Reload the form" in answer.get_data(as_text=True)
    wrong = client.post("/admin/users", data={"username": "mallory", "role": "researcher",
                                              "password": "a-long-password-1", "csrf_token": "forged"})
    assert wrong.status_code == 400
    page = client.get("/admin/users").get_data(as_text=True)
    assert "mallory" not in page


def test_session_expires_after_inactivity_with_a_clear_message(client, people, login, app: Flask, svc) -> None:
    login(client, people["researcher"])
    minutes = app.extensions["enclave"].settings.session_minutes
    with svc.session() as session:
        row = session.scalars(select(WebSession)).one()
        row.last_seen_at = utcnow() - dt.timedelta(minutes=minutes, seconds=5)
    answer = client.get("/admin/users")
    assert answer.status_code == 302
    assert "expired=1" in answer.headers["Location"]
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "session expired" in page
    assert "log in again" in page


def test_cookie_flags_and_security_headers(client, people) -> None:
    answer = _login_form(client, "rita", people["researcher"].password)
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    page = client.get("/")
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in page.headers["Content-Security-Policy"]
    assert page.headers["Cache-Control"] == "no-store"


def test_cookie_is_secure_outside_development(svc: EnclaveService) -> None:
    from enclave.web import create_app

    production = create_app(svc.settings.replace(mode="production"), svc)
    assert production.config["SESSION_COOKIE_SECURE"] is True


def test_unknown_page_does_not_echo_the_path(client) -> None:
    answer = client.get("/nothing/here/850101-1234567")
    assert answer.status_code == 404
    assert "850101-1234567" not in answer.get_data(as_text=True)


def test_api_errors_are_json(client) -> None:
    answer = client.get("/api/v1/me")
    assert answer.status_code == 401
    assert "Bearer" in answer.get_json()["error"]
    missing = client.get("/api/v1/no-such-thing", headers={"Authorization": "Bearer nope"})
    assert missing.status_code == 401


def test_api_ignores_the_session_cookie(client, people, login) -> None:
    login(client, people["researcher"])
    assert client.get("/api/v1/me").status_code == 401


def test_pages_follow_the_chosen_language(client) -> None:
    assert "로그인" in client.get("/login?lang=ko").get_data(as_text=True)
    # The choice is remembered for the session.
    assert "로그인" in client.get("/login").get_data(as_text=True)
    assert "Log in" in client.get("/login?lang=en").get_data(as_text=True)


def test_login_does_not_redirect_off_site(client, people) -> None:
    token = _csrf(client)
    answer = client.post("/login", data={"username": "rita", "password": people["researcher"].password,
                                         "csrf_token": token, "next": "//evil.example/"})
    assert answer.headers["Location"] == "/"


RRN = "850101-1234567"


def test_identifiers_typed_into_forms_are_never_echoed(client, people, login, world) -> None:
    world.add_datasets()
    answer = _login_form(client, RRN, RRN)
    assert RRN not in answer.get_data(as_text=True)
    login(client, people["researcher"])
    import datetime as dt

    applied = client.post("/projects/apply", data={
        "csrf_token": "test-csrf-token", "title": "t", "purpose": "p", "team": f"oscar\n{RRN}",
        "retention_end": (dt.date.today() + dt.timedelta(days=30)).isoformat(),
        "variable": [f"{world.welfare_dataset}:sex"]})
    assert applied.status_code == 400
    body = applied.get_data(as_text=True)
    assert "Team entry 2" in body
    assert RRN not in body
    audit = client.get(f"/audit?actor={RRN}")
    assert RRN not in audit.get_data(as_text=True)


def test_enclave_lang_setting_chooses_the_default_language(svc) -> None:
    from enclave.web import create_app

    korean = create_app(svc.settings.replace(lang="ko"), svc).test_client()
    assert "로그인" in korean.get("/login").get_data(as_text=True)
    assert "Log in" in korean.get("/login?lang=en").get_data(as_text=True)
