"""Fixtures of the browser tests: the app served for real, and Debian's chromium.

Fixtures:

``live_server``
    The enclave app (on the suite's ``svc``) served by werkzeug on
    127.0.0.1 at a free port in a background thread; its base URL.
``browser``
    A headless Debian ``/usr/bin/chromium`` driven by playwright; the test
    is skipped with a reason when chromium is not installed.
``journey``
    The accounts and data of the journey: a researcher, two stewards (with
    their TOTP secrets), the agencies ``welfare`` and ``health`` with one
    catalog dataset each, and an active project of the researcher holding an
    export request with a passing table and a table with a cell of 2.
``screenshot``
    ``screenshot(page, name)`` saves a full-page PNG under
    ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from enclave.service import EnclaveService

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def fast_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("enclave.users.passwords._N", 2**10)


@pytest.fixture
def live_server(svc: EnclaveService) -> Iterator[str]:
    from enclave.web import create_app

    app = create_app(svc.settings, svc)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def screenshot() -> Callable[[Any, str], None]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def _shoot(page: Any, name: str) -> None:
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return _shoot


@pytest.fixture
def journey(svc: EnclaveService) -> dict[str, Any]:

    from enclave.catalog import VariableSpec, register_dataset
    from enclave.db.models import Decision, Project, ProjectState, Role
    from enclave.exports import create_export_request
    from enclave.projects import apply_for_project, decide_agency_part, decide_as_steward
    from enclave.projects.lifecycle import move_project
    from enclave.users import add_user, find_user
    from tests.enclave.domain_fixtures import register_agencies
    from tests.enclave.web.conftest import sample_evidence
    from tests.factories import sample_frame, store_approved_dataset

    register_agencies(svc, "welfare", "health")
    accounts = [("rita", Role.researcher, None), ("stella", Role.steward, None), ("sven", Role.steward, None),
                ("approver", Role.steward, None), ("agency-welfare", Role.agency, "welfare"),
                ("agency-health", Role.agency, "health")]
    made: dict[str, Any] = {}
    with svc.session() as session:
        for username, role, agency in accounts:
            made[username] = add_user(svc, session, username=username, role=role, password=PASSWORD,
                                      actor="test", agency_code=agency)
        approver = made["approver"].user
        welfare = register_dataset(
            svc, session, approver, agency_code="welfare", name="benefits", title="Benefit recipients",
            row_count=12_345, description="Monthly benefit payments by region.",
            coverage_start=dt.date(2019, 1, 1), coverage_end=dt.date(2023, 12, 31),
            variables=[VariableSpec("sex", "category", "Sex", is_quasi_identifier=True),
                       VariableSpec("region", "category", "Region of residence", is_quasi_identifier=True),
                       VariableSpec("benefit", "number", "Benefit paid (KRW)", is_sensitive=True)])
        health = register_dataset(
            svc, session, approver, agency_code="health", name="visits", title="Clinic visits",
            row_count=54_321, variables=[VariableSpec("visits", "integer", "Visits per year"),
                                         VariableSpec("age_band", "category", "Age band", True)])
        researcher = made["rita"].user
        project = apply_for_project(
            svc, session, researcher, title="Benefits and clinic use", purpose="Whether benefits change visits",
            retention_end=dt.date.today() + dt.timedelta(days=365),
            requests={welfare.id: ["sex", "region"], health.id: ["visits"]})
        decide_agency_part(svc, session, project, made["agency-welfare"].user, Decision.approved)
        decide_agency_part(svc, session, project, made["agency-health"].user, Decision.approved)
        decide_as_steward(svc, session, project, approver, Decision.approved)
        # Linkage and adequacy review are exercised by the domain's own tests; the journey starts after them.
        move_project(svc, session, project, ProjectState.provisioned, "test")
        move_project(svc, session, project, ProjectState.active, "test")
        project_id, welfare_id, health_id = project.id, welfare.id, health.id
    version = store_approved_dataset(svc, project_id, sample_frame())
    with svc.session() as session:
        project = session.get(Project, project_id)
        researcher = find_user(session, "rita")
        export = create_export_request(svc, session, researcher, project, "Tables for the paper",
                                       sample_evidence(version))
        return {"project_id": project_id, "request_id": export.id, "welfare_id": welfare_id,
                "health_id": health_id, "password": PASSWORD,
                "secrets": {name: made[name].totp_secret for name in ("stella", "sven")}}
