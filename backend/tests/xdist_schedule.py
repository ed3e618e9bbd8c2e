"""How pytest-xdist shares the tests out (`--dist loadgroup`): the tests that share an expensive
set-up of module or session scope go to one worker as one unit, so the set-up is made once
instead of on every worker that gets one of them. The units: the browser tests on the SQLite
page server, those on the PostgreSQL one (each unit starts its server once, and the two run
side by side), the CLI demo tests (one demo run that the read-only ones share), and the queue
tests and the recalculation end-to-end tests (each demo they copy is loaded once:
e2e/demo_copies.py).

pytest-xdist groups by a `@group` suffix it appends to each marked test's node id, through an
attribute pytest 9.2 no longer reads, so the `xdist_group` mark groups nothing there. The
controller sees node ids only, never marks or fixtures: this scheduler groups by path, and
tells the browser tests' server from the node id. The other tests still go out one by one,
after the larger units.
"""

from __future__ import annotations

from xdist.scheduler import LoadGroupScheduling

BROWSER = "backend/tests/browser/"
# Each a unit: the files whose tests share one demo run, or copies of one (e2e/demo_copies.py).
DEMO_UNITS = (
    "backend/tests/e2e/test_cli_demo.py",
    "backend/tests/e2e/test_queue_",
    "backend/tests/e2e/test_recalculation_e2e.py",
)
# Browser tests on the PostgreSQL server: the main path's `[postgresql]` case, and the files
# whose tests use `postgresql_server` alone. One missing here still passes, in the SQLite unit,
# at the price of a second PostgreSQL server.
POSTGRESQL_BROWSER_FILES = (f"{BROWSER}test_cancel_job_page.py::",)


class SharedSetupScheduling(LoadGroupScheduling):
    """`loadgroup`, with the units above as groups."""

    def _split_scope(self, nodeid: str) -> str:
        if nodeid.startswith(BROWSER):
            on_postgresql = "[postgresql]" in nodeid or nodeid.startswith(POSTGRESQL_BROWSER_FILES)
            return f"{BROWSER}{'postgresql' if on_postgresql else 'sqlite'}"
        unit = next((path for path in DEMO_UNITS if nodeid.startswith(path)), None)
        return unit or super()._split_scope(nodeid)
