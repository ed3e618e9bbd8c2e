"""How pytest-xdist shares the tests out (`--dist loadgroup`): the browser tests as one unit of
work, so their page servers and Chromium start on one worker instead of on every worker.

pytest-xdist groups by a `@group` suffix it appends to each marked test's node id, through an
attribute pytest 9.2 no longer reads, so the `xdist_group` mark groups nothing there. The
controller sees node ids only, never marks: this scheduler groups the browser tests by their
folder. The other tests still go out one by one, after the largest unit (the browser tests).
"""

from __future__ import annotations

from xdist.scheduler import LoadGroupScheduling

BROWSER_TESTS = "backend/tests/browser/"


class BrowserGroupScheduling(LoadGroupScheduling):
    """`loadgroup`, with the browser tests' folder as one group."""

    def _split_scope(self, nodeid: str) -> str:
        return BROWSER_TESTS if nodeid.startswith(BROWSER_TESTS) else super()._split_scope(nodeid)
