"""Users, roles, passwords, second factors and API tokens."""

from __future__ import annotations

from enclave.users.accounts import (
    ACCOUNTS_KEY_ID,
    NewUser,
    add_user,
    authenticate,
    change_password,
    disable_user,
    enrol_second_factor,
    find_user,
    hash_token,
    issue_token,
    resolve_token,
    revoke_token,
    sign_out_everywhere,
    totp_secret_of,
)
from enclave.users.operator import Operator
from enclave.users.passwords import hash_password, verify_password
from enclave.users.totp import current_code, encode_secret, provisioning_uri, verify_totp
from enclave.users.web_sessions import end_session, end_sessions_of, live_sessions_of, resolve_session, start_session

__all__ = [
    "ACCOUNTS_KEY_ID",
    "NewUser",
    "Operator",
    "add_user",
    "authenticate",
    "change_password",
    "current_code",
    "disable_user",
    "encode_secret",
    "end_session",
    "end_sessions_of",
    "enrol_second_factor",
    "find_user",
    "hash_password",
    "hash_token",
    "issue_token",
    "live_sessions_of",
    "provisioning_uri",
    "resolve_session",
    "resolve_token",
    "revoke_token",
    "sign_out_everywhere",
    "start_session",
    "totp_secret_of",
    "verify_password",
    "verify_totp",
]
