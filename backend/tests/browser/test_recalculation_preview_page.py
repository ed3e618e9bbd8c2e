"""The module dialog's recalculation preview in a real browser: started for the selected choice,
Confirm available while it runs, skippable; once done, totals before -> after, per type, the
units that change most; nothing written (the type stays stale).

The process module is this test's alone on the shared servers: it leaves the type stale, and its
"+20.0 %" holds only against the emissions of the shipped factors."""

from __future__ import annotations

import re

from browser_env import BROWSER_TESTS, JOB_SECONDS, OpenPage, Screenshot
from data_management import expected_badge, open_dialog
from factor_files import scaled_factor_file
from page_server import ADMIN, LONG_MODULE, YEAR, PageServer
from playwright.sync_api import expect

pytestmark = BROWSER_TESTS

PROCESS_MODULE, PROCESS_TYPE = 8, 50
# A figure as the page writes tonnes in English: digits, thousands commas, a decimal point.
FIGURE = r"[+-]?[\d,]+(?:\.\d+)?"


def _decimals(figure: str) -> int:
    return len(figure.partition(".")[2])


def test_the_dialog_previews_the_choice_and_confirm_never_waits(
    page_server: PageServer, open_page: OpenPage, screenshot: Screenshot
) -> None:
    assert expected_badge(page_server.module_status(PROCESS_MODULE)) == "up_to_date"
    factors = scaled_factor_file("process_emissions", "gwp_kg_co2eq_per_kg", 1.2, year=YEAR)
    page_server.import_file("factors", PROCESS_MODULE, PROCESS_TYPE, factors)
    page = open_page(page_server, logged_in=ADMIN)

    # The long module's 20,000 plane entries: the preview runs while Confirm is available.
    dialog = open_dialog(page, LONG_MODULE)
    dialog.get_by_role("radio", name="Recalculate all data entry types").click()
    running = dialog.get_by_test_id("preview-running")
    expect(running).to_be_visible()
    expect(dialog.get_by_test_id("dialog-confirm")).to_be_enabled()
    screenshot(page, "preview-running")
    running.get_by_test_id("preview-skip").click()
    expect(dialog.get_by_test_id("preview-skipped")).to_be_visible()
    dialog.get_by_test_id("dialog-cancel").click()
    expect(dialog).to_be_hidden()

    dialog = open_dialog(page, PROCESS_MODULE)
    expect(
        dialog.get_by_role("radio", name="Recalculate only data entry types that need it")
    ).to_be_checked()
    totals = dialog.get_by_test_id("preview-totals")
    expect(totals).to_be_visible(timeout=JOB_SECONDS)
    expect(totals).to_contain_text("→")
    expect(totals).to_contain_text("+20.0 %")
    expect(dialog.get_by_test_id(f"preview-type-{PROCESS_TYPE}")).to_contain_text("Process")
    expect(dialog.get_by_test_id("preview-unit")).not_to_have_count(0)
    # Both sides of an arrow, and the change, are written with the same number of decimals.
    units = dialog.get_by_test_id("preview-unit")
    changes = [unit.locator("td").nth(2).inner_text() for unit in units.all()]
    # The Change column: the delta, then its percentage in brackets.
    for change in changes:
        assert re.fullmatch(rf"{FIGURE} \([+-]?\d+\.\d %\)", change), change
    lines = [totals.inner_text()] + [
        f"{unit.locator('td').nth(1).inner_text()} ({change})"
        for unit, change in zip(units.all(), changes, strict=True)
    ]
    for line in lines:
        found = re.search(rf"({FIGURE}) → ({FIGURE})[^(]*\(({FIGURE})", line)
        assert found is not None, line
        assert len({_decimals(figure) for figure in found.groups()}) == 1, line
    screenshot(page, "preview-done")
    dialog.get_by_test_id("dialog-cancel").click()

    assert page_server.module_status(PROCESS_MODULE)["needs_recalculation"] is True
