"""One step ahead: the next step of a loop runs while the caller works on the current one.

A batch import is a chain of steps that each prepare one batch (read, check and compute it in a
worker thread), each followed by the batch's database work on the event loop. Started one
step ahead, the preparation of batch n + 1 runs while the database writes batch n, so the job
takes about the longer of the two, not their sum (the database server works on its own core).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def read_ahead(step: Callable[[], Awaitable[T | None]]) -> AsyncGenerator[T]:
    """The results of `step()` until it returns None, each next call started before the
    current result is handed over. Use it under `contextlib.aclosing`: a caller that stops
    early (an error, a cancellation) waits there for the step already started, so nothing
    it shares (a file, a session) is used once the caller has moved on."""
    pending = asyncio.ensure_future(step())
    try:
        while (current := await pending) is not None:
            pending = asyncio.ensure_future(step())
            yield current
    finally:
        if not pending.done():
            await asyncio.gather(pending, return_exceptions=True)
