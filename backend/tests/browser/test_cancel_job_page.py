"""The Cancel button beside a job's progress, in a real browser on a real server: the job
ends "cancelled by" the operator, the page says nothing was changed, and the type's status
stays as it was.

The job is held QUEUED behind its scope's lock, which the test takes on PostgreSQL (the
advisory lock every writer of a module and year waits for), so it is still cancellable
whatever the machine's speed; a running job's cancel is pinned by the task tests. It runs on
the research facilities module, no other test's: the cancelled recalculation stays the type's
last one, which would turn another test's stale type "failed" there."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from browser_env import BROWSER_TESTS, OpenPage, Screenshot
from data_management import type_badge
from page_server import ADMIN, YEAR, PageServer
from playwright.sync_api import expect
from sqlalchemy.engine import make_url

from app.repositories.sync_scope_repo import advisory_key

pytestmark = BROWSER_TESTS

RESULT_ERROR = "2"
FACILITIES_MODULE, FACILITIES_TYPE = 6, 70  # research_facilities, research_facilities


@contextmanager
def scope_held(server: PageServer, module_type_id: int) -> Iterator[None]:
    """Hold the (module, year) scope lock, as a running writer of another process would."""
    url = make_url(server.database_url).set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as held:
        held.execute("SELECT pg_advisory_lock(%s)", (advisory_key(module_type_id, YEAR),))
        yield


def test_a_queued_recalculation_is_cancelled_from_its_progress(
    postgresql_server: PageServer, open_page: OpenPage, screenshot: Screenshot
) -> None:
    page = open_page(postgresql_server, logged_in=ADMIN)
    badge_before = type_badge(page, FACILITIES_TYPE).get_attribute("data-status")
    with scope_held(postgresql_server, FACILITIES_MODULE):
        with page.expect_response(lambda r: "/sync/recalculate-emissions/" in r.url) as started:
            page.get_by_test_id(f"recalculate-type-{FACILITIES_TYPE}").click()
        job_id = started.value.json()["job_id"]
        # The module card shows the job's progress too; the type's row is where it started.
        row = page.get_by_test_id(f"type-row-{FACILITIES_TYPE}")
        progress = row.get_by_test_id(f"job-progress-{job_id}")
        expect(progress.get_by_test_id("job-progress-message")).to_contain_text("Waiting for")
        cancel = progress.get_by_test_id(f"cancel-job-{job_id}")
        expect(cancel).to_have_accessible_name(f"Cancel job #{job_id}")
        screenshot(page, "queued-with-cancel", show=row)

        with page.expect_response(lambda r: r.url.endswith(f"/jobs/{job_id}/cancel")) as asked:
            cancel.click()

        assert asked.value.status == 202
        toast = page.locator(f"[data-testid='job-toast'][data-job-id='{job_id}']")
        expect(toast).to_have_attribute("data-result", RESULT_ERROR)
        expect(toast).to_contain_text("Recalculation cancelled by admin: nothing was changed.")
        expect(page.get_by_test_id(f"job-progress-{job_id}")).to_have_count(0)
        expect(type_badge(page, FACILITIES_TYPE)).to_have_attribute(
            "data-status", badge_before or ""
        )
        screenshot(page, "cancelled", show=type_badge(page, FACILITIES_TYPE))

    job = postgresql_server.wait_for_job(job_id)
    assert (job["result"], job["status_message"]) == (2, "cancelled by admin")
    assert job["started_at"] is None
