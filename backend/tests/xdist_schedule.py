"""How pytest-xdist shares the tests out (`--dist loadgroup`): the tests that share an expensive
set-up of module or session scope go to one worker as one unit, so the set-up is made once
instead of on every worker that gets one of them. The units: the browser tests (their page
servers and Chromium), the CLI demo tests (one demo run that the read-only ones share).

pytest-xdist groups by a `@group` suffix it appends to each marked test's node id, through an
attribute pytest 9.2 no longer reads, so the `xdist_group` mark groups nothing there. The
controller sees node ids only, never marks: this scheduler groups by path prefix. The other
tests still go out one by one, after the larger units.
"""

from __future__ import annotations

from xdist.scheduler import LoadGroupScheduling

ONE_WORKER_UNITS = ("backend/tests/browser/", "backend/tests/e2e/test_cli_demo.py")


class SharedSetupScheduling(LoadGroupScheduling):
    """`loadgroup`, with each of ONE_WORKER_UNITS as one group."""

    def _split_scope(self, nodeid: str) -> str:
        unit = next((prefix for prefix in ONE_WORKER_UNITS if nodeid.startswith(prefix)), None)
        return unit or super()._split_scope(nodeid)
