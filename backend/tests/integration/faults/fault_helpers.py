"""What the fault tests share: seeded data, a snapshot of every stored row, a job held at a
chosen statement while the fault is injected, and the job's end."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from factories import create_outdated_process_entries
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.models import DataIngestionJob

SessionFactory = async_sessionmaker[AsyncSession]
# The tables a failed job must leave exactly as they were.
DATA_TABLES = (
    "data_entries",
    "data_entry_emissions",
    "carbon_report_modules",
    "carbon_reports",
    "factors",
)
# Long enough for a loaded machine; only a job that never gets there waits this long.
REACH_SECONDS = 120
CH4_GWP = 28.0


async def seed_process_entries(factory: SessionFactory, quantities: list[float]) -> list[int]:
    """Entries a recalculation changes (see `create_outdated_process_entries`), committed."""
    async with factory() as session:
        ids = await create_outdated_process_entries(session, quantities)
        await session.commit()
        return ids


async def snapshot(factory: SessionFactory) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the data tables, in id order."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    async with factory() as session:
        for table in DATA_TABLES:
            result = await session.execute(text(f"SELECT * FROM {table} ORDER BY id"))
            rows[table] = [tuple(row) for row in result]
    return rows


async def emission_kg(factory: SessionFactory) -> list[float]:
    async with factory() as session:
        result = await session.execute(
            text("SELECT kg_co2eq FROM data_entry_emissions ORDER BY data_entry_id")
        )
        return [float(kg) for kg in result.scalars()]


async def job_row(factory: SessionFactory, job_id: int) -> DataIngestionJob:
    async with factory() as session:
        job = await session.get(DataIngestionJob, job_id)
        assert job is not None
        return job


class Hold:
    """A job held right after one call of a method: `reached` is set then, and the job goes on
    at `release`. `target` is the object the method was called on (its session is the job's
    data session for a repository of the data session)."""

    def __init__(self) -> None:
        self.reached = asyncio.Event()
        self.release = asyncio.Event()
        self.target: Any = None

    async def wait_reached(self) -> None:
        await asyncio.wait_for(self.reached.wait(), REACH_SECONDS)


def after_first_call(
    monkeypatch: pytest.MonkeyPatch,
    owner: type,
    name: str,
    action: Callable[[Any], Awaitable[None]],
) -> None:
    """Run `action(target)` once, when the first call of `owner.name` returned (the fault goes
    in at that point of the job); later calls run through."""
    original: Callable[..., Awaitable[Any]] = getattr(owner, name)
    pending = [action]

    @functools.wraps(original)
    async def injecting(self: Any, *args: Any, **kwargs: Any) -> Any:
        outcome = await original(self, *args, **kwargs)
        if pending:
            await pending.pop()(self)
        return outcome

    monkeypatch.setattr(owner, name, injecting)


@contextmanager
def hold_after(monkeypatch: pytest.MonkeyPatch, owner: type, name: str) -> Iterator[Hold]:
    """Hold the job when the first call of `owner.name` returned, until `release`."""
    hold = Hold()

    async def held(target: Any) -> None:
        hold.target = target
        hold.reached.set()
        await hold.release.wait()

    after_first_call(monkeypatch, owner, name, held)
    try:
        yield hold
    finally:
        hold.release.set()
