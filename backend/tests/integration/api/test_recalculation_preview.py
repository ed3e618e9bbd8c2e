"""Recalculation preview through the API, jobs run for real by the app's inline runner, on
both databases: what it reports, that it writes nothing but its own job, that the following
recalculation gives exactly the previewed totals, and that it neither waits for nor blocks a
recalculation of its scope.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

import httpx
import pytest
from api_fixtures import LoginAs
from factories import create_emission, create_entry, create_factor, create_job, create_module
from fastapi import FastAPI
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.core.permissions import Role
from app.domain.ingestion import IngestionResult, IngestionState, TargetType
from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum
from app.models import Base, DataEntry, DataEntryEmission, DataIngestionJob
from app.tasks.scope_lock import ScopeLock

YEAR = 2025
PROCESS_MODULE = int(ModuleTypeEnum.process_emissions)
PROCESS = int(DataEntryTypeEnum.process_emissions)
SessionFactory = async_sessionmaker[AsyncSession]


def preview_url(data_entry_type: int | None = PROCESS, **query: Any) -> str:
    path = f"/api/v1/sync/recalculation-preview/{PROCESS_MODULE}"
    if data_entry_type is not None:
        path += f"/{data_entry_type}"
    return f"{path}?" + "&".join(f"{k}={v}" for k, v in ({"year": YEAR} | query).items())


RECALCULATE_URL = f"/api/v1/sync/recalculate-emissions/{PROCESS_MODULE}/{PROCESS}?year={YEAR}"


@pytest.fixture
async def admin(login_as: LoginAs) -> dict[str, str]:
    return await login_as(Role.backoffice_metier)


async def run_job(
    client: httpx.AsyncClient, app: FastAPI, url: str, headers: dict[str, str]
) -> dict[str, Any]:
    """POST a job-creating URL, let the app's runner run it, answer the finished job."""
    response = await client.post(url, headers=headers)
    assert response.status_code == 202, response.text
    await app.state.runner.wait_idle()
    job = await client.get(f"/api/v1/sync/jobs/{response.json()['job_id']}", headers=headers)
    body: dict[str, Any] = job.json()
    assert body["state"] == IngestionState.FINISHED, body
    return body


async def seed(
    factory: SessionFactory, app: FastAPI, client: httpx.AsyncClient, admin: dict[str, str]
) -> dict[str, list[int]]:
    """Three units' process emissions, recalculated, then made out of date:
    A: ch4 1 and 2 kg, their rows set to 1 kg (change); B: ch4 10 kg (up to date) and an n2o
    entry (no factor) given a 5 kg row (would newly fail); C: ch4 3 kg, its rows removed
    (would stop failing). Returns the entry ids by unit letter."""
    ids: dict[str, list[int]] = {"A": [], "B": [], "C": []}
    async with factory() as session:
        await create_factor(session)
        for letter, entries in (
            ("A", [("ch4", 1.0), ("ch4", 2.0)]),
            ("B", [("ch4", 10.0), ("n2o", 4.0)]),
            ("C", [("ch4", 3.0)]),
        ):
            module = await create_module(session)
            for category, quantity in entries:
                entry = await create_entry(
                    session, module=module, data={"category": category, "quantity_kg": quantity}
                )
                ids[letter].append(entry.id)
        await session.commit()
    recalculated = await run_job(client, app, RECALCULATE_URL, admin)
    assert recalculated["result"] == IngestionResult.WARNING  # the n2o entry
    async with factory() as session:
        await session.execute(
            update(DataEntryEmission)
            .where(DataEntryEmission.data_entry_id.in_(ids["A"]))
            .values(kg_co2eq=1.0)
        )
        n2o = await session.get(DataEntry, ids["B"][1])
        assert n2o is not None
        await create_emission(session, entry=n2o, kg_co2eq=5.0)
        await session.execute(
            delete(DataEntryEmission).where(DataEntryEmission.data_entry_id.in_(ids["C"]))
        )
        await session.commit()
    return ids


async def table_checksums(engine: AsyncEngine, except_job: int | None = None) -> dict[str, str]:
    """A digest of every row of every table (ordered by primary key), the job `except_job`
    left out."""
    digests: dict[str, str] = {}
    async with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            statement = select(table).order_by(*table.primary_key.columns)
            if table.name == DataIngestionJob.__tablename__ and except_job is not None:
                statement = statement.where(table.c.id != except_job)
            rows = (await connection.execute(statement)).all()
            digests[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digests


async def read_status(client: httpx.AsyncClient, headers: dict[str, str]) -> Any:
    return (
        await client.get(f"/api/v1/sync/recalculation-status?year={YEAR}", headers=headers)
    ).json()


async def stored_kg(factory: SessionFactory) -> list[float]:
    async with factory() as session:
        return list((await session.scalars(select(DataEntryEmission.kg_co2eq))).all())


async def test_the_preview_reports_the_changes_and_writes_nothing_but_its_job(
    app_client: httpx.AsyncClient,
    app: FastAPI,
    admin: dict[str, str],
    session_factory: SessionFactory,
    engine: AsyncEngine,
) -> None:
    ids = await seed(session_factory, app, app_client, admin)
    status_before = await read_status(app_client, admin)
    before = await table_checksums(engine)

    job = await run_job(app_client, app, preview_url(), admin)

    assert await table_checksums(engine, except_job=job["id"]) == before
    assert await read_status(app_client, admin) == status_before
    assert (job["target_type"], job["result"], job["is_current"]) == (
        TargetType.EMISSION_PREVIEW,
        IngestionResult.SUCCESS,
        False,
    )
    preview = job["meta"]["preview"]
    (type_preview,) = preview["types"]
    figures = {
        "entries": 5,
        "changed": 4,
        "current_kg": 1 + 1 + 280 + 5,
        "new_kg": 28 + 56 + 280 + 84,
        "delta_kg": 161,
        "delta_pct": 161 / 287 * 100,
        "errors_after": 1,
        "newly_failing": 1,
        "stopped_failing": 1,
    }
    assert {key: preview[key] for key in figures} == figures
    assert {key: type_preview[key] for key in figures} == figures
    # C +84, A +82, B -5: by absolute delta.
    top = preview["top_units"]
    assert [unit["delta_kg"] for unit in top] == [84, 82, -5]
    assert [unit["entries"] for unit in top] == [1, 2, 2]
    assert top == type_preview["top_units"]
    (failing,) = type_preview["newly_failing_details"]
    assert failing["entry_id"] == ids["B"][1]
    assert failing["institutional_code"] == top[2]["institutional_code"]
    assert "n2o" in failing["reason"]
    assert job["status_message"].startswith("Preview: 5 data entries, 4 would change, +161.0")


async def test_the_following_recalculation_gives_exactly_the_previewed_totals(
    app_client: httpx.AsyncClient,
    app: FastAPI,
    admin: dict[str, str],
    session_factory: SessionFactory,
) -> None:
    await seed(session_factory, app, app_client, admin)
    # Amounts whose float sum depends on the order they are added in.
    async with session_factory() as session:
        module = await create_module(session)
        for quantity in (0.1, 1e-9, 3.3333333, 7e5, 0.7):
            await create_entry(
                session, module=module, data={"category": "ch4", "quantity_kg": quantity}
            )
        await session.commit()

    preview = (await run_job(app_client, app, preview_url(None, only_stale="false"), admin))[
        "meta"
    ]["preview"]
    recalculated = await run_job(app_client, app, RECALCULATE_URL, admin)

    assert math.fsum(await stored_kg(session_factory)) == preview["new_kg"]
    assert recalculated["meta"]["recalculation"]["errors"] == preview["errors_after"]
    again = (await run_job(app_client, app, preview_url(), admin))["meta"]["preview"]
    assert again["current_kg"] == preview["new_kg"]
    assert (again["changed"], again["delta_kg"], again["newly_failing"]) == (0, 0, 0)
    assert again["top_units"] == []


async def test_a_preview_runs_while_a_recalculation_holds_the_scope_and_blocks_none(
    app_client: httpx.AsyncClient,
    app: FastAPI,
    admin: dict[str, str],
    session_factory: SessionFactory,
    engine: AsyncEngine,
) -> None:
    await seed(session_factory, app, app_client, admin)
    async with session_factory() as session:
        holder = await create_job(session, state=IngestionState.RUNNING)
        await session.commit()

    async def never_wait() -> None:
        raise AssertionError("the scope is free")

    async with ScopeLock(engine, PROCESS_MODULE, YEAR, holder.id).held(never_wait):
        job = await run_job(app_client, app, preview_url(), admin)
        assert job["result"] == IngestionResult.SUCCESS
        assert job["meta"]["preview"]["changed"] == 4

    async with session_factory() as session:
        await session.execute(
            update(DataIngestionJob)
            .where(DataIngestionJob.id == holder.id)
            .values(state=IngestionState.FINISHED, result=IngestionResult.ERROR)
        )
        running_preview = await create_job(
            session, target_type=TargetType.EMISSION_PREVIEW, state=IngestionState.RUNNING
        )
        await session.commit()
    recalculated = await run_job(app_client, app, RECALCULATE_URL, admin)
    assert recalculated["result"] == IngestionResult.WARNING
    async with session_factory() as session:
        still = await session.get(DataIngestionJob, running_preview.id)
        assert still is not None
        assert still.state == IngestionState.RUNNING


@pytest.mark.parametrize("url", [preview_url(), preview_url(None, only_stale="false")])
async def test_a_viewer_cannot_start_a_preview(
    app_client: httpx.AsyncClient, login_as: LoginAs, session_factory: SessionFactory, url: str
) -> None:
    viewer = await login_as(Role.backoffice_viewer)

    response = await app_client.post(url, headers=viewer)

    assert response.status_code == 403
    assert "sync" in response.json()["detail"]
    async with session_factory() as session:
        assert (await session.scalars(select(DataIngestionJob))).all() == []


async def test_bad_requests_create_no_preview(
    app_client: httpx.AsyncClient, admin: dict[str, str], session_factory: SessionFactory
) -> None:
    nothing_stale = await app_client.post(preview_url(None), headers=admin)
    other_module_type = await app_client.post(
        preview_url(int(DataEntryTypeEnum.plane)), headers=admin
    )
    no_year = await app_client.post(preview_url().split("?")[0], headers=admin)

    assert nothing_stale.status_code == 400
    assert "No data entry types require recalculation" in nothing_stale.json()["detail"]
    assert other_module_type.status_code == 404
    assert other_module_type.json()["valid_values"] == [PROCESS]
    assert no_year.status_code == 400
    async with session_factory() as session:
        assert (await session.scalars(select(DataIngestionJob))).all() == []
