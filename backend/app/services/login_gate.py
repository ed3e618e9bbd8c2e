"""Whose turn it is to check a password: at most as many checks of one username at once as it
has failures left in the window, a few checks in all.

Counting a username's checks in flight against its failures left makes the failed-login limit
exact without recording anything before the check: an attempt is let through only while the
failures its predecessors committed, plus the checks still running (each may fail), stay under
the limit, so at most `login_max_failures` wrong passwords are ever checked per window. An
attempt that must wait is not refused: it waits for a running check to end and counts again, so
a correct password behind others is always checked, and correct logins of one account run side
by side instead of one after the other. The overall bound keeps a burst of logins from taking the
connection pool and the CPU from every other request (a login holds at most one connection, and
none while its password is checked). An attempt that cannot get its turn within `wait_seconds`
is refused with 429 and Retry-After instead of queueing forever.

The gate lives in the server process: `co2calc serve` runs one, and it is the only place
logins happen.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TypeVar

from app.core.errors import TooManyRequests

T = TypeVar("T")

# What an attempt reads before its check: how many failures its username has left in the window
# (the read itself refuses none left), and whatever the check needs (the account).
Reading = Callable[[], Awaitable[tuple[int, T]]]


@dataclass
class _Username:
    """The attempts of one username: how many wait or check, how many checks run, and an event
    set (then replaced) each time a check ends."""

    attempts: int = 0
    checking: int = 0
    ended: int = 0
    check_ended: asyncio.Event = field(default_factory=asyncio.Event)

    def end_check(self) -> None:
        self.checking -= 1
        self.ended += 1
        self.check_ended.set()
        self.check_ended = asyncio.Event()


class LoginGate:
    def __init__(self, *, concurrency: int, wait_seconds: float) -> None:
        if concurrency < 1 or wait_seconds <= 0:
            raise ValueError("a login gate needs concurrency >= 1 and wait_seconds > 0")
        self.wait_seconds = wait_seconds
        self._slots = asyncio.Semaphore(concurrency)
        self._usernames: dict[str, _Username] = {}

    @asynccontextmanager
    async def turn(self, username: str, read: Reading[T]) -> AsyncIterator[T]:
        """Hold an overall slot and a check of `username`, and give what `read` read;
        TooManyRequests when no turn comes within `wait_seconds` (or from `read` itself)."""
        entry = self._usernames.setdefault(username, _Username())
        entry.attempts += 1
        try:
            value = await self._admit(entry, read)
            try:
                yield value
            finally:
                entry.end_check()
                self._slots.release()
        finally:
            entry.attempts -= 1
            if entry.attempts == 0:
                del self._usernames[username]

    def pending(self) -> int:
        """Usernames with an attempt holding or waiting for a turn (0 when idle)."""
        return len(self._usernames)

    async def _admit(self, entry: _Username, read: Reading[T]) -> T:
        """Read under an overall slot until the username's failures left exceed its checks
        running; keep that slot for the check. Reading again after each check that ended makes
        sure the failures read include every check no longer counted as running."""
        try:
            async with asyncio.timeout(self.wait_seconds):
                while True:
                    ended, check_ended = entry.ended, entry.check_ended
                    await self._slots.acquire()
                    try:
                        failures_left, value = await read()
                    except BaseException:
                        self._slots.release()
                        raise
                    if entry.ended == ended and failures_left > entry.checking:
                        entry.checking += 1
                        return value
                    self._slots.release()
                    if entry.ended == ended:
                        await check_ended.wait()
        except TimeoutError:
            retry_after = max(1, math.ceil(self.wait_seconds))
            raise TooManyRequests(
                f"too many logins are being checked right now: try again in {retry_after} s",
                retry_after=retry_after,
            ) from None
