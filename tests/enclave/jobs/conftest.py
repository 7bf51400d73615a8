"""Fixtures of the job tests.

Fixtures:

``fast_passwords`` (autouse)
    Lowers scrypt's work factor for users created in these tests.
``stage4``
    A :class:`~tests.enclave.jobs.stage4.Stage4Project` in ``svc``: accounts
    (``stella`` starts jobs, ``sven`` approved the application, ``mina`` is a
    steward on the team, ``rita`` the researcher, ``adam`` an admin, one
    account per agency) and an approved project whose three agencies uploaded
    their packages for 300 synthetic persons.
"""

from __future__ import annotations

import pytest

from enclave.service import EnclaveService
from tests.conftest import passable_folder
from tests.enclave.jobs.stage4 import Stage4Project, build_stage4_project


@pytest.fixture(autouse=True)
def fast_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("enclave.users.passwords._N", 2**10)


@pytest.fixture
def stage4(svc: EnclaveService) -> Stage4Project:
    return build_stage4_project(svc, passable_folder("agencies"))
