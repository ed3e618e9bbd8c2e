"""The Data Management page as the browser tests drive it: logging in, locating a module's
card, badge, dialog and progress by their `data-testid`, and recording live progress."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from page_server import YEAR, Account
from playwright.sync_api import Locator, Page, expect

PAGE_PATH = f"/back-office/data-management?year={YEAR}"
# Badge kinds (`data-status`) and their English words.
BADGE_WORDS = {
    "up_to_date": "Up to date",
    "needs_recalculation": "Recalculation needed",
    "running": "Recalculating…",
    "failed": "Last recalculation failed",
    "no_factors": "No factors imported yet",
}
RESULT_SUCCESS, RESULT_WARNING = "0", "1"


def log_in(page: Page, account: Account, path: str = PAGE_PATH) -> None:
    """Open `path`, get sent to the login page, log in, and wait until the page has loaded."""
    page.goto(path)
    submit_login(page, account, path)


def submit_login(page: Page, account: Account, path: str = PAGE_PATH) -> None:
    """Log in on the login page shown, and wait until it has led back to `path` and loaded.

    The URL is compared whole: a glob like `**/back-office/...?year=2025` also matches the
    login page itself (`/login?redirect=/back-office/...?year=2025`), so waiting on it returned
    at once and the load wait below also timed the login (a slow password hash by design).
    """
    expect(page.get_by_test_id("login-form")).to_be_visible()
    page.get_by_label("Username").fill(account.username)
    page.get_by_label("Password").fill(account.password)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(lambda url: _path_and_query(url) == path)
    wait_until_loaded(page)


def _path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def wait_until_loaded(page: Page) -> None:
    expect(page.get_by_test_id("module-cards")).to_have_attribute("aria-busy", "false")
    expect(page.locator("[data-testid^='module-card-']")).to_have_count(8)


def card(page: Page, module_id: int) -> Locator:
    return page.get_by_test_id(f"module-card-{module_id}")


def module_badge(page: Page, module_id: int) -> Locator:
    return page.get_by_test_id(f"module-badge-{module_id}")


def type_badge(page: Page, type_id: int) -> Locator:
    return page.get_by_test_id(f"type-badge-{type_id}")


def expected_badge(status: dict[str, Any]) -> str:
    """The badge kind the API's status of a module or type calls for (no job running)."""
    types = status.get("data_entry_types", [status])
    if any(t["recalculation_running_job_id"] is not None for t in types):
        return "running"
    if all(t["last_factor_job_id"] is None for t in types):
        return "no_factors"
    # Failed only while the type is still stale: a failed or cancelled recalculation of an
    # up-to-date type changed nothing, so its emissions are still up to date.
    if any(t["needs_recalculation"] and t["last_recalculation_job_result"] == 2 for t in types):
        return "failed"
    if status["needs_recalculation"]:
        return "needs_recalculation"
    return "up_to_date"


def open_dialog(page: Page, module_id: int) -> Locator:
    card(page, module_id).get_by_test_id(f"recalculate-module-{module_id}").click()
    dialog = page.get_by_test_id(f"recalculation-dialog-{module_id}")
    expect(dialog).to_be_visible()
    return dialog


def chart_value(page: Page, column: str, module_id: int) -> float | None:
    """A module's total in the chart's table, `now` or `before` its last recalculation (kg)."""
    value = page.get_by_test_id(f"chart-{column}-{module_id}").get_attribute("data-value")
    return float(value) if value else None


def record_progress(page: Page, module_id: int) -> None:
    """Record every distinct `done/total` a module card's progress bar shows from now on."""
    page.evaluate(
        """(moduleId) => {
            window.__progress = [];
            const selector =
                `[data-testid="module-card-${moduleId}"] [data-testid="job-progress-bar"]`;
            const note = () => document.querySelectorAll(selector).forEach((bar) => {
                const value = `${bar.dataset.done}/${bar.dataset.total}`;
                if (window.__progress.at(-1) !== value) window.__progress.push(value);
            });
            new MutationObserver(note).observe(document.body, {
                subtree: true, childList: true, attributes: true,
                attributeFilter: ["data-done", "data-total"],
            });
        }""",
        module_id,
    )


def recorded_progress(page: Page) -> list[str]:
    values: list[str] = page.evaluate("window.__progress")
    return [value for value in values if value not in ("/", "undefined/undefined")]
