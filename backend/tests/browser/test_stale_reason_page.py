"""A stale type row says why in one line (the factor import, the entries it affects) with a
details view listing the imports, and says nothing once recalculated."""

from __future__ import annotations

from browser_env import BROWSER_TESTS, JOB_SECONDS, OpenPage, Screenshot
from data_management import RESULT_SUCCESS, type_badge
from factor_files import scaled_factor_file
from page_server import ADMIN, YEAR, PageServer
from playwright.sync_api import expect

pytestmark = BROWSER_TESTS

PROCESS_MODULE, PROCESS_TYPE = 8, 50


def test_a_stale_type_shows_its_reason_and_the_imports_behind_it(
    page_server: PageServer, open_page: OpenPage, screenshot: Screenshot
) -> None:
    page = open_page(page_server, logged_in=ADMIN)
    factors = scaled_factor_file("process_emissions", "gwp_kg_co2eq_per_kg", 1.1, year=YEAR)
    row = page.get_by_test_id(f"type-row-{PROCESS_TYPE}")

    page.get_by_test_id(f"import-factors-{PROCESS_TYPE}-input").set_input_files(
        {"name": "process-factors.csv", "mimeType": "text/csv", "buffer": factors.encode()}
    )

    expect(row.get_by_test_id("import-result")).to_have_attribute(
        "data-result", RESULT_SUCCESS, timeout=JOB_SECONDS
    )
    expect(type_badge(page, PROCESS_TYPE)).to_have_attribute("data-status", "needs_recalculation")
    (status,) = page_server.module_status(PROCESS_MODULE)["data_entry_types"]
    reason = status["reason"]
    latest = reason["factor_imports"][0]
    changed = latest["inserted"] + latest["updated"] + latest["removed"]
    assert latest["file_name"] == "process-factors.csv"
    assert reason["affected_entries"] > 0
    line = row.get_by_test_id("stale-reason-line")
    expect(line).to_contain_text(f"{changed:,} factors changed by import #{latest['job_id']} on")
    expect(line).to_contain_text(
        f"{reason['affected_entries']:,} of {reason['entries']:,} entries affected"
    )

    row.get_by_test_id("stale-reason-toggle").click()
    item = row.get_by_test_id(f"stale-reason-import-{latest['job_id']}")
    expect(item).to_contain_text("process-factors.csv")
    expect(item).to_contain_text(ADMIN.username)
    expect(item).to_contain_text(f"0 inserted, {latest['updated']} updated, 0 removed")
    screenshot(page, "reason-with-details", show=row)

    row.get_by_test_id(f"recalculate-type-{PROCESS_TYPE}").click()
    expect(type_badge(page, PROCESS_TYPE)).to_have_attribute(
        "data-status", "up_to_date", timeout=JOB_SECONDS
    )
    expect(row.get_by_test_id("stale-reason-line")).to_have_count(0)
