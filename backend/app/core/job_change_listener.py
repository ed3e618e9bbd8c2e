"""PostgreSQL: one connection per process listens to the job rows' change notifications and
wakes the streams of the changed job (app.core.job_changes), so a stream follows a job run by
any process (a worker on another machine) as soon as it commits a change, without a
connection per stream. The notifications come from a trigger on the job table (migration
0007). A lost connection is opened again; meanwhile the streams keep polling."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import psycopg

from app.core import job_changes
from app.core.logging import log_extra

logger = logging.getLogger(__name__)

CHANNEL = "co2calc_job_changes"
RECONNECT_SECONDS = 1.0


class JobChangeListener:
    def __init__(self, conninfo: str) -> None:
        self._conninfo = conninfo
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._listen_forever(), name="job-change-listener")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _listen_forever(self) -> None:
        while True:
            try:
                await self._listen()
            except psycopg.Error as error:
                logger.warning(
                    "job change listener lost its connection; streams poll meanwhile: %s",
                    str(error).strip(),
                    extra=log_extra("job_changes.listener_lost"),
                )
                await asyncio.sleep(RECONNECT_SECONDS)

    async def _listen(self) -> None:
        async with await psycopg.AsyncConnection.connect(
            self._conninfo, autocommit=True
        ) as connection:
            await connection.execute(f"LISTEN {CHANNEL}")
            async for notification in connection.notifies():
                if notification.payload.isdigit():
                    job_changes.notify(int(notification.payload))
