"""The journey in a real browser: apply, review an export with a failing cell, download the release."""

from __future__ import annotations

import datetime as dt
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

from enclave.users import current_code

pytestmark = pytest.mark.browser


def _log_in(page: Any, base: str, username: str, password: str, code: str = "") -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    if code:
        page.fill("input[name=totp]", code)
    page.click("form.card button[type=submit]")
    page.wait_for_load_state()


def _log_out(page: Any) -> None:
    page.click("header form button")
    page.wait_for_load_state()


def _fresh_code(secret: bytes) -> str:
    # A code is accepted once per 30-second step; start a new step if this one is nearly spent.
    if time.time() % 30 > 27:
        time.sleep(3.5)
    return current_code(secret)


def test_apply_review_and_download_in_the_browser(browser, live_server, journey, screenshot,
                                                  tmp_path: Path) -> None:
    base = live_server
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/")
    screenshot(page, "01-home")

    # The researcher browses the catalog and applies.
    _log_in(page, base, "rita", journey["password"])
    page.goto(f"{base}/catalog")
    assert "Benefit recipients" in page.content()
    screenshot(page, "02-catalog")
    page.click("text=Benefit recipients")
    assert "Region of residence" in page.content()
    screenshot(page, "03-dataset")
    page.goto(f"{base}/projects/apply")
    page.fill("input[name=title]", "Regional benefits")
    page.fill("textarea[name=purpose]", "Compare benefit uptake across regions.")
    page.fill("textarea[name=analysis_plan]", "Frequency tables by region and sex.")
    page.fill("input[name=retention_end]", (dt.date.today() + dt.timedelta(days=200)).isoformat())
    page.check(f"input[value='{journey['welfare_id']}:region']")
    page.check(f"input[value='{journey['health_id']}:visits']")
    screenshot(page, "04-apply")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert "Regional benefits" in page.content()
    assert "Application" in page.content()
    screenshot(page, "05-project-applied")
    page.goto(f"{base}/projects")
    screenshot(page, "06-my-projects")
    _log_out(page)

    # Two stewards log in with their second factor and review the export request.
    for index, steward in enumerate(("stella", "sven")):
        _log_in(page, base, steward, journey["password"])
        assert "one-time code" in page.content()  # the password alone is not enough
        _log_in(page, base, steward, journey["password"], _fresh_code(journey["secrets"][steward]))
        page.goto(f"{base}/steward/queue")
        assert "Tables for the paper" in page.content()
        if index == 0:
            screenshot(page, "07-steward-queue")
        page.goto(f"{base}/exports/{journey['request_id']}")
        assert page.locator("td.failing").count() >= 1
        if index == 0:
            screenshot(page, "08-export-review")
        passing = page.locator("section[data-output=by_region]")
        passing.locator("button[value=approve]").click()
        page.wait_for_load_state()
        failing = page.locator("section[data-output=by_sex_small]")
        failing.locator("input[name=comment]").fill("A cell of 2 people; suppress or combine it.")
        failing.locator("button[value=reject]").click()
        page.wait_for_load_state()
        if index == 1:
            screenshot(page, "09-export-decided")
        _log_out(page)

    # The researcher downloads the signed release.
    _log_in(page, base, "rita", journey["password"])
    page.goto(f"{base}/exports/{journey['request_id']}")
    assert "released" in page.content()
    screenshot(page, "10-release-ready")
    with page.expect_download() as info:
        page.click("text=Download the release package")
    target = tmp_path / "release.zip"
    info.value.save_as(str(target))
    with zipfile.ZipFile(target) as package:
        names = package.namelist()
    assert any("by_region" in name for name in names)
    assert not any("by_sex_small" in name for name in names)
    page.goto(f"{base}/exports/{journey['request_id']}?lang=ko")
    screenshot(page, "11-release-ko")
    context.close()
