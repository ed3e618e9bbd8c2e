"""Whose turn it is to check a password: one attempt at a time per username, a few in all.

Taking a username's attempts one after the other makes the failed-login limit exact without
recording anything before the check: each attempt counts the failures its predecessors
committed, so at most `login_max_failures` wrong passwords are ever checked per window, and a
correct password waiting behind others is still checked. The overall bound keeps a burst of
logins from taking the connection pool and the CPU from every other request (a login holds at
most one connection, and none while its password is checked). An attempt that cannot get its
turn within `wait_seconds` is refused with 429 and Retry-After instead of queueing forever.

The gate lives in the server process: `co2calc serve` runs one, and it is the only place
logins happen.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from app.core.errors import TooManyRequests


@dataclass
class _UsernameLock:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    waiting: int = 0


class LoginGate:
    def __init__(self, *, concurrency: int, wait_seconds: float) -> None:
        if concurrency < 1 or wait_seconds <= 0:
            raise ValueError("a login gate needs concurrency >= 1 and wait_seconds > 0")
        self.wait_seconds = wait_seconds
        self._slots = asyncio.Semaphore(concurrency)
        self._locks: dict[str, _UsernameLock] = {}

    @asynccontextmanager
    async def turn(self, username: str) -> AsyncIterator[None]:
        """Hold the username's turn and an overall slot; TooManyRequests when both are not
        free within `wait_seconds`."""
        entry = self._locks.setdefault(username, _UsernameLock())
        entry.waiting += 1
        try:
            await self._acquire(entry.lock)
            try:
                yield
            finally:
                self._slots.release()
                entry.lock.release()
        finally:
            entry.waiting -= 1
            if entry.waiting == 0:
                del self._locks[username]

    def pending(self) -> int:
        """Usernames with an attempt holding or waiting for a turn (0 when idle)."""
        return len(self._locks)

    async def _acquire(self, lock: asyncio.Lock) -> None:
        try:
            async with asyncio.timeout(self.wait_seconds):
                await lock.acquire()
                try:
                    await self._slots.acquire()
                except BaseException:
                    lock.release()
                    raise
        except TimeoutError:
            retry_after = max(1, math.ceil(self.wait_seconds))
            raise TooManyRequests(
                f"too many logins are being checked right now: try again in {retry_after} s",
                retry_after=retry_after,
            ) from None
