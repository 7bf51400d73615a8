"""Fixtures shared by the whole suite.

Backends run as a matrix: by default the suite uses SQLite files; set
``ENCLAVE_TEST_DATABASE_URL`` (for example
``postgresql+psycopg://postgres@127.0.0.1:5432/test``) and the database
tests run on PostgreSQL instead, its schema dropped and recreated per test
(the slow modules in ``BACKEND_FREE`` only with ``ENCLAVE_TEST_FULL_MATRIX=1``).

Fixtures:

``database_url``
    The URL of a clean, empty database for this test.
``settings``
    :class:`enclave.settings.Settings` for a fresh data folder (and its
    ``-workspaces`` beside it) in ``enclave_home``, in development mode, on
    ``database_url``.
``enclave_home``
    A fresh folder from :func:`passable_folder` for this test.
``svc``
    An initialized, opened :class:`enclave.service.EnclaveService` on
    ``settings``; closed after the test.
``runner``
    A click ``CliRunner`` whose environment points ``ENCLAVE_*`` at
    ``settings``; call ``runner.invoke(cli, [...])``.
``backend``
    ``"sqlite"`` or ``"postgresql"``: which backend this run uses.

Enclave folders are made with :func:`passable_folder`, not under
``tmp_path``: pytest's base folder is its owner's only (0700), so a workspace
account (``enclave.hub.accounts``) could never reach a workspace there, and
a probe that the data folder is closed to such accounts would pass without
proving anything. The passable folder lies under /var/lib when the tests run
as root (the workspace sandbox hides /tmp), so only the enclave's own modes
keep its data folder closed.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from enclave.bootstrap import initialize_enclave
from enclave.service import EnclaveService, open_enclave
from enclave.settings import Settings, load_settings

PG_URL = os.environ.get("ENCLAVE_TEST_DATABASE_URL", "")

_passable_root: Path | None = None


def passable_folder(prefix: str) -> Path:
    """Return a new folder that every account may pass through (0711), removed after the session."""
    global _passable_root
    if _passable_root is None:
        # Outside /tmp when we may: the workspace sandbox replaces /tmp with a private one, which would
        # hide a data folder there and so prove nothing about the enclave's own file modes.
        outside = "/var/lib" if os.geteuid() == 0 and os.access("/var/lib", os.W_OK) else None
        _passable_root = Path(tempfile.mkdtemp(prefix="enclave-tests-", dir=outside))
        _passable_root.chmod(0o711)
    folder = Path(tempfile.mkdtemp(prefix=f"{prefix}-", dir=_passable_root))
    folder.chmod(0o711)
    return folder


@functools.cache
def workspace_accounts_unusable() -> str:
    """Why this machine cannot run a process as a workspace account ('' when it can).

    Switching needs root, and the account must be able to start this
    interpreter: a checkout or Python under a folder only its owner may
    enter (such as /root) cannot be used by any other account.
    """
    if os.geteuid() != 0:
        return "workspace accounts need root to switch to them"
    done = subprocess.run([sys.executable, "-c", "import jupyterhub.singleuser, export_review, enclave.hub"],
                          user=200999, group=200999, extra_groups=[], cwd="/", capture_output=True, timeout=120,
                          check=False)
    if done.returncode != 0:
        return "another account cannot start this interpreter (a checkout or Python only root may enter)"
    return ""


#: Marks tests that run processes as workspace accounts; the reason says why they cannot here.
needs_accounts = pytest.mark.skipif(bool(workspace_accounts_unusable()),
                                    reason=workspace_accounts_unusable() or "workspace accounts usable")


@pytest.fixture(scope="session", autouse=True)
def _remove_passable_folders() -> Iterator[None]:
    yield
    if _passable_root is not None:
        shutil.rmtree(_passable_root, ignore_errors=True)


@pytest.fixture
def enclave_home(request: pytest.FixtureRequest) -> Path:
    """A fresh folder for one test's enclave (data folder and workspaces), passable by workspace accounts."""
    return passable_folder(request.node.name[:40].replace("/", "_").replace("[", "_").replace("]", "_"))


@pytest.fixture(scope="session")
def backend() -> str:
    return "postgresql" if PG_URL.startswith("postgresql") else "sqlite"


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture
def database_url(enclave_home: Path, backend: str) -> str:
    if backend == "postgresql":
        _reset_postgres(PG_URL)
        return PG_URL
    return f"sqlite:///{enclave_home / 'data' / 'enclave.db'}"


@pytest.fixture
def settings(enclave_home: Path, database_url: str) -> Settings:
    return load_settings(environ={}, mode="development", data_dir=str(enclave_home / "data"),
                         database_url=database_url)


@pytest.fixture
def svc(settings: Settings) -> Iterator[EnclaveService]:
    initialize_enclave(settings)
    service = open_enclave(settings)
    yield service
    service.close()


@pytest.fixture
def runner(settings: Settings) -> CliRunner:
    env = {
        "ENCLAVE_MODE": settings.mode,
        "ENCLAVE_DATA_DIR": str(settings.data_dir),
        "ENCLAVE_DATABASE_URL": settings.database_url,
        "ENCLAVE_ACTOR": "tester",
    }
    return CliRunner(env=env)


#: Test folders of the pure libraries: they never open a database, so a
#: PostgreSQL run would repeat them unchanged. They run in the SQLite pass,
#: except their tests that do use a database (``database_url``), such as the
#: partner tool's uploads to a real enclave.
DATABASE_FREE = ("tests/linkage/", "tests/export_review/", "tests/enclave/privacy/")

#: Modules the PostgreSQL pass skips to keep CI within its 40-minute budget, unless
#: ``ENCLAVE_TEST_FULL_MATRIX=1`` asks for everything on both backends. They use a
#: database only to set up what they check: the analysis room's sandbox, notebook
#: server and kernels (``hub/``), pages in chromium (``browser/``), the two
#: ``enclave demo`` journeys, each of which takes minutes, and the modules listed below. The stages those journeys
#: drive are covered on PostgreSQL one by one (``web/test_api_journey_steps.py``,
#: ``jobs/test_stage4_jobs.py``, the API fuzz pass and the rest).
BACKEND_FREE = (
    "tests/enclave/hub/",
    "tests/browser/",
    "tests/enclave/test_journey.py",
    "tests/test_journey_over_the_separated_parties.py",
    # Processes killed mid-write, the agency tool's HTTP client and the separate linkage unit's
    # servers: what they check is files, signals and HTTP between processes.
    "tests/linkage/",
    "tests/enclave/jobs/test_worker_kill.py",
    "tests/enclave/test_interrupted_writes.py",
    "tests/enclave/linkage_unit/test_separate_service.py",
)
FULL_MATRIX = os.environ.get("ENCLAVE_TEST_FULL_MATRIX") == "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not PG_URL.startswith("postgresql"):
        return
    root = Path(str(config.rootpath))
    kept, dropped = [], []
    for item in items:
        relative = Path(str(item.path)).relative_to(root).as_posix()
        uses_database = "database_url" in getattr(item, "fixturenames", ())
        database_free = relative.startswith(DATABASE_FREE) and not uses_database
        backend_free = relative.startswith(BACKEND_FREE) and not FULL_MATRIX
        (dropped if database_free or backend_free else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
