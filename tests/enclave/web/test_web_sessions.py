"""Web sessions live in the database: logout, revocation and both time limits end them for every copy."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from enclave.cli import cli
from enclave.db.models import SessionEnd, User, WebSession, utcnow
from enclave.errors import SessionEnded
from enclave.service import EnclaveService
from enclave.users import resolve_session, start_session
from tests.enclave.web.conftest import Person


def _form_login(client: FlaskClient, person: Person, user_agent: str = "") -> None:
    headers = {"User-Agent": user_agent} if user_agent else {}
    client.get("/login", headers=headers)
    with client.session_transaction() as cookie:
        token = str(cookie["csrf"])
    answer = client.post("/login", headers=headers, data={"username": person.username,
                                                          "password": person.password, "csrf_token": token})
    assert answer.status_code == 302
    # The start page's logout form gives the fresh session its CSRF token.
    assert client.get(answer.headers["Location"], headers=headers).status_code == 200


def _csrf(client: FlaskClient) -> str:
    with client.session_transaction() as cookie:
        return str(cookie["csrf"])


def _copy_of(app: Flask, client: FlaskClient) -> FlaskClient:
    """A second browser holding a saved copy of ``client``'s cookie, as a thief would."""
    thief = app.test_client()
    thief.set_cookie("enclave_session", client.get_cookie("enclave_session").value)
    return thief


def _is_sent_to_login(answer, why: str) -> bool:  # noqa: ANN001
    return answer.status_code == 302 and "/login" in answer.headers["Location"] and \
        f"expired={why}" in answer.headers["Location"]


def _sessions(svc: EnclaveService, username: str) -> list[WebSession]:
    with svc.session() as session:
        user = session.scalar(select(User).where(User.username == username))
        rows = session.scalars(select(WebSession).where(WebSession.user_id == user.id)
                               .order_by(WebSession.id)).all()
        session.expunge_all()
    return list(rows)


def test_a_cookie_saved_before_logout_no_longer_opens_the_project(app, client, people, world, svc) -> None:
    project_id = world.project("active")
    _form_login(client, people["researcher"])
    assert client.get(f"/projects/{project_id}").status_code == 200
    saved = _copy_of(app, client)
    assert saved.get(f"/projects/{project_id}").status_code == 200

    assert client.post("/logout", data={"csrf_token": _csrf(client)}).status_code == 302
    answer = saved.get(f"/projects/{project_id}")
    assert _is_sent_to_login(answer, "ended")
    page = saved.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Your session was ended" in page
    [row] = _sessions(svc, "rita")
    assert row.end_reason is SessionEnd.logout
    with svc.session() as session:
        logouts = svc.audit.query(session, action="user.logout")
    assert [(e.actor, e.details["session_id"]) for e in logouts] == [("rita", row.id)]


def test_the_cookie_carries_a_random_id_of_which_only_the_hash_is_stored(client, people, svc) -> None:
    _form_login(client, people["researcher"])
    with client.session_transaction() as cookie:
        session_id = cookie["sid"]
        assert "uid" not in cookie
    [row] = _sessions(svc, "rita")
    assert row.id_hash == hashlib.sha256(session_id.encode()).hexdigest()
    assert session_id not in (row.id_hash, row.client)


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(app, people, world, svc) -> None:
    project_id = world.project("active")
    laptop, phone = app.test_client(), app.test_client()
    _form_login(laptop, people["researcher"])
    _form_login(phone, people["researcher"])
    answer = laptop.post("/account/password", data={
        "csrf_token": _csrf(laptop), "current_password": people["researcher"].password,
        "new_password": "a brand new passphrase", "repeat_password": "a brand new passphrase"})
    assert answer.status_code == 302
    assert "1 other sessions ended" in laptop.get("/account").get_data(as_text=True)
    assert laptop.get(f"/projects/{project_id}").status_code == 200
    assert _is_sent_to_login(phone.get(f"/projects/{project_id}"), "ended")
    assert [r.end_reason for r in _sessions(svc, "rita")] == [None, SessionEnd.password_change]


def test_a_wrong_current_password_changes_nothing_and_says_what_to_do(app, client, people, svc) -> None:
    _form_login(client, people["researcher"])
    other = app.test_client()
    _form_login(other, people["researcher"])
    answer = client.post("/account/password", data={
        "csrf_token": _csrf(client), "current_password": "not my password at all",
        "new_password": "a brand new passphrase", "repeat_password": "a brand new passphrase"})
    assert answer.status_code == 400
    assert "current password is not right" in answer.get_data(as_text=True)
    assert other.get("/account").status_code == 200
    with svc.session() as session:
        [refused] = svc.audit.query(session, action="user.password")
    assert (refused.outcome, refused.details["reason"]) == ("denied", "current_password")


def test_disabling_a_user_ends_their_sessions(app, client, people, login, world) -> None:
    project_id = world.project("active")
    _form_login(client, people["researcher"])
    admin = app.test_client()
    login(admin, people["admin"])
    assert admin.post("/admin/users/rita/disable", data={"csrf_token": "test-csrf-token"}).status_code == 302
    assert _is_sent_to_login(client.get(f"/projects/{project_id}"), "ended")


def test_an_admin_signs_a_user_out_everywhere_from_the_users_page(app, people, login, world, svc) -> None:
    project_id = world.project("active")
    browsers = [app.test_client(), app.test_client()]
    for browser in browsers:
        _form_login(browser, people["researcher"])
    admin = app.test_client()
    login(admin, people["admin"])
    assert "Sign out everywhere" in admin.get("/admin/users").get_data(as_text=True)
    answer = admin.post("/admin/users/rita/sign-out", data={"csrf_token": "test-csrf-token"})
    assert answer.status_code == 302
    assert "2 sessions ended" in admin.get("/admin/users").get_data(as_text=True)
    assert all(_is_sent_to_login(b.get(f"/projects/{project_id}"), "ended") for b in browsers)
    assert admin.get("/admin/users").status_code == 200
    with svc.session() as session:
        ended = svc.audit.query(session, action="session.end")
        [summary] = svc.audit.query(session, action="user.sign_out")
    assert [(e.actor, e.details["reason"]) for e in ended] == [("adam", "admin_sign_out")] * 2
    assert summary.details["sessions"] == 2


def test_an_admin_signs_a_user_out_through_the_api_and_tokens_keep_working(
        client, people, token_for, world) -> None:
    project_id = world.project("active")
    _form_login(client, people["researcher"])
    rita_token = token_for(people["researcher"])
    answer = client.post("/api/v1/users/rita/sign-out", headers=token_for(people["admin"]))
    assert answer.status_code == 200
    assert answer.get_json() == {"username": "rita", "sessions_ended": 1}
    assert _is_sent_to_login(client.get(f"/projects/{project_id}"), "ended")
    assert client.get(f"/api/v1/projects/{project_id}", headers=rita_token).status_code == 200
    unknown = client.post("/api/v1/users/nobody-here/sign-out", headers=token_for(people["admin"]))
    assert unknown.status_code == 404


def test_the_users_command_signs_a_user_out_everywhere(client, people, runner: CliRunner, world) -> None:
    project_id = world.project("active")
    _form_login(client, people["researcher"])
    result = runner.invoke(cli, ["users", "sign-out", "rita"])
    assert result.exit_code == 0, result.output
    assert "1 sessions ended" in result.output
    assert _is_sent_to_login(client.get(f"/projects/{project_id}"), "ended")


def test_the_users_command_resets_a_password_and_ends_every_session(client, people, runner: CliRunner) -> None:
    _form_login(client, people["researcher"])
    result = runner.invoke(cli, ["users", "set-password", "rita", "--password", "another long passphrase"])
    assert result.exit_code == 0, result.output
    assert _is_sent_to_login(client.get("/account"), "ended")
    people_after = Person(**{**people["researcher"].__dict__, "password": "another long passphrase"})
    _form_login(client, people_after)


def test_a_busy_session_still_ends_at_its_absolute_lifetime(app, client, people, world, svc) -> None:
    project_id = world.project("active")
    _form_login(client, people["researcher"])
    with svc.session() as session:
        row = session.scalars(select(WebSession)).one()
        # Seen a moment ago, but logged in longer ago than the lifetime allows.
        row.created_at = utcnow() - dt.timedelta(hours=svc.settings.session_absolute_hours, minutes=1)
        row.expires_at = utcnow() - dt.timedelta(minutes=1)
        row.last_seen_at = utcnow()
    answer = client.get(f"/projects/{project_id}")
    assert _is_sent_to_login(answer, "lifetime")
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert f"limit of {svc.settings.session_absolute_hours} hours" in page
    [row] = _sessions(svc, "rita")
    assert row.end_reason is SessionEnd.lifetime


def test_the_lifetime_counts_from_login_on_an_injected_clock(svc: EnclaveService, people) -> None:
    login_at = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
    idle = dt.timedelta(minutes=30)
    with svc.session() as session:
        user = session.get(User, people["researcher"].user_id)
        session_id, _ = start_session(session, user, client="Firefox on Linux",
                                      lifetime=dt.timedelta(hours=12), now=login_at)
    # Used every 20 minutes for 12 hours: never idle, yet it ends at the twelfth hour.
    for minutes in range(20, 12 * 60, 20):
        with svc.session() as session:
            resolve_session(svc, session, session_id, idle=idle, now=login_at + dt.timedelta(minutes=minutes))
    with svc.session() as session, pytest.raises(SessionEnded) as ended:
        resolve_session(svc, session, session_id, idle=idle, now=login_at + dt.timedelta(hours=12))
    assert ended.value.reason == "lifetime"


def test_the_session_list_shows_my_sessions_marks_this_one_and_ends_another(app, people, login, svc) -> None:
    firefox, chrome = app.test_client(), app.test_client()
    _form_login(firefox, people["researcher"],
                "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
    _form_login(chrome, people["researcher"],
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                "Chrome/131.0 Safari/537.36")
    stranger = app.test_client()
    login(stranger, people["other_researcher"])

    page = firefox.get("/account").get_data(as_text=True)
    assert "Firefox on Linux <strong>(this session)</strong>" in page
    assert "Chrome on Windows" in page and page.count("(this session)") == 1
    assert "Test client" not in page  # oscar's session is his own
    rows = _sessions(svc, "rita")
    chrome_row = next(r for r in rows if r.client == "Chrome on Windows")
    oscar_row = _sessions(svc, "oscar")[0]

    assert stranger.post(f"/account/sessions/{chrome_row.id}/end",
                         data={"csrf_token": "test-csrf-token"}).status_code == 404
    assert chrome.get("/account").status_code == 200
    answer = firefox.post(f"/account/sessions/{chrome_row.id}/end", data={"csrf_token": _csrf(firefox)})
    assert answer.status_code == 302
    assert "Ended the session in Chrome on Windows" in firefox.get("/account").get_data(as_text=True)
    assert _is_sent_to_login(chrome.get("/account"), "ended")
    assert firefox.post(f"/account/sessions/{oscar_row.id}/end",
                        data={"csrf_token": _csrf(firefox)}).status_code == 404
    assert stranger.get("/account").status_code == 200


def test_ending_this_session_from_the_list_logs_out(client, people, svc) -> None:
    _form_login(client, people["researcher"])
    [row] = _sessions(svc, "rita")
    answer = client.post(f"/account/sessions/{row.id}/end", data={"csrf_token": _csrf(client)})
    assert answer.headers["Location"].endswith("/login")
    assert _is_sent_to_login(client.get("/account"), "ended") is False  # the cookie was cleared: plain login
    assert client.get("/account").headers["Location"].startswith("/login?next=")


def test_a_session_cookie_from_before_the_upgrade_is_simply_logged_out(client, people) -> None:
    with client.session_transaction() as cookie:
        cookie["uid"] = people["researcher"].user_id
    answer = client.get("/account")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


@pytest.mark.parametrize("value", ["0", "-3"])
def test_a_session_lifetime_below_one_hour_is_refused_with_the_variable_named(value: str) -> None:
    from enclave.errors import ConfigurationError
    from enclave.settings import load_settings

    with pytest.raises(ConfigurationError) as caught:
        load_settings({"ENCLAVE_SESSION_ABSOLUTE_HOURS": value})
    assert "ENCLAVE_SESSION_ABSOLUTE_HOURS" in str(caught.value)


def test_the_session_list_leaves_out_a_session_gone_idle(app, people, svc) -> None:
    current, forgotten = app.test_client(), app.test_client()
    _form_login(forgotten, people["researcher"], "Mozilla/5.0 (Macintosh; Mac OS X 14_0) Safari/605.1")
    _form_login(current, people["researcher"], "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0")
    with svc.session() as session:
        row = session.scalars(select(WebSession).where(WebSession.client == "Safari on macOS")).one()
        row.last_seen_at = utcnow() - dt.timedelta(minutes=svc.settings.session_minutes, seconds=5)
    page = current.get("/account").get_data(as_text=True)
    assert "Firefox on Linux" in page and "Safari on macOS" not in page
