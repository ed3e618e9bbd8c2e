"""In-process wake-ups for job streams: a job that commits a change says so here.

The stream still reads the job from the database (a fresh session each time); this only tells
it *when* to read, so a progress message that lasts less than a poll interval is not skipped
when the job runs in the same process (the inline runner). Jobs run elsewhere (a CLI process
on the same SQLite file) are still seen by the stream's polling.

A stream subscribes once, before its first read, and stays subscribed: a change committed while
it reads is kept for its next wait instead of being lost between a read and the wait after it.

While a job's final write transaction holds SQLite's write lock, its progress cannot be
committed: the job shows it here instead (`show`), to the streams of this process, until its
next committed change (`notify`) replaces it.

A stream lasts as long as its job, and the server waits for every open answer before it stops
the app (and the jobs it runs): a stopping server ends every stream first (`end_streams`).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

_subscribers: defaultdict[int, set[asyncio.Event]] = defaultdict(set)
_shown: dict[int, dict[str, Any]] = {}
_ending = False


def notify(job_id: int) -> None:
    """Wake every stream of this job (call after the change is committed)."""
    _shown.pop(job_id, None)
    _wake(job_id)


def show(job_id: int, fields: Mapping[str, Any]) -> None:
    """Show these fields of the job (its progress) over its row to the streams of this
    process, until its next committed change: for progress that cannot be committed."""
    _shown[job_id] = dict(fields)
    _wake(job_id)


def shown(job_id: int) -> dict[str, Any]:
    """The fields `show` set for this job and no commit replaced yet."""
    return dict(_shown.get(job_id, {}))


def _wake(job_id: int) -> None:
    for event in _subscribers.get(job_id, ()):
        event.set()


def end_streams() -> None:
    """The process is stopping: wake every stream, which then ends (`streams_ending`)."""
    global _ending
    _ending = True
    for events in _subscribers.values():
        for event in events:
            event.set()


def streams_ending() -> bool:
    """Whether streams must end now, the process stopping."""
    return _ending


class JobChanges:
    """The changes of one job a stream has not read yet."""

    def __init__(self, event: asyncio.Event) -> None:
        self._event = event

    async def wait(self, seconds: float) -> None:
        """Return at once if the job changed since the last wait returned, else when it
        changes or after `seconds`."""
        try:
            async with asyncio.timeout(seconds):
                await self._event.wait()
        except TimeoutError:
            pass
        self._event.clear()


@contextmanager
def subscribe(job_id: int) -> Iterator[JobChanges]:
    """Follow the changes of `job_id` made in this process, for as long as the block runs."""
    event = asyncio.Event()
    _subscribers[job_id].add(event)
    try:
        yield JobChanges(event)
    finally:
        _subscribers[job_id].discard(event)
        if not _subscribers[job_id]:
            del _subscribers[job_id]
