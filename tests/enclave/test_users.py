"""Accounts: scrypt passwords, TOTP for stewards and admins, hashed tokens, roles."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from enclave.db.models import ApiToken, Role
from enclave.errors import AuthenticationError, DuplicateUser, InputError, SecondFactorError
from enclave.service import EnclaveService
from enclave.users import (
    add_user,
    authenticate,
    current_code,
    disable_user,
    hash_password,
    issue_token,
    resolve_token,
    verify_password,
)
from enclave.users.totp import STEP
from tests.enclave.domain_fixtures import register_agencies

PASSWORD = "correct horse battery"


def test_password_hash_is_scrypt_and_verifies() -> None:
    stored = hash_password(PASSWORD)
    assert stored.startswith("scrypt$") and PASSWORD not in stored
    assert verify_password(PASSWORD, stored)
    assert not verify_password("wrong password!!", stored)


def test_duplicate_user_is_refused_and_nothing_changes(svc: EnclaveService) -> None:
    with svc.session() as session:
        add_user(svc, session, username="alice", role="researcher", password=PASSWORD, actor="t")
    with pytest.raises(DuplicateUser, match="already exists"), svc.session() as session:
        add_user(svc, session, username="alice", role="steward", password=PASSWORD, actor="t")
    with svc.session() as session:
        assert authenticate(svc, session, "alice", PASSWORD).role is Role.researcher


@pytest.mark.parametrize("kwargs", [
    {"username": "A", "role": "researcher"},
    {"username": "bob", "role": "emperor"},
    {"username": "bob", "role": "agency"},
])
def test_bad_user_input_is_refused(svc: EnclaveService, kwargs: dict[str, str]) -> None:
    with pytest.raises(InputError), svc.session() as session:
        add_user(svc, session, password=PASSWORD, actor="t", **kwargs)


def test_short_password_is_refused(svc: EnclaveService) -> None:
    with pytest.raises(InputError, match="12 characters"), svc.session() as session:
        add_user(svc, session, username="carol", role="researcher", password="short", actor="t")


def test_steward_needs_a_valid_unused_second_factor(svc: EnclaveService) -> None:
    with svc.session() as session:
        new = add_user(svc, session, username="steward1", role="steward", password=PASSWORD, actor="t")
    secret = new.totp_secret
    assert secret is not None
    with pytest.raises(SecondFactorError, match="one-time code"), svc.session() as session:
        authenticate(svc, session, "steward1", PASSWORD)
    with pytest.raises(SecondFactorError, match="wrong, expired or already used"), svc.session() as session:
        authenticate(svc, session, "steward1", PASSWORD, "000000" if current_code(secret) != "000000" else "111111")
    code = current_code(secret)
    with svc.session() as session:
        assert authenticate(svc, session, "steward1", PASSWORD, code).username == "steward1"
    # The same code again is a replay and is refused.
    with pytest.raises(SecondFactorError), svc.session() as session:
        authenticate(svc, session, "steward1", PASSWORD, code)


def test_one_code_given_to_two_logins_at_once_is_accepted_once(svc: EnclaveService) -> None:
    import threading

    with svc.session() as session:
        secret = add_user(svc, session, username="steward2", role="steward", password=PASSWORD, actor="t").totp_secret
    assert secret is not None
    code = current_code(secret)
    outcomes: list[str] = []

    def second_login() -> None:
        try:
            with svc.session() as other:
                authenticate(svc, other, "steward2", PASSWORD, code)
            outcomes.append("accepted")
        except SecondFactorError:
            outcomes.append("refused")

    # As two web workers would: the second login starts while the first is still open.
    with svc.session() as first:
        authenticate(svc, first, "steward2", PASSWORD, code)
        racing = threading.Thread(target=second_login)
        racing.start()
        racing.join(timeout=1)
    racing.join()
    assert outcomes == ["refused"]


def test_expired_totp_code_is_refused(svc: EnclaveService) -> None:
    import time

    with svc.session() as session:
        secret = add_user(svc, session, username="admin1", role="admin", password=PASSWORD, actor="t").totp_secret
    assert secret is not None
    old = current_code(secret, time.time() - 5 * STEP)
    if old == current_code(secret):  # pragma: no cover - a one-in-a-million coincidence
        pytest.skip("old code equals current code")
    with pytest.raises(SecondFactorError), svc.session() as session:
        authenticate(svc, session, "admin1", PASSWORD, old)


def test_failed_logins_are_audited_without_the_password(svc: EnclaveService) -> None:
    with svc.session() as session:
        add_user(svc, session, username="dave", role="researcher", password=PASSWORD, actor="t")
    with pytest.raises(AuthenticationError), svc.session() as session:
        authenticate(svc, session, "dave", "not the password")
    with svc.session() as session:
        events = svc.audit.query(session, action="user.login")
    assert events[0].outcome == "denied"
    assert "not the password" not in str(events[0])


def test_tokens_are_stored_as_hashes_and_expire(svc: EnclaveService) -> None:
    register_agencies(svc, "welfare")
    with svc.session() as session:
        user = add_user(svc, session, username="agency-x", role="agency", password=PASSWORD,
                        actor="t", agency_code="welfare").user
        token = issue_token(svc, session, user, actor="t")
        short = issue_token(svc, session, user, actor="t", lifetime=dt.timedelta(seconds=-1))
        stored = [row.token_hash for row in session.scalars(select(ApiToken))]
    assert token not in stored and all(len(h) == 64 for h in stored)
    with svc.session() as session:
        assert resolve_token(session, token)[0].username == "agency-x"
    with pytest.raises(AuthenticationError), svc.session() as session:
        resolve_token(session, short)


def test_disabling_a_user_revokes_tokens_and_blocks_login(svc: EnclaveService) -> None:
    with svc.session() as session:
        user = add_user(svc, session, username="erin", role="researcher", password=PASSWORD, actor="t").user
        token = issue_token(svc, session, user, actor="t")
    with svc.session() as session:
        disable_user(svc, session, "erin", "t")
    with pytest.raises(AuthenticationError), svc.session() as session:
        resolve_token(session, token)
    with pytest.raises(AuthenticationError), svc.session() as session:
        authenticate(svc, session, "erin", PASSWORD)


@pytest.mark.parametrize(("role", "needs"), [
    (Role.researcher, False), (Role.agency, False), (Role.steward, True), (Role.admin, True),
])
def test_second_factor_is_required_for_stewards_and_admins_only(role: Role, needs: bool) -> None:
    assert role.needs_second_factor is needs
