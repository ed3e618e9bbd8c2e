"""A finished recalculation job still says how it was asked for: its `meta.config` (year,
type or types, only_stale) stays beside the outcome, as the job answer of the API shows it.
Real runs through the app's inline runner, on both databases."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from api_fixtures import LoginAs
from factories import create_unit_with_factors
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.permissions import Role
from app.domain.ingestion import IngestionState
from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum

YEAR = 2025
PROCESS = int(ModuleTypeEnum.process_emissions)
PROCESS_TYPE = int(DataEntryTypeEnum.process_emissions)
RECALCULATE = "/api/v1/sync/recalculate-emissions"


@pytest.fixture
async def headers(
    login_as: LoginAs, session_factory: async_sessionmaker[AsyncSession]
) -> dict[str, str]:
    """A superadmin's headers, with a unit and factors of the year to recalculate."""
    async with session_factory() as session:
        await create_unit_with_factors(session, year=YEAR)
        await session.commit()
    return await login_as(Role.superadmin)


async def _finished_job(
    client: httpx.AsyncClient, headers: dict[str, str], job_id: int
) -> dict[str, Any]:
    for _ in range(400):
        job: dict[str, Any] = (
            await client.get(f"/api/v1/sync/jobs/{job_id}", headers=headers)
        ).json()
        if job["state"] == IngestionState.FINISHED:
            return job
        await asyncio.sleep(0.025)
    raise AssertionError(f"job {job_id} did not finish: {job}")


async def _run(client: httpx.AsyncClient, headers: dict[str, str], url: str) -> dict[str, Any]:
    response = await client.post(url, headers=headers)
    assert response.status_code == 202, response.text
    return await _finished_job(client, headers, response.json()["job_id"])


async def test_a_finished_module_job_keeps_its_config_beside_the_outcome(
    app_client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    job = await _run(app_client, headers, f"{RECALCULATE}/{PROCESS}?year={YEAR}&only_stale=false")

    assert job["result_name"] == "success", job
    assert job["meta"]["config"] == {
        "year": YEAR,
        "data_entry_type_ids": [PROCESS_TYPE],
        "only_stale": False,
    }
    assert set(job["meta"]) > {"config"}, "the outcome is merged in, not dropped"


async def test_a_finished_type_job_keeps_its_config(
    app_client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    job = await _run(app_client, headers, f"{RECALCULATE}/{PROCESS}/{PROCESS_TYPE}?year={YEAR}")

    assert job["meta"]["config"] == {"year": YEAR, "data_entry_type_id": PROCESS_TYPE}
    assert set(job["meta"]) > {"config"}
