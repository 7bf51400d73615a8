"""The spawner's project choice: a form only for researchers on several active projects."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from enclave.hub import BadProjectChoice, EnclaveSpawner
from enclave.hub.spawner import _project_form
from enclave.service import EnclaveService
from enclave.users import find_user
from tests.enclave.hub.conftest import People, add_project, make_study_frame


def _form_for(svc: EnclaveService, username: str) -> str:
    stub = SimpleNamespace(_service=lambda: svc, user=SimpleNamespace(name=username))
    return asyncio.run(_project_form(stub))  # type: ignore[arg-type]


def test_one_active_project_needs_no_form_and_two_get_a_choice(svc: EnclaveService, enclave_people: People) -> None:
    assert _form_for(svc, "alice") == ""
    with svc.session() as session:
        alice = find_user(session, "alice")
    second = add_project(svc, "Second <study>", [alice], make_study_frame(n=40, seed=5))
    form = _form_for(svc, "alice")
    assert f'value="{enclave_people.alpha}"' in form and f'value="{second}"' in form
    assert "Second &lt;study&gt;" in form and "Another study" not in form


def test_form_choice_must_be_a_project_number() -> None:
    options_from_form = EnclaveSpawner.options_from_form
    assert options_from_form(None, {"project": ["7"]}) == {"project": 7}  # type: ignore[arg-type]
    assert options_from_form(None, {}) == {}  # type: ignore[arg-type]
    with pytest.raises(BadProjectChoice):
        options_from_form(None, {"project": ["7; drop"]})  # type: ignore[arg-type]


def test_memory_and_cpu_limits_apply_to_the_server_process(tmp_path: Path) -> None:
    spawner = EnclaveSpawner(user=SimpleNamespace(name="alice"), home_dir=str(tmp_path), mem_limit="2G",
                             cpu_limit=1.0)
    probe = ("import os, resource; "
             "print(resource.getrlimit(resource.RLIMIT_AS)[0], len(os.sched_getaffinity(0)), os.getcwd())")
    result = subprocess.run([sys.executable, "-c", probe], preexec_fn=spawner.make_preexec_fn("alice"),  # noqa: PLW1509
                            capture_output=True, text=True, timeout=60, check=True)
    limit, cpus, cwd = result.stdout.split()
    assert int(limit) == 2 * 1024**3 and int(cpus) == 1 and cwd == str(tmp_path)
