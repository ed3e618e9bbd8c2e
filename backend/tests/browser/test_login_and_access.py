"""Who sees what: the viewer sees the status without actions, a user without the view right
gets the no-access page, an expired session comes back where it was; and the French labels."""

from __future__ import annotations

from browser_env import BROWSER_TESTS, OpenPage, Screenshot
from data_management import PAGE_PATH, module_badge, submit_login
from page_server import ADMIN, OUTSIDER, VIEWER, PageServer
from playwright.sync_api import expect

pytestmark = BROWSER_TESTS

ACTIONS = (
    "[data-testid^='recalculate-module-'], [data-testid^='recalculate-type-'], "
    "[data-testid^='import-factors-'], [data-testid^='import-data-']"
)


def test_a_viewer_sees_the_status_but_no_import_or_recalculate_action(
    sqlite_server: PageServer, open_page: OpenPage, screenshot: Screenshot
) -> None:
    page = open_page(sqlite_server, logged_in=VIEWER)

    expect(page.get_by_test_id("view-only-notice")).to_be_visible()
    expect(module_badge(page, 1)).to_be_visible()
    expect(page.get_by_test_id("job-history")).to_be_visible()
    expect(page.locator(ACTIONS)).to_have_count(0)
    screenshot(page, "viewer")


def test_a_user_without_the_view_right_gets_the_no_access_page(
    sqlite_server: PageServer, open_page: OpenPage, screenshot: Screenshot
) -> None:
    page = open_page(sqlite_server)
    page.goto(PAGE_PATH)
    page.get_by_label("Username").fill(OUTSIDER.username)
    page.get_by_label("Password").fill(OUTSIDER.password)
    page.get_by_test_id("login-submit").click()

    expect(page.get_by_test_id("no-access")).to_be_visible()
    expect(page.get_by_test_id("no-access")).to_contain_text(OUTSIDER.username)
    expect(page.get_by_test_id("data-management-page")).to_have_count(0)
    screenshot(page, "no-access")


def test_an_expired_session_returns_to_the_login_page_then_back(
    sqlite_server: PageServer, open_page: OpenPage, screenshot: Screenshot
) -> None:
    page = open_page(sqlite_server, logged_in=ADMIN)

    page.context.clear_cookies()
    page.get_by_test_id("history-refresh").click()

    expect(page.get_by_test_id("session-expired")).to_be_visible()
    screenshot(page, "session-expired")
    submit_login(page, ADMIN)


def test_french_labels(
    sqlite_server: PageServer, open_page: OpenPage, screenshot: Screenshot
) -> None:
    page = open_page(sqlite_server, logged_in=ADMIN)

    page.get_by_test_id("language-fr").click()

    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Gestion des données")
    expect(page.get_by_test_id("recalculate-module-1")).to_contain_text("Recalculer les émissions")
    expect(module_badge(page, 1)).to_contain_text("À jour")
    screenshot(page, "french")
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gestion des données")
