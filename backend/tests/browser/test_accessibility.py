"""Keyboard only through the recalculation dialog (focus trapped, then returned), and axe-core
finding nothing serious or critical, at 1280x800 and 390x844."""

from __future__ import annotations

from typing import Any

from browser_env import (
    AXE,
    BROWSER_TESTS,
    DESKTOP,
    JOB_SECONDS,
    PHONE,
    OpenPage,
    Screenshot,
    unavailable,
)
from data_management import RESULT_SUCCESS, log_in, module_badge, open_dialog, wait_until_loaded
from page_server import ADMIN, PageServer
from playwright.sync_api import Page, expect

pytestmark = BROWSER_TESTS

BUILDINGS = 3
ALL_TYPES = "Recalculate all data entry types"


def _focused_test_id(page: Page) -> str | None:
    value: str | None = page.evaluate(
        "document.activeElement?.closest('[data-testid]')?.dataset.testid ?? null"
    )
    return value


def _focus_stays_in_dialog(page: Page, test_id: str) -> bool:
    """Focus is inside the dialog, or on the document itself (Tab past the last control leaves
    the page for the browser's own controls, and the next Tab comes back into the dialog)."""
    inside: bool = page.evaluate(
        """(id) => {
            const focused = document.activeElement;
            const dialog = document.querySelector(`[data-testid='${id}']`).closest('.q-dialog');
            return focused === document.body || dialog.contains(focused);
        }""",
        test_id,
    )
    return inside


def _tab_to(page: Page, test_id: str, limit: int = 400) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if _focused_test_id(page) == test_id:
            return
    raise AssertionError(f"Tab never reached {test_id}")


def test_keyboard_only_through_the_dialog(
    sqlite_server: PageServer, open_page: OpenPage, screenshot: Screenshot
) -> None:
    page = open_page(sqlite_server, logged_in=ADMIN)
    button = f"recalculate-module-{BUILDINGS}"
    dialog = f"recalculation-dialog-{BUILDINGS}"

    _tab_to(page, button)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id(dialog)).to_be_visible()
    page.wait_for_function(  # opening moves the focus into the dialog
        "(id) => !!document.activeElement?.closest(`[data-testid='${id}']`)", arg=dialog
    )
    seen = set()
    for _ in range(10):  # focus cycles through the dialog's controls, never behind it
        page.keyboard.press("Tab")
        assert _focus_stays_in_dialog(page, dialog), _focused_test_id(page)
        seen.add(_focused_test_id(page))
    assert {"dialog-cancel", "dialog-confirm"} <= seen
    page.keyboard.press("Escape")
    expect(page.get_by_test_id(dialog)).to_be_hidden()
    assert _focused_test_id(page) == button

    page.keyboard.press("Enter")
    expect(page.get_by_test_id(dialog)).to_be_visible()
    all_types = page.get_by_test_id(dialog).get_by_role(
        "radio", name="Recalculate all data entry types"
    )
    for _ in range(8):
        if all_types.evaluate("(radio) => radio === document.activeElement"):
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Space")
    expect(all_types).to_be_checked()
    screenshot(page, "keyboard-choice")
    _tab_to(page, "dialog-confirm", limit=8)
    page.keyboard.press("Enter")

    expect(page.get_by_test_id(dialog)).to_be_hidden()
    toast = page.locator("[data-testid='job-toast']").last
    expect(toast).to_have_attribute("data-result", RESULT_SUCCESS, timeout=JOB_SECONDS)
    expect(module_badge(page, BUILDINGS)).to_have_attribute("data-status", "up_to_date")


def _require_axe() -> None:
    if not AXE.is_file():
        unavailable(f"axe-core unavailable ({AXE}); run `npm ci` in frontend/")


def _serious_violations(page: Page, rules: list[str] | None = None) -> list[dict[str, Any]]:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    options = {"runOnly": rules} if rules else {}
    results: dict[str, Any] = page.evaluate(
        "async (options) => await axe.run(document, options)", options
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_axe_finds_nothing_serious(
    sqlite_server: PageServer, open_page: OpenPage, screenshot: Screenshot
) -> None:
    """The login page, the page and the open dialog at 1280x800, the page at 390x844."""
    _require_axe()
    # bypass_csp: axe is injected as an inline script, which the page's policy forbids.
    page = open_page(sqlite_server, viewport=DESKTOP, bypass_csp=True)
    page.goto("/login")
    assert _serious_violations(page) == []
    log_in(page, ADMIN)
    assert _serious_violations(page) == []
    dialog = open_dialog(page, BUILDINGS)
    assert _serious_violations(page) == []
    screenshot(page, "dialog-1280x800")

    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    page.set_viewport_size(PHONE)
    page.reload()  # as it opens on a phone, without the hover and focus the clicks left
    wait_until_loaded(page)
    assert _serious_violations(page) == []
    screenshot(page, "page-390x844")


def test_a_focused_primary_button_keeps_its_contrast(
    sqlite_server: PageServer, open_page: OpenPage
) -> None:
    _require_axe()
    page = open_page(sqlite_server, logged_in=ADMIN, bypass_csp=True)

    page.get_by_test_id(f"recalculate-module-{BUILDINGS}").focus()

    assert _serious_violations(page, ["color-contrast"]) == []
