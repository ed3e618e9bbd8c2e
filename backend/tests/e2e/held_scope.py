"""A scope held by a running job of the test process, as a job of another process would hold
it: a `co2calc serve` subprocess's job of that scope waits (QUEUED) until the block ends."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import live_server
from factories import create_factor_job
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from app.domain.modules import ModuleTypeEnum
from app.models import utcnow
from app.tasks.context import worker_id
from app.tasks.job_handle import JobHandle
from app.tasks.scope_lock import ScopeLock

YEAR = 2025


async def answering(base_url: str, server: subprocess.Popen[str]) -> None:
    # In a thread, so this process's own job keeps its heartbeat while the server starts.
    await asyncio.to_thread(live_server.wait_until_answering, f"{base_url}/api/v1/health", server)


@asynccontextmanager
async def scope_held(engine: AsyncEngine, module_type: ModuleTypeEnum) -> AsyncIterator[int]:
    """A running job of this process holding (module, YEAR), with its heartbeat and lock,
    until the block ends; yields its id."""
    session_factory = async_sessionmaker(engine, expire_on_commit=False)
    async with session_factory() as session:
        holder = await create_factor_job(
            session, module_type_id=int(module_type), worker_id=worker_id(), heartbeat_at=utcnow()
        )
        await session.commit()
    handle = JobHandle(session_factory, holder.id, worker_id())
    lock = ScopeLock(engine, int(module_type), YEAR, holder.id)

    async def already_held() -> None:
        raise AssertionError("the test's scope is already held")

    async with lock.held(already_held):
        assert await handle.claim()
        async with handle.heartbeat(also=lock.refresh):
            yield holder.id
        await handle.finish_error("the test released the scope")
