"""A steward starts a stage-4 job on the project page and watches its progress move and end, without reloading."""

from __future__ import annotations

import time
from typing import Any

import pytest

from enclave.combination import combine_project, deliver_linkage_map, start_embedded_worker
from enclave.service import EnclaveService, open_linkage_unit
from enclave.users import current_code
from tests.conftest import passable_folder
from tests.enclave.jobs.stage4 import PASSWORD, build_stage4_project

pytestmark = pytest.mark.browser


def _fresh_code(secret: bytes) -> str:
    # A code is accepted once per 30-second step; start a new step if this one is nearly spent.
    if time.time() % 30 > 27:
        time.sleep(3.5)
    return current_code(secret)


def test_a_steward_starts_a_job_and_sees_its_progress_without_reloading(browser: Any, live_server: str,
                                                                         svc: EnclaveService,
                                                                         screenshot: Any) -> None:
    stage4 = build_stage4_project(svc, passable_folder("agencies"), persons=1000)
    pid = stage4.project_id
    linkage_unit = open_linkage_unit(svc.settings, svc)
    try:
        deliver_linkage_map(svc, linkage_unit, pid, "stella")
    finally:
        linkage_unit.close()
    combine_project(svc, pid, "stella")

    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", "stella")
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=totp]", _fresh_code(stage4.totp["stella"]))
    page.click("form.card button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server}/projects/{pid}")
    assert "Apply the pseudonymization policy" in page.inner_text("#stage4-jobs")
    screenshot(page, "jobs-01-next-step")

    page.click("button[data-kind=process]")
    page.wait_for_load_state()
    assert "is queued" in page.content()
    row = page.locator("#stage4-jobs tr[data-job-id]").first
    assert row.get_attribute("data-state") == "queued"
    # Marks this document: a reload would lose it.
    page.evaluate("window.__notReloaded = true")

    # A short lease makes the heartbeat (which writes progress) beat every half second.
    svc.settings = svc.settings.replace(job_lease_seconds=2)
    stop_worker = start_embedded_worker(svc)
    seen: list[tuple[str, int]] = []
    try:
        deadline = time.monotonic() + 240
        while True:
            state = row.get_attribute("data-state") or ""
            percent = int(float(row.locator("progress").evaluate("bar => bar.value")))
            if not seen or seen[-1] != (state, percent):
                seen.append((state, percent))
                if state == "running" and len(seen) == 2:
                    screenshot(page, "jobs-02-running")
            if state in ("succeeded", "failed", "cancelled"):
                break
            assert time.monotonic() < deadline, seen
            time.sleep(0.1)
    finally:
        stop_worker()
    screenshot(page, "jobs-03-ended")
    assert page.evaluate("window.__notReloaded") is True
    assert seen[-1] == ("succeeded", 100), seen
    assert any(state == "running" and 0 < percent < 100 for state, percent in seen), seen
    running = [percent for state, percent in seen if state == "running"]
    assert running == sorted(running)
    assert page.is_visible("[data-reload]")
    assert "An independent steward decides on the risk review" in page.inner_text("[data-next-step]")
