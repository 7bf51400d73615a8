"""User administration and the audit-log view."""

from __future__ import annotations

import re

from enclave.service import EnclaveService


def test_admin_adds_a_steward_and_sees_the_totp_uri_once(client, people, login) -> None:
    login(client, people["admin"])
    answer = client.post("/admin/users", data={"username": "new-steward", "role": "steward",
                                               "password": "a-long-password-1", "csrf_token": "test-csrf-token"})
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert re.search(r"otpauth://totp/[^<]*new-steward", page)
    assert "otpauth://" not in client.get("/admin/users").get_data(as_text=True)


def test_admin_disables_a_user_who_then_cannot_use_pages(client, app, people, login) -> None:
    login(client, people["admin"])
    answer = client.post("/admin/users/rita/disable", data={"csrf_token": "test-csrf-token"})
    assert answer.status_code == 302
    other = app.test_client()
    login(other, people["researcher"])
    assert other.get("/").status_code == 200
    assert "rita" not in other.get("/").get_data(as_text=True).split("<main")[0]


def test_duplicate_user_is_a_409_and_nothing_changes(client, people, login) -> None:
    login(client, people["admin"])
    answer = client.post("/admin/users", data={"username": "rita", "role": "researcher",
                                               "password": "a-long-password-1", "csrf_token": "test-csrf-token"})
    assert answer.status_code == 409
    assert "already exists" in answer.get_data(as_text=True)


def test_researcher_may_not_open_user_administration(client, people, login) -> None:
    login(client, people["researcher"])
    assert client.get("/admin/users").status_code == 403


def test_audit_view_filters_by_actor_and_action(client, people, login, svc: EnclaveService) -> None:
    login(client, people["steward"])
    page = client.get("/audit?actor=test&action=user.add").get_data(as_text=True)
    assert "user.add" in page
    assert "enclave.init" not in page
    everything = client.get("/audit").get_data(as_text=True)
    assert "enclave.init" in everything


def test_audit_view_rejects_a_bad_date_with_a_clear_message(client, people, login) -> None:
    login(client, people["admin"])
    answer = client.get("/audit?since=yesterday")
    assert answer.status_code == 400
    assert "YYYY-MM-DD" in answer.get_data(as_text=True)
    assert "yesterday" not in answer.get_data(as_text=True)
