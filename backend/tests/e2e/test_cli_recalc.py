"""`co2calc recalc` as an operator runs it, against a database another process (here: the
test, standing in for a server) also writes: the one-active-recalculation rule holds across
processes, refusals exit 3 with the reason and the active job id."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable

import httpx
import pytest
from api_fixtures import LoginAs
from factories import create_entry, create_factor, create_job, create_module
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.permissions import Role
from app.domain.ingestion import IngestionMethod, IngestionResult, IngestionState, TargetType
from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum
from app.models import utcnow
from app.repositories.sync_scope_repo import ScopeLockRepository
from app.services.recalculation_jobs import NOTHING_STALE, RecalculationJobService
from app.tasks.context import worker_id

# Every test here runs `co2calc` subprocesses: seconds each.
pytestmark = pytest.mark.slow

RunCli = Callable[..., subprocess.CompletedProcess[str]]

YEAR = 2025
TRAVEL = ModuleTypeEnum.professional_travel
PLANE = DataEntryTypeEnum.plane


async def add_factor_job(session_factory: async_sessionmaker[AsyncSession]) -> int:
    async with session_factory() as session:
        job = await create_job(
            session,
            module_type_id=int(TRAVEL),
            data_entry_type_id=None,
            ingestion_method=int(IngestionMethod.csv),
            target_type=int(TargetType.FACTORS),
            state=int(IngestionState.FINISHED),
            result=int(IngestionResult.SUCCESS),
            finished_at=utcnow(),
            factor_sequence=1,
        )
        await session.commit()
        return job.id


async def test_status_json_and_table(
    run_cli: RunCli, database_url: str, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    empty = run_cli("recalc", "status", "--year", str(YEAR), "--json", database_url=database_url)
    assert empty.returncode == 0, empty.stderr
    assert json.loads(empty.stdout) == []

    factor_job = await add_factor_job(session_factory)
    listed = run_cli("recalc", "status", "--year", str(YEAR), "--json", database_url=database_url)
    (travel,) = json.loads(listed.stdout)
    assert (travel["module_type_id"], travel["module_type_name"]) == (TRAVEL, "professional_travel")
    assert travel["needs_recalculation"] is True
    assert [t["data_entry_type_id"] for t in travel["data_entry_types"]] == [20, 21]
    assert {t["last_factor_job_id"] for t in travel["data_entry_types"]} == {factor_job}

    table = run_cli("recalc", "status", "--year", str(YEAR), database_url=database_url)
    assert table.returncode == 0, table.stderr
    assert "needs recalculation" in table.stdout
    assert "no factors" in table.stdout
    assert f"#{factor_job} SUCCESS" in table.stdout


async def test_status_json_is_the_api_answer(
    run_cli: RunCli,
    database_url: str,
    session_factory: async_sessionmaker[AsyncSession],
    app_client: httpx.AsyncClient,
    login_as: LoginAs,
) -> None:
    await add_factor_job(session_factory)
    async with session_factory() as session:  # train recalculated: both timestamps are set
        await create_job(
            session,
            module_type_id=int(TRAVEL),
            data_entry_type_id=int(DataEntryTypeEnum.train),
            state=int(IngestionState.FINISHED),
            result=int(IngestionResult.WARNING),
            finished_at=utcnow(),
            factor_sequence=1,
        )
        await session.commit()

    printed = run_cli("recalc", "status", "--year", str(YEAR), "--json", database_url=database_url)
    answered = await app_client.get(
        f"/api/v1/sync/recalculation-status?year={YEAR}",
        headers=await login_as(Role.backoffice_viewer),
    )

    assert printed.returncode == 0, printed.stderr
    assert answered.status_code == 200
    assert json.loads(printed.stdout) == answered.json()
    (travel,) = answered.json()
    assert [t["needs_recalculation"] for t in travel["data_entry_types"]] == [True, False]


async def test_run_refuses_when_nothing_is_stale(run_cli: RunCli, database_url: str) -> None:
    result = run_cli(
        "recalc", "run", "--module", "professional_travel", "--year", str(YEAR),
        database_url=database_url,
    )  # fmt: skip
    assert result.returncode == 3
    assert NOTHING_STALE in result.stderr


@pytest.mark.parametrize(
    "cli_args",
    [
        ("--module", "2", "--type", "plane"),
        ("--module", "professional_travel", "--all"),
        ("--module", "professional_travel"),
    ],
    ids=["type", "module-all", "module-stale"],
)
async def test_run_refuses_while_another_process_recalculates_the_scope(
    run_cli: RunCli,
    database_url: str,
    session_factory: async_sessionmaker[AsyncSession],
    cli_args: tuple[str, ...],
) -> None:
    await add_factor_job(session_factory)
    async with session_factory() as session:  # as the server does for a POST
        active = await RecalculationJobService(session).create_type_job(
            TRAVEL, PLANE, YEAR, requested_by="server-user", worker_id=worker_id()
        )
        await session.commit()

    result = run_cli("recalc", "run", *cli_args, "--year", str(YEAR), database_url=database_url)

    assert result.returncode == 3, result.stdout + result.stderr
    assert "Refused" in result.stderr
    assert f"Active job: {active.job_id}" in result.stderr
    as_json = run_cli(
        "recalc", "run", *cli_args, "--year", str(YEAR), "--json", database_url=database_url
    )
    assert as_json.returncode == 3
    assert json.loads(as_json.stdout)["job_id"] == active.job_id


def test_bad_module_or_type_is_a_usage_error(run_cli: RunCli) -> None:
    unknown = run_cli("recalc", "run", "--module", "travel", "--year", "2025")
    assert unknown.returncode == 2
    assert "professional_travel" in unknown.stderr
    misplaced = run_cli("recalc", "run", "--module", "2", "--type", "50", "--year", "2025")
    assert misplaced.returncode == 2
    assert "plane" in misplaced.stderr


async def test_run_recalculates_in_process_with_exit_code_by_result(
    run_cli: RunCli, database_url: str, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    pytest.importorskip("app.tasks.emission_recalculation_tasks")
    async with session_factory() as session:
        module = await create_module(session, ModuleTypeEnum.process_emissions, year=YEAR)
        entries = [await create_entry(session, module=module) for _ in range(3)]
        await create_factor(session, year=YEAR)
        # As a factor import does under the scope lock: the scope's sequence and the job's.
        sequence = await ScopeLockRepository(session).take_next_factor_sequence(
            int(ModuleTypeEnum.process_emissions), YEAR
        )
        await create_job(
            session,
            module_type_id=int(ModuleTypeEnum.process_emissions),
            data_entry_type_id=None,
            ingestion_method=int(IngestionMethod.csv),
            target_type=int(TargetType.FACTORS),
            state=int(IngestionState.FINISHED),
            result=int(IngestionResult.SUCCESS),
            factor_sequence=sequence,
        )
        await session.commit()
    args = ("recalc", "run", "--module", "process_emissions", "--year", str(YEAR))

    done = run_cli(*args, "--json", database_url=database_url)
    assert done.returncode == 0, done.stdout + done.stderr
    job = json.loads(done.stdout)
    assert (job["state"], job["result"]) == (3, 0)
    assert (job["state_name"], job["result_name"]) == ("finished", "success")
    assert [child["result"] for child in job["children"]] == [0]
    assert run_cli(*args, database_url=database_url).returncode == 3  # nothing stale now

    async with session_factory() as session:  # one entry the calculator cannot read
        broken = await session.get(type(entries[0]), entries[0].id)
        assert broken is not None
        broken.data = {"category": "ch4", "quantity_kg": "lots"}
        await session.commit()
    warned = run_cli(*args, "--all", database_url=database_url)
    assert warned.returncode == 1, warned.stdout + warned.stderr
    assert "WARNING" in warned.stdout
