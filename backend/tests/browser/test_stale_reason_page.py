"""A stale type row says why in one line (the factor import, the entries it affects) with a
details view listing the imports, and says nothing once recalculated.

The cloud module is this test's alone on the shared servers: the reason it reads lists every
factor import since the type's last recalculation, so another test's import there would show."""

from __future__ import annotations

from typing import Any

from browser_env import BROWSER_TESTS, JOB_SECONDS, OpenPage, Screenshot
from data_management import RESULT_SUCCESS, expected_badge, type_badge
from factor_files import scaled_factor_file
from page_server import ADMIN, YEAR, PageServer
from playwright.sync_api import expect

pytestmark = BROWSER_TESTS

CLOUD_MODULE, CLOUD_TYPE = 7, 40  # external_cloud_and_ai, external_clouds


def test_a_stale_type_shows_its_reason_and_the_imports_behind_it(
    page_server: PageServer, open_page: OpenPage, screenshot: Screenshot
) -> None:
    assert expected_badge(_type_status(page_server)) == "up_to_date"
    page = open_page(page_server, logged_in=ADMIN)
    factors = scaled_factor_file("external_clouds", "ef_kg_co2eq_per_currency", 1.1, year=YEAR)
    row = page.get_by_test_id(f"type-row-{CLOUD_TYPE}")

    page.get_by_test_id(f"import-factors-{CLOUD_TYPE}-input").set_input_files(
        {"name": "cloud-factors.csv", "mimeType": "text/csv", "buffer": factors.encode()}
    )

    expect(row.get_by_test_id("import-result")).to_have_attribute(
        "data-result", RESULT_SUCCESS, timeout=JOB_SECONDS
    )
    expect(type_badge(page, CLOUD_TYPE)).to_have_attribute("data-status", "needs_recalculation")
    reason = _type_status(page_server)["reason"]
    latest = reason["factor_imports"][0]
    changed = latest["inserted"] + latest["updated"] + latest["removed"]
    assert latest["file_name"] == "cloud-factors.csv"
    assert reason["affected_entries"] > 0
    line = row.get_by_test_id("stale-reason-line")
    expect(line).to_contain_text(f"{changed:,} factors changed by import #{latest['job_id']} on")
    expect(line).to_contain_text(
        f"{reason['affected_entries']:,} of {reason['entries']:,} entries affected"
    )

    row.get_by_test_id("stale-reason-toggle").click()
    item = row.get_by_test_id(f"stale-reason-import-{latest['job_id']}")
    expect(item).to_contain_text("cloud-factors.csv")
    expect(item).to_contain_text(ADMIN.username)
    expect(item).to_contain_text(f"0 inserted, {latest['updated']} updated, 0 removed")
    screenshot(page, "reason-with-details", show=row)

    row.get_by_test_id(f"recalculate-type-{CLOUD_TYPE}").click()
    expect(type_badge(page, CLOUD_TYPE)).to_have_attribute(
        "data-status", "up_to_date", timeout=JOB_SECONDS
    )
    expect(row.get_by_test_id("stale-reason-line")).to_have_count(0)


def _type_status(server: PageServer) -> dict[str, Any]:
    types = server.module_status(CLOUD_MODULE)["data_entry_types"]
    return next(t for t in types if t["data_entry_type_id"] == CLOUD_TYPE)
