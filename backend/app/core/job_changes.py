"""In-process wake-ups for job streams: a job that commits a change says so here.

The stream still reads the job from the database (a fresh session each time); this only tells
it *when* to read, so a progress message that lasts less than a poll interval is not skipped
when the job runs in the same process (the inline runner). Jobs run elsewhere (a CLI process
on the same SQLite file) are still seen by the stream's polling.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict

_waiters: defaultdict[int, set[asyncio.Event]] = defaultdict(set)


def notify(job_id: int) -> None:
    """Wake every stream of this job (call after the change is committed)."""
    for event in _waiters.get(job_id, ()):
        event.set()


async def wait_for_change(job_id: int, seconds: float) -> None:
    """Return when the job changed in this process, or after `seconds`."""
    event = asyncio.Event()
    _waiters[job_id].add(event)
    try:
        async with asyncio.timeout(seconds):
            await event.wait()
    except TimeoutError:
        pass
    finally:
        _waiters[job_id].discard(event)
        if not _waiters[job_id]:
            del _waiters[job_id]
