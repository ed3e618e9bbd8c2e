"""Parallel writers of one module's and report's stats, through a real uvicorn on both
databases: afterwards every module's and report's stats equal the sums of their rows.

Each writer serializes on the report's stats before it reads the sums; without that, two
writers each read the sums without the other's uncommitted change and the last commit wins.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from api_fixtures import TEST_PASSWORD, TEST_SECRET_KEY, CreateUser
from factories import create_unit
from live_server import LiveServer, bearer_headers, live_server, wait_until
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from stats_audit import committed_stats_mismatches

from app.core.permissions import Role
from app.core.settings import Settings
from app.domain.ingestion import IngestionResult, IngestionState
from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum, module_of

pytestmark = pytest.mark.slow

YEAR = 2025
PROCESS = DataEntryTypeEnum.process_emissions
AI = DataEntryTypeEnum.external_ai
SessionFactory = async_sessionmaker[AsyncSession]


@pytest.fixture
def server(database_url: str) -> Iterator[LiveServer]:
    settings = Settings(database_url=database_url, secret_key=TEST_SECRET_KEY)
    with live_server(settings) as running:
        yield running


@pytest.fixture
async def api(server: LiveServer, create_user: CreateUser) -> AsyncIterator[httpx.AsyncClient]:
    user = await create_user(Role.superadmin)
    headers = await bearer_headers(server.base_url, user.username, TEST_PASSWORD)
    async with httpx.AsyncClient(
        base_url=f"{server.base_url}/api/v1", headers=headers, timeout=120
    ) as client:
        yield client


@pytest.fixture
async def unit_code(api: httpx.AsyncClient, session_factory: SessionFactory) -> str:
    """A unit; the factors of process emissions and AI assistants, imported as files."""
    await _import_factors(api, PROCESS, "category,subcategory,gwp_kg_co2eq_per_kg\nch4,,28\n")
    await _import_factors(api, AI, "provider,usage_type,ef_g_co2eq_per_request\nopenai,chat,4\n")
    return await _new_unit(session_factory)


async def _create(api: httpx.AsyncClient, code: str, quantity: float) -> dict[str, Any]:
    response = await api.post(
        "/data-entries",
        json={
            "unit_institutional_code": code,
            "year": YEAR,
            "data_entry_type_id": int(PROCESS),
            "data": {"category": "ch4", "quantity_kg": quantity},
        },
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_parallel_patches_of_two_entries_of_one_module_keep_the_stats(
    api: httpx.AsyncClient, unit_code: str, session_factory: SessionFactory
) -> None:
    first = await _create(api, unit_code, 1.0)
    second = await _create(api, unit_code, 1.0)
    for round_ in range(1, 6):
        answers = await asyncio.gather(
            *(
                api.patch(
                    f"/data-entries/{entry['id']}",
                    json={"data": {"quantity_kg": float(round_ * 10 + offset)}},
                )
                for offset, entry in enumerate((first, second))
            )
        )
        assert [answer.status_code for answer in answers] == [200, 200], answers[0].text
        assert await committed_stats_mismatches(session_factory) == [], f"round {round_}"


async def test_twenty_parallel_creates_into_one_module_keep_the_stats(
    api: httpx.AsyncClient, unit_code: str, session_factory: SessionFactory
) -> None:
    await _create(api, unit_code, 1.0)  # the report exists: every create writes one module
    created = await asyncio.gather(*(_create(api, unit_code, 1.0 + n) for n in range(20)))
    assert len({entry["id"] for entry in created}) == 20
    assert await committed_stats_mismatches(session_factory) == []
    reports = await api.get("/carbon-reports", params={"year": YEAR})
    (report,) = reports.json()["items"]
    assert report["stats"]["entry_count"] == 21


async def _finished(api: httpx.AsyncClient, job_id: int) -> bool:
    job = (await api.get(f"/sync/jobs/{job_id}")).json()
    return bool(job["state"] == IngestionState.FINISHED)


async def _import_factors(
    api: httpx.AsyncClient, data_entry_type: DataEntryTypeEnum, text: str
) -> None:
    response = await api.post(
        f"/sync/factors/{int(module_of(data_entry_type))}",
        params={"year": YEAR, "data_entry_type_id": int(data_entry_type)},
        files={"file": ("factors.csv", text.encode(), "text/csv")},
    )
    assert response.status_code == 202, response.text
    job_id = response.json()["job_id"]
    await wait_until(lambda: _finished(api, job_id), 120)
    job = (await api.get(f"/sync/jobs/{job_id}")).json()
    assert job["result"] == IngestionResult.SUCCESS, job


def _ai_entry(code: str, users: int) -> dict[str, Any]:
    return {
        "unit_institutional_code": code,
        "year": YEAR,
        "data_entry_type_id": int(AI),
        "data": {
            "provider": "openai",
            "usage_type": "chat",
            "requests_per_user_per_day": "1-5",
            "user_count": users,
        },
    }


async def test_two_module_recalculations_with_edits_keep_the_report_stats(
    api: httpx.AsyncClient, unit_code: str, session_factory: SessionFactory
) -> None:
    """Process emissions and AI assistants of the same reports, recalculated at once after
    factor changes, while entries of both modules are edited."""
    process_ids, ai_ids = [], []
    for code in (unit_code, await _new_unit(session_factory)):
        for n in range(1, 11):
            process_ids.append((await _create(api, code, float(n)))["id"])
            answer = await api.post("/data-entries", json=_ai_entry(code, n))
            assert answer.status_code == 201, answer.text
            ai_ids.append(answer.json()["id"])
    await _import_factors(api, PROCESS, "category,subcategory,gwp_kg_co2eq_per_kg\nch4,,30\n")
    await _import_factors(api, AI, "provider,usage_type,ef_g_co2eq_per_request\nopenai,chat,5\n")
    answers = await asyncio.gather(
        *(
            api.post(
                f"/sync/recalculate-emissions/{int(module)}",
                params={"year": YEAR, "only_stale": "false"},
            )
            for module in (ModuleTypeEnum.process_emissions, ModuleTypeEnum.external_cloud_and_ai)
        ),
        *(
            api.patch(f"/data-entries/{entry_id}", json={"data": {"quantity_kg": 99.0}})
            for entry_id in process_ids[::4]
        ),
        *(
            api.patch(f"/data-entries/{entry_id}", json={"data": {"user_count": 99}})
            for entry_id in ai_ids[::4]
        ),
    )
    assert [answer.status_code for answer in answers[:2]] == [202, 202], answers[0].text
    assert {answer.status_code for answer in answers[2:]} == {200}
    for answer in answers[:2]:
        job_id = answer.json()["job_id"]
        await wait_until(lambda job_id=job_id: _finished(api, job_id), 120)
    assert await committed_stats_mismatches(session_factory) == []


async def _new_unit(session_factory: SessionFactory) -> str:
    async with session_factory() as session:
        unit = await create_unit(session)
        await session.commit()
        return unit.institutional_code
