"""Users, roles, passwords, second factors and API tokens."""

from __future__ import annotations

from enclave.users.accounts import (
    ACCOUNTS_KEY_ID,
    NewUser,
    add_user,
    authenticate,
    disable_user,
    enrol_second_factor,
    find_user,
    hash_token,
    issue_token,
    resolve_token,
    revoke_token,
    totp_secret_of,
)
from enclave.users.passwords import hash_password, verify_password
from enclave.users.totp import current_code, encode_secret, provisioning_uri, verify_totp

__all__ = [
    "ACCOUNTS_KEY_ID",
    "NewUser",
    "add_user",
    "authenticate",
    "current_code",
    "disable_user",
    "encode_secret",
    "enrol_second_factor",
    "find_user",
    "hash_password",
    "hash_token",
    "issue_token",
    "provisioning_uri",
    "resolve_token",
    "revoke_token",
    "totp_secret_of",
    "verify_password",
    "verify_totp",
]
