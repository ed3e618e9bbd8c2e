"""Data Management in a real browser: badges, imports, the recalculation dialog with live
progress, attaching to a running job, a job started from the CLI, and the job history."""

from __future__ import annotations

import json
import re

import pytest
from browser_env import BROWSER_TESTS, JOB_SECONDS, OpenPage, Screenshot
from data_management import (
    BADGE_WORDS,
    RESULT_SUCCESS,
    RESULT_WARNING,
    card,
    chart_value,
    expected_badge,
    module_badge,
    open_dialog,
    record_progress,
    recorded_progress,
    type_badge,
)
from factor_files import scaled_factor_file
from page_server import ADMIN, LONG_MODULE, LONG_TYPE, YEAR, PageServer
from playwright.sync_api import Page, Request, expect

pytestmark = BROWSER_TESTS

UNKNOWN_AIRPORT = 'unknown airport code "ZZZ"'


def _recalculation_requests(page: Page) -> list[str]:
    """URLs of the recalculation POSTs the page sends from now on."""
    sent: list[str] = []

    def note(request: Request) -> None:
        if request.method == "POST" and "/sync/recalculate-emissions/" in request.url:
            sent.append(request.url)

    page.on("request", note)
    return sent


def test_badges_match_the_apis_status(
    page_server: PageServer, open_page: OpenPage, screenshot: Screenshot
) -> None:
    page = open_page(page_server, logged_in=ADMIN)

    for module in page_server.status():
        module_id = module["module_type_id"]
        kind = expected_badge(module)
        expect(module_badge(page, module_id)).to_have_attribute("data-status", kind)
        expect(module_badge(page, module_id)).to_contain_text(BADGE_WORDS[kind])
        for entry_type in module["data_entry_types"]:
            badge = type_badge(page, entry_type["data_entry_type_id"])
            expect(badge).to_have_attribute("data-status", expected_badge(entry_type))
    expect(page.get_by_test_id("current-user")).to_contain_text(ADMIN.username)
    screenshot(page, "overview")
    screenshot(page, "overview-full", full_page=True)


def test_a_factor_import_then_the_only_stale_recalculation_with_live_progress(
    page_server: PageServer, open_page: OpenPage, screenshot: Screenshot
) -> None:
    # Up to date before, so the import below is what makes the plane type stale.
    assert expected_badge(page_server.module_status(LONG_MODULE)) == "up_to_date"
    page = open_page(page_server, logged_in=ADMIN)
    before = chart_value(page, "now", LONG_MODULE)
    factors = scaled_factor_file("plane", "ef_kg_co2eq_per_km", 1.5, year=YEAR)

    page.get_by_test_id(f"import-factors-{LONG_TYPE}-input").set_input_files(
        {"name": "plane-factors.csv", "mimeType": "text/csv", "buffer": factors.encode()}
    )

    row = page.get_by_test_id(f"type-row-{LONG_TYPE}")
    # A factor import that changes something counts the entries it affects: 20,000 here.
    expect(row.get_by_test_id("import-result")).to_have_attribute(
        "data-result", RESULT_SUCCESS, timeout=JOB_SECONDS
    )
    expect(type_badge(page, LONG_TYPE)).to_have_attribute("data-status", "needs_recalculation")
    expect(module_badge(page, LONG_MODULE)).to_have_attribute("data-status", "needs_recalculation")
    expect(module_badge(page, LONG_MODULE)).to_contain_text("Recalculation needed")
    # The toast says what the import did to the factors, as the job's result does.
    toast = page.get_by_test_id("job-toast").filter(has_text="Factor import finished")
    expect(toast).to_be_visible()
    meta = page_server.wait_for_job(int(toast.get_attribute("data-job-id") or 0))["meta"]
    assert meta["updated"] > 0, meta
    expect(toast).to_have_text(
        f"Factor import finished: {meta['inserted']} inserted, {meta['updated']} updated, "
        f"{meta['unchanged']} unchanged, {meta['removed']} removed."
    )
    screenshot(page, "stale-after-factor-import", show=card(page, LONG_MODULE))

    dialog = open_dialog(page, LONG_MODULE)
    only_stale = dialog.get_by_role("radio", name="Recalculate only data entry types that need it")
    expect(only_stale).to_be_checked()
    expect(dialog.get_by_test_id("dialog-stale-types")).to_contain_text("Plane")
    screenshot(page, "dialog-only-stale")
    sent = _recalculation_requests(page)
    record_progress(page, LONG_MODULE)
    dialog.get_by_test_id("dialog-confirm").click()

    expect(module_badge(page, LONG_MODULE)).to_have_attribute("data-status", "running")
    progress = card(page, LONG_MODULE).locator("[data-testid^='job-progress-']").first
    expect(progress.get_by_test_id("job-progress-count")).to_be_visible()
    screenshot(page, "recalculating", show=card(page, LONG_MODULE))
    expect(module_badge(page, LONG_MODULE)).to_have_attribute(
        "data-status", "up_to_date", timeout=JOB_SECONDS
    )
    toast = page.locator("[data-testid='job-toast']").last
    expect(toast).to_have_attribute("data-result", RESULT_SUCCESS)
    # Thousands of entries, written as the rest of the page writes counts ("20,000").
    expect(toast).to_have_text(re.compile(r"Recalculation finished: \d{1,3}(,\d{3})+ done\."))
    expect(module_badge(page, LONG_MODULE)).to_contain_text("Up to date")
    expect(page.get_by_test_id(f"chart-now-{LONG_MODULE}")).not_to_have_attribute(
        "data-value", str(before)
    )
    screenshot(page, "up-to-date", show=card(page, LONG_MODULE))
    screenshot(page, "chart-before-and-after", show=page.get_by_test_id("emissions-chart"))

    assert [re.sub(r".*\?", "", url) for url in sent] == [f"year={YEAR}&only_stale=true"]
    assert len(set(recorded_progress(page))) >= 2, recorded_progress(page)
    after = chart_value(page, "now", LONG_MODULE)
    assert before is not None
    assert after is not None
    assert after > before
    assert chart_value(page, "before", LONG_MODULE) == pytest.approx(before)
    assert page_server.module_status(LONG_MODULE)["needs_recalculation"] is False

    # The same file again changes no factor: the type stays up to date and the page says so.
    page.get_by_test_id(f"import-factors-{LONG_TYPE}-input").set_input_files(
        {"name": "plane-factors.csv", "mimeType": "text/csv", "buffer": factors.encode()}
    )
    expect(row.get_by_test_id("import-result-message")).to_contain_text(
        "No factor changed", timeout=JOB_SECONDS
    )
    expect(page.get_by_test_id("history-message").first).to_contain_text("No factor changed")
    expect(page.get_by_test_id("job-toast").filter(has_text="no factor changed")).to_be_visible()
    expect(type_badge(page, LONG_TYPE)).to_have_attribute("data-status", "up_to_date")
    expect(module_badge(page, LONG_MODULE)).to_have_attribute("data-status", "up_to_date")
    screenshot(page, "same-factor-file-again", show=card(page, LONG_MODULE))
    assert page_server.module_status(LONG_MODULE)["needs_recalculation"] is False


def test_the_all_path_recalculates_every_type_and_nothing_stale_disables_the_default(
    sqlite_server: PageServer, open_page: OpenPage, screenshot: Screenshot
) -> None:
    headcount = 1
    assert expected_badge(sqlite_server.module_status(headcount)) == "up_to_date"
    page = open_page(sqlite_server, logged_in=ADMIN)

    dialog = open_dialog(page, headcount)
    only_stale = dialog.get_by_role("radio", name="Recalculate only data entry types that need it")
    everything = dialog.get_by_role("radio", name="Recalculate all data entry types")
    expect(only_stale).to_be_disabled()
    expect(everything).to_be_checked()
    expect(dialog.get_by_test_id("dialog-none-stale")).to_be_visible()
    screenshot(page, "dialog-nothing-stale")
    sent = _recalculation_requests(page)
    dialog.get_by_test_id("dialog-confirm").click()

    toast = page.locator("[data-testid='job-toast']").last
    expect(toast).to_have_attribute("data-result", RESULT_SUCCESS, timeout=JOB_SECONDS)
    expect(module_badge(page, headcount)).to_have_attribute("data-status", "up_to_date")
    job_id = toast.get_attribute("data-job-id")
    history = page.get_by_test_id(f"history-job-{job_id}")
    expect(history).to_have_attribute("data-result", RESULT_SUCCESS)
    expect(page.locator("[data-testid^='history-child-']")).not_to_have_count(0)
    screenshot(page, "all-types-recalculated", show=history)

    assert [re.sub(r".*\?", "", url) for url in sent] == [f"year={YEAR}&only_stale=false"]


def test_a_second_click_while_running_attaches_to_the_running_job(
    sqlite_server: PageServer, open_page: OpenPage, screenshot: Screenshot
) -> None:
    page = open_page(sqlite_server, logged_in=ADMIN)
    button = page.get_by_test_id(f"recalculate-type-{LONG_TYPE}")
    with page.expect_response(lambda r: "/sync/recalculate-emissions/" in r.url) as started:
        button.click()
    # The second click follows the first answer at once: the job (thousands of entries) is
    # still running then, however fast the machine.
    with page.expect_response(lambda r: "/sync/recalculate-emissions/" in r.url) as refused:
        button.click()

    assert started.value.status == 202
    job_id = started.value.json()["job_id"]
    assert refused.value.status == 409
    assert refused.value.json()["job_id"] == job_id
    expect(page.get_by_text(f"Already running: following job #{job_id}.")).to_be_visible()
    screenshot(page, "attached-to-running-job", show=card(page, LONG_MODULE))
    expect(page.locator(f"[data-testid='job-toast'][data-job-id='{job_id}']")).to_have_attribute(
        "data-result", RESULT_SUCCESS, timeout=JOB_SECONDS
    )
    expect(type_badge(page, LONG_TYPE)).to_have_attribute("data-status", "up_to_date")
    expect(page.locator(f"[data-testid='job-toast'][data-job-id='{job_id}']")).to_have_count(1)
    expect(page.get_by_text("Could not start")).to_have_count(0)


def test_a_recalculation_started_from_the_cli_appears_on_an_open_page(
    sqlite_server: PageServer, open_page: OpenPage, screenshot: Screenshot
) -> None:
    """The page finds jobs started elsewhere by polling; whether it also catches this one
    running depends on the machine's speed, so what is checked is that it shows up, finished,
    in the open page's history and status without a reload."""
    page = open_page(sqlite_server, logged_in=ADMIN)

    cli = sqlite_server.cli(
        "recalc", "run", "--module", str(LONG_MODULE), "--year", str(YEAR), "--all", "--json"
    )

    assert cli.returncode == 0, cli.stdout + cli.stderr
    job_id = json.loads(cli.stdout)["id"]
    row = page.get_by_test_id(f"history-job-{job_id}")
    expect(row).to_have_attribute("data-result", RESULT_SUCCESS)
    expect(row).to_contain_text("cli:")
    expect(module_badge(page, LONG_MODULE)).to_have_attribute("data-status", "up_to_date")
    screenshot(page, "cli-job-in-history", show=row)


def test_an_entry_error_of_a_data_import_shows_in_the_history_details(
    sqlite_server: PageServer, open_page: OpenPage, screenshot: Screenshot
) -> None:
    unit = sqlite_server.unit_codes()[0]
    data = (
        "unit_institutional_code,origin_iata,destination_iata,cabin_class,number_of_trips\n"
        f"{unit},GVA,ZZZ,eco,1\n{unit},GVA,CDG,eco,2\n"
    )
    page = open_page(sqlite_server, logged_in=ADMIN)

    page.get_by_test_id(f"import-data-{LONG_TYPE}").click()
    with page.expect_file_chooser() as chooser:
        page.get_by_test_id(f"import-data-{LONG_TYPE}-append").click()
    chooser.value.set_files(
        {"name": "plane-trips.csv", "mimeType": "text/csv", "buffer": data.encode()}
    )

    row = page.get_by_test_id(f"type-row-{LONG_TYPE}")
    result = row.get_by_test_id("import-result")
    expect(result).to_have_attribute("data-result", RESULT_WARNING, timeout=JOB_SECONDS)
    expect(result.get_by_test_id("import-entry-errors")).to_contain_text(
        'unknown airport code "ZZZ"'
    )
    job_id = (
        row.locator("[data-testid^='import-job-']").get_attribute("data-testid").rsplit("-")[-1]
    )  # type: ignore[union-attr]
    history = page.get_by_test_id(f"history-job-{job_id}")
    expect(history).to_have_attribute("data-result", RESULT_WARNING)
    history.get_by_test_id("history-details-toggle").click()

    details = page.get_by_test_id(f"job-details-{job_id}")
    errors = details.get_by_test_id("details-entry-errors")
    expect(errors).to_contain_text(UNKNOWN_AIRPORT)
    expect(errors.get_by_test_id("row-issue-entry")).to_contain_text(re.compile(r"Entry \d+"))
    screenshot(page, "history-entry-error-details", show=details)

    # The entry stays, failing: every later recalculation of the plane type would end WARNING.
    entry = re.fullmatch(
        r"Entry (\d+)", errors.get_by_test_id("row-issue-entry").inner_text().strip()
    )
    assert entry is not None
    sqlite_server.delete_entry(int(entry[1]))
