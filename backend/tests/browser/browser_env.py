"""What the browser tests run with: Debian's Chromium, axe-core from the page's Node packages,
the screenshots folder, the two screen sizes; and what a missing tool means (a skip, or in CI
a failure)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page

REPO_ROOT = Path(__file__).resolve().parents[3]
CHROMIUM = Path(os.environ.get("CO2CALC_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
AXE = Path(
    os.environ.get(
        "CO2CALC_TEST_AXE", REPO_ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
    )
)
ARTIFACTS = Path(os.environ.get("CO2CALC_TEST_ARTIFACTS", REPO_ROOT / "test-artifacts"))
SCREENSHOTS = ARTIFACTS / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
IN_CI = os.environ.get("CI", "").lower() == "true"
# ms: the longest a job of the served data (the long module's 20,000 entries) may take here.
JOB_SECONDS = 60_000
# ms: the longest a page action or `expect` may wait on the server (a login's password hash,
# the five requests of the page's first load) on a loaded CI machine. Playwright's `expect`
# waits 5 s by default, which the first load behind a login outlasted on the 2-core machine
# running the suite.
SERVER_WAIT_MS = 20_000

# Every browser test module's marks. Under pytest-xdist the tests of each page server run on
# one worker (backend/tests/xdist_schedule.py), so each server starts once.
BROWSER_TESTS = [pytest.mark.browser]

OpenPage = Callable[..., Page]
Screenshot = Callable[..., Path]


def unavailable(reason: str) -> None:
    """Skip the test for a missing tool; with CI=true, fail it."""
    if IN_CI:
        pytest.fail(f"CI=true requires it: {reason}")
    pytest.skip(reason)
