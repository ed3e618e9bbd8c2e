"""`co2calc recalc preview` as an operator runs it: the preview's figures as JSON and as
tables, the following `recalc run` writing exactly the previewed total, and a refusal (nothing
stale) exiting 3; both databases."""

from __future__ import annotations

import json
import math
import subprocess
from collections.abc import Callable

import pytest
from factories import create_outdated_process_entries
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.domain.ingestion import TargetType
from app.models import DataEntryEmission
from app.services.recalculation_jobs import NOTHING_STALE

# Every test here runs `co2calc` subprocesses: seconds each.
pytestmark = pytest.mark.slow

RunCli = Callable[..., subprocess.CompletedProcess[str]]
YEAR = "2025"
PROCESS = ("--module", "process_emissions", "--type", "process_emissions", "--year", YEAR)


async def test_preview_json_table_and_the_following_run(
    run_cli: RunCli, database_url: str, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session:
        await create_outdated_process_entries(session, [1.0, 2.0, 0.1])
        await session.commit()

    as_json = run_cli("recalc", "preview", *PROCESS, "--json", database_url=database_url)
    as_table = run_cli(
        "recalc", "preview", *PROCESS, "--wide", database_url=database_url, COLUMNS="160"
    )
    ran = run_cli("recalc", "run", *PROCESS, "--json", database_url=database_url)

    assert as_json.returncode == 0, as_json.stderr
    job = json.loads(as_json.stdout)
    assert job["target_type"] == TargetType.EMISSION_PREVIEW
    preview = job["meta"]["preview"]
    assert (preview["entries"], preview["changed"], preview["current_kg"]) == (3, 3, 3.0)
    assert preview["new_kg"] == math.fsum([28.0, 56.0, 0.1 * 28.0])
    assert as_table.returncode == 0, as_table.stderr
    assert "Recalculation preview, module 8, 2025" in as_table.stdout
    assert "50 process_emissions" in as_table.stdout
    assert "Largest changes, by unit" in as_table.stdout
    assert f"{preview['delta_kg']:+,.1f}" in as_table.stdout
    assert ran.returncode == 0, ran.stderr
    async with session_factory() as session:
        kg = (await session.scalars(select(DataEntryEmission.kg_co2eq))).all()
    assert math.fsum(kg) == preview["new_kg"]


async def test_a_module_preview_with_nothing_stale_is_refused(
    run_cli: RunCli, database_url: str
) -> None:
    result = run_cli(
        "recalc", "preview", "--module", "process_emissions", "--year", YEAR,
        database_url=database_url,
    )  # fmt: skip
    refused_json = run_cli(
        "recalc", "preview", "--module", "8", "--year", YEAR, "--json", database_url=database_url
    )

    assert result.returncode == 3
    assert NOTHING_STALE in result.stderr
    assert refused_json.returncode == 3
    assert json.loads(refused_json.stdout) == {"refused": NOTHING_STALE, "job_id": None}
