"""Where the ``linkage`` commands get the passphrase of a party's private keys.

Private keys are encrypted at rest by default: a key file copied off an
agency's machine must not be enough to sign packages in its name. Every
command reads the passphrase the same way — from the environment variable
:data:`PASSPHRASE_ENV` when it is set (scripts, CI, the demo), else from a
hidden prompt when a person is at the terminal — and a key needing one when
neither is there is refused with a message naming the variable.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from linkage.errors import KeyFileError
from linkage.messages import text
from linkage.party_keys import PartyKeys, load_party_keys

__all__ = ["PASSPHRASE_ENV", "load_private_keys", "read_new_passphrase"]

PASSPHRASE_ENV = "LINKAGE_KEY_PASSPHRASE"
"""The environment variable holding the passphrase of the party's private keys."""


def _from_environment(variable: str) -> bytes | None:
    value = os.environ.get(variable, "")
    return value.encode("utf-8") if value else None


def _at_terminal() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def read_new_passphrase(variable: str = PASSPHRASE_ENV) -> bytes:
    """The passphrase to encrypt new private keys with: from ``variable``, or asked twice at the terminal.

    Raises:
        KeyFileError: Neither the variable nor a terminal gives one.
    """
    passphrase = _from_environment(variable)
    if passphrase is None and _at_terminal():
        passphrase = click.prompt(text("keys.prompt_new"), hide_input=True, confirmation_prompt=True,
                                  err=True).encode("utf-8")
    if not passphrase:
        raise KeyFileError(text("keys.no_new_passphrase", env=variable))
    return passphrase


def _is_encrypted(directory: Path, name: str) -> bool:
    try:
        return b"ENCRYPTED" in (directory / f"{name}.signing.key.pem").read_bytes()[:64]
    except OSError:
        return False  # load_party_keys says what is missing


def load_private_keys(directory: Path, name: str) -> PartyKeys:
    """Load a party's private keys, with the passphrase from the environment or the terminal when they need one.

    Raises:
        KeyFileError: A file is missing or malformed, or the keys are encrypted
            and the passphrase is missing or wrong.
    """
    passphrase = _from_environment(PASSPHRASE_ENV)
    if passphrase is None and _is_encrypted(directory, name):
        if not _at_terminal():
            raise KeyFileError(text("keys.needs_passphrase", path=directory, name=name, env=PASSPHRASE_ENV))
        passphrase = click.prompt(text("keys.prompt", name=name), hide_input=True, err=True).encode("utf-8")
    return load_party_keys(directory, name, passphrase)
