"""Fixtures for the analysis-room tests.

Fixtures (on top of ``tests/conftest.py``'s ``settings`` and ``svc``):

``study_frame``
    A small synthetic, pseudonymized dataset (300 records): ``pseudonym``,
    ``sex``, ``age_band``, ``region``, ``employment_status``,
    ``payment_amount``, ``income``. One region is rare, so some
    cross-tabulations have cells below 10.
``enclave_people``
    A :class:`People` record of the function-scoped ``svc`` enclave with three
    researchers and their projects, each stored the way provisioning stores
    them (a Parquet object under the project's key, a linked dataset, an
    approved risk review): ``alice`` on active project ``alpha``, ``bob`` on
    active project ``beta`` (different data), ``carol`` on project ``gamma``
    that is only ``approved``, and ``steward-sam``; password ``People.password``.
``api_url``, ``hub``
    Module-scoped: the enclave's web app and JSON API served from this
    process, and a real JupyterHub with its proxy on ``room``
    (:func:`tests.enclave.hub.live_hub.running_hub`).
``room``
    The same people in an enclave shared by a whole test module (setting an
    enclave up costs seconds): a :class:`Room` with ``svc``, ``settings`` and
    ``people``. Tests that use it must not change what others read.

Helpers: :func:`add_project` stores one more project for a test;
:func:`free_port` picks a free local port; :func:`serve_api` serves the
enclave's web app and JSON API from a thread while a block runs;
:func:`enclave_secrets` lists what must never reach a workspace (key
material raw and base64, the key file's path, the database URL).
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import io
import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import create_engine
from sqlalchemy import text as sql

from enclave.bootstrap import initialize_enclave
from enclave.db.models import (
    LinkedDataset,
    Project,
    ProjectMember,
    ProjectState,
    ReviewState,
    RiskReview,
    Role,
    User,
)
from enclave.keys import project_key_id
from enclave.service import EnclaveService, open_enclave
from enclave.settings import Settings, load_settings
from enclave.users import add_user
from enclave.web import create_app
from tests.conftest import passable_folder

if TYPE_CHECKING:
    from tests.enclave.hub.live_hub import Hub

PASSWORD = "correct horse battery staple"

#: Python source for a kernel or process under test: imports json and os and defines ``refused(path)``,
#: whether reading the file (or listing the folder) at ``path`` is refused by the operating system, or
#: the path is hidden from it by the sandbox. Tests check on the host that every path they try exists.
REFUSED_CODE = '''import json, os
def refused(path):
    try:
        os.listdir(path) if os.path.isdir(path) else open(path, "rb").read(1)
        return False
    except (PermissionError, FileNotFoundError):
        return True
'''


def free_port() -> int:
    """Return a local port that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serve_api(svc: EnclaveService, port: int) -> Iterator[str]:
    """Serve the enclave's web app on ``port`` from a thread; yield its URL; stop it after."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", port, create_app(service=svc), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def make_study_frame(n: int = 300, seed: int = 7) -> pd.DataFrame:
    """Return a synthetic pseudonymized dataset (no real person in it)."""
    rng = np.random.default_rng(seed)
    region = rng.choice(["11", "26", "41", "50"], size=n, p=[0.45, 0.3, 0.2, 0.05])
    sex = rng.choice(["F", "M"], size=n)
    age_band = rng.choice(["20-39", "40-59", "60+"], size=n)
    employment = rng.choice(["employed", "unemployed", "retired"], size=n, p=[0.6, 0.15, 0.25])
    income = rng.normal(3000, 800, size=n).round(0) + np.where(employment == "employed", 900, 0)
    payment = (rng.gamma(2.0, 150.0, size=n) + np.where(employment == "unemployed", 400, 0)).round(0)
    return pd.DataFrame({
        "pseudonym": [hashlib.sha256(f"p{seed}-{i}".encode()).hexdigest()[:16] for i in range(n)],
        "sex": sex, "age_band": age_band, "region": region, "employment_status": employment,
        "payment_amount": payment, "income": income,
    })


@pytest.fixture
def study_frame() -> pd.DataFrame:
    return make_study_frame()


def add_project(svc: EnclaveService, title: str, members: list[User], frame: pd.DataFrame | None,
                state: ProjectState = ProjectState.active) -> int:
    """Store a project with members and, when ``frame`` is given, its approved dataset; return its id."""
    with svc.session() as session:
        project = Project(title=title, purpose="test", analysis_plan="", retention_end=dt.date(2030, 1, 1),
                          state=state, applicant_id=members[0].id, application_hash="0" * 64)
        session.add(project)
        session.flush()
        for i, member in enumerate(members):
            session.add(ProjectMember(project_id=project.id, user_id=member.id, is_lead=i == 0))
        if frame is not None:
            key_id = project_key_id(project.id)
            svc.keyring.create(session, key_id)
            buffer = io.BytesIO()
            pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), buffer)
            object_id = f"projects/{project.id}/linked/test"
            svc.put_object(session, object_id, buffer.getvalue(), key_id)
            dataset = LinkedDataset(project_id=project.id, stage="processed", object_id=object_id,
                                    row_count=len(frame), columns="[]", created_by="test")
            session.add(dataset)
            session.flush()
            session.add(RiskReview(project_id=project.id, dataset_id=dataset.id, report_path="", report_hash="0" * 64,
                                   policy_hash="0" * 64, meets_thresholds=True, ran_by="test",
                                   state=ReviewState.approved, reviewer="test"))
        return project.id


@dataclass(frozen=True)
class People:
    """Researchers and projects of the test enclave."""

    alpha: int
    beta: int
    gamma: int
    password: str = PASSWORD


def _add_people(svc: EnclaveService, frame: pd.DataFrame) -> People:
    users = {}
    with svc.session() as session:
        for name in ("alice", "bob", "carol"):
            users[name] = add_user(svc, session, username=name, role=Role.researcher, password=PASSWORD,
                                   actor="test").user
        add_user(svc, session, username="steward-sam", role=Role.steward, password=PASSWORD, actor="test")
    return People(
        alpha=add_project(svc, "Benefit take-up", [users["alice"]], frame),
        beta=add_project(svc, "Another study", [users["bob"]], make_study_frame(n=120, seed=99)),
        gamma=add_project(svc, "Not yet active", [users["carol"]], frame, state=ProjectState.approved),
    )


@pytest.fixture
def enclave_people(svc: EnclaveService, study_frame: pd.DataFrame) -> People:
    return _add_people(svc, study_frame)


@dataclass(frozen=True)
class Room:
    """An enclave shared by one test module."""

    svc: EnclaveService
    settings: Settings
    people: People


def _module_database(folder: Path, backend: str) -> str:
    url = os.environ.get("ENCLAVE_TEST_DATABASE_URL", "")
    if backend != "postgresql":
        return f"sqlite:///{folder / 'data' / 'enclave.db'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(sql("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(sql("CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def room(backend: str) -> Iterator[Room]:
    folder = passable_folder("room")
    settings = load_settings(environ={}, mode="development", data_dir=str(folder / "data"),
                             database_url=_module_database(folder, backend))
    initialize_enclave(settings)
    svc = open_enclave(settings)
    try:
        yield Room(svc=svc, settings=settings, people=_add_people(svc, make_study_frame()))
    finally:
        svc.close()


def enclave_secrets(svc: EnclaveService) -> list[bytes]:
    """What must never appear in a workspace's files or a server's environment."""
    keys = svc.keys
    raw = [keys.kek, keys.audit_key, keys.session_secret, keys.signing_key_raw, keys.sealing_key_raw]
    return [*raw, *(base64.b64encode(k) for k in raw), str(svc.settings.key_file).encode(),
            svc.settings.database_url.encode(), b"enclave.keys"]


@pytest.fixture(scope="module")
def api_url(room: Room) -> Iterator[str]:
    """The enclave's web app and JSON API, served from this process on a free port."""
    with serve_api(room.svc, free_port()) as url:
        yield url


@pytest.fixture(scope="module")
def hub(room: Room, api_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    """JupyterHub and configurable-http-proxy for real, on ``room`` (stopped with every server after)."""
    from tests.enclave.hub.live_hub import running_hub

    with running_hub(room, api_url, tmp_path_factory.mktemp("hub-log") / "hub.log") as started:
        yield started
