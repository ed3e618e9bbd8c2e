"""Serializes every writer (factor import, data import, recalculation) of one (module, year).

PostgreSQL: a session-level advisory lock on a connection held for the job's duration (the
server releases it if the process dies). SQLite: the scope's `sync_scopes` row, taken by a
conditional update, which also holds across processes sharing the file. Both are polled, so
the waiting job can say what it waits for and keep its heartbeat.

It opens its own connections and commits them, beside the job's sessions: part of running a
job, not a service working inside a caller's transaction.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.core.logging import log_extra
from app.db import create_session_factory
from app.db_errors import is_connection_lost
from app.models import utcnow
from app.repositories.sync_scope_repo import ScopeLockRepository

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.25
# A lock row whose holder stopped refreshing it for this long is free to take.
STALE_LOCK_SECONDS = 60.0

OnWait = Callable[[], Awaitable[None]]
T = TypeVar("T")


class ScopeLockLostError(Exception):
    """The scope lock is no longer held: the job must not commit its data."""


class ScopeLock:
    def __init__(self, engine: AsyncEngine, module_type_id: int, year: int, job_id: int) -> None:
        self.engine = engine
        self.module_type_id = module_type_id
        self.year = year
        self.job_id = job_id
        self._session_factory: async_sessionmaker[AsyncSession] = create_session_factory(engine)
        self._is_postgres = engine.dialect.name == "postgresql"
        self._lock_session: AsyncSession | None = None

    @asynccontextmanager
    async def held(self, on_wait: OnWait) -> AsyncIterator[None]:
        """Wait for the scope (calling `on_wait()` at each failed attempt), then hold it."""
        if self._is_postgres:
            # The advisory lock belongs to one connection: the session is bound to it, since
            # an engine-bound session hands its connection back to the pool at each commit
            # (the lock would stay held in the pool, and be re-entered by whoever gets it).
            async with (
                self.engine.connect() as connection,
                AsyncSession(bind=connection, expire_on_commit=False) as lock_session,
            ):
                try:
                    await self._wait(lambda: self._try_advisory(lock_session), on_wait)
                    self._lock_session = lock_session
                    yield
                finally:
                    self._lock_session = None
                    await self._release_advisory(lock_session)
            return
        await self._wait(self._try_row, on_wait)
        try:
            yield
        finally:
            await self._run(
                lambda repo: repo.release_lock_row(self.module_type_id, self.year, self.job_id)
            )

    async def confirm(self) -> None:
        """Raise ScopeLockLostError unless the PostgreSQL lock is still held; call it right
        before the job commits. The lock goes with its connection, which the server may cut
        (restart, killed backend) while the job's data connection lives on; a job that went
        on would commit beside another writer of the scope. (SQLite's lock row is only taken
        from a holder whose heartbeat stopped.)"""
        if self._lock_session is None:
            return
        try:
            held = await ScopeLockRepository(self._lock_session).holds_advisory_lock(
                self.module_type_id, self.year
            )
            await self._lock_session.commit()
        except DBAPIError as error:
            if not is_connection_lost(error):
                raise
            await self._lock_session.rollback()  # the session is usable again, for the release
            held = False
        if not held:
            raise ScopeLockLostError(
                "the scope lock was lost (its database connection was cut); nothing was written"
            )

    async def refresh(self) -> None:
        """Keep a SQLite lock row fresh (PostgreSQL's lock needs nothing)."""
        if not self._is_postgres:
            await self._run(
                lambda repo: repo.refresh_lock_row(self.module_type_id, self.year, self.job_id)
            )

    async def _wait(self, attempt: Callable[[], Awaitable[bool]], on_wait: OnWait) -> None:
        while not await attempt():
            await on_wait()
            await asyncio.sleep(POLL_SECONDS)

    async def _try_advisory(self, lock_session: AsyncSession) -> bool:
        acquired = await ScopeLockRepository(lock_session).try_advisory_lock(
            self.module_type_id, self.year
        )
        await lock_session.commit()  # session-level lock: survives the commit, no idle txn
        return acquired

    async def _release_advisory(self, lock_session: AsyncSession) -> None:
        """Unlock; a lock connection the server cut (restart, killed backend) took its lock
        with it, so there is nothing left to release and the job's own end stands."""
        try:
            await ScopeLockRepository(lock_session).advisory_unlock(self.module_type_id, self.year)
            await lock_session.commit()
        except DBAPIError as error:
            if not is_connection_lost(error):
                raise
            logger.warning(
                "scope lock connection lost; the server released its lock",
                extra=log_extra(
                    "scope_lock.connection_lost",
                    job_id=self.job_id,
                    module_type_id=self.module_type_id,
                    year=self.year,
                    cause=str(error.orig).strip(),
                ),
            )

    async def _try_row(self) -> bool:
        stale_before = utcnow() - timedelta(seconds=STALE_LOCK_SECONDS)
        return await self._run(
            lambda repo: repo.try_lock_row(
                self.module_type_id, self.year, self.job_id, stale_before=stale_before
            )
        )

    async def _run(self, action: Callable[[ScopeLockRepository], Awaitable[T]]) -> T:
        async with self._session_factory() as session:
            outcome = await action(ScopeLockRepository(session))
            await session.commit()
            return outcome
