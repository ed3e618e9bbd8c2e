"""`co2calc jobs list/show` as an operator runs them: the history the API serves, as tables
or as the API's own JSON, on a database the test (standing in for a server) filled."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from api_fixtures import LoginAs
from factories import create_factor_job, create_module_recalculation_job
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.permissions import Role
from app.domain.ingestion import IngestionResult, IngestionState
from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum
from app.models import utcnow

# Every test here runs `co2calc` subprocesses: seconds each.
pytestmark = pytest.mark.slow

RunCli = Callable[..., subprocess.CompletedProcess[str]]

TRAVEL = ModuleTypeEnum.professional_travel
TYPES = [DataEntryTypeEnum.plane, DataEntryTypeEnum.train]


@dataclass(frozen=True)
class History:
    factor_job: int
    module_job: int
    children: list[int]


async def _history(session_factory: async_sessionmaker[AsyncSession]) -> History:
    """A finished factor import, then a running module recalculation with its per-type rows."""
    async with session_factory() as session:
        factor = await create_factor_job(
            session,
            module_type_id=int(TRAVEL),
            data_entry_type_id=int(DataEntryTypeEnum.plane),
            state=int(IngestionState.FINISHED),
            result=int(IngestionResult.SUCCESS),
            status_message="16 factors imported",
            finished_at=utcnow(),
            requested_by="cli:ana",
            meta={"rows": 16, "inserted": 16},
        )
        # The running job's worker is alive for the whole test: the app's sweep ends a RUNNING
        # job silent for a minute, and a loaded machine can take that long between this
        # fixture and the test's last read.
        parent, children = await create_module_recalculation_job(
            session,
            TRAVEL,
            TYPES,
            state=int(IngestionState.RUNNING),
            requested_by="api:bea",
            heartbeat_at=utcnow() + timedelta(hours=1),
        )
        await session.commit()
        return History(factor.id, parent.id, [children[int(t)].id for t in TYPES])


async def test_list_table_puts_per_type_rows_under_their_module_job(
    run_cli: RunCli, database_url: str, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    history = await _history(session_factory)

    result = run_cli("jobs", "list", database_url=database_url)

    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("│")]
    assert [row.split("│")[1].strip() for row in rows] == [
        str(history.module_job),
        *(f"└ {child}" for child in history.children),
        str(history.factor_job),
    ]
    module_row, plane_row, train_row, factor_row = rows
    for fragment in ("(all)", "RUNNING", "api:bea"):
        assert fragment in module_row
    assert "plane" in plane_row
    assert "train" in train_row
    for fragment in ("plane", "factors", "csv", "FINISHED", "SUCCESS", "16 factors imported"):
        assert fragment in factor_row
    assert "cli:ana" in factor_row


async def test_list_filters(
    run_cli: RunCli, database_url: str, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    history = await _history(session_factory)

    def ids(*options: str) -> list[int]:
        result = run_cli("jobs", "list", "--json", *options, database_url=database_url)
        assert result.returncode == 0, result.stderr
        return [item["id"] for item in json.loads(result.stdout)["items"]]

    assert ids("--target", "factors") == [history.factor_job]
    assert ids("--target", "data-entries", "--state", "running") == [history.module_job]
    assert ids("--state", "finished", "--module", "professional_travel", "--year", "2025") == [
        history.factor_job
    ]
    assert ids("--year", "2024") == []
    assert ids("--limit", "1") == [history.module_job]

    refused = run_cli("jobs", "list", "--module", "nope", database_url=database_url)
    assert refused.returncode == 2
    assert "unknown module type" in refused.stderr


async def test_json_is_the_api_body(
    run_cli: RunCli,
    database_url: str,
    session_factory: async_sessionmaker[AsyncSession],
    app_client: httpx.AsyncClient,
    login_as: LoginAs,
) -> None:
    history = await _history(session_factory)
    headers = await login_as(Role.backoffice_viewer)

    listed = run_cli("jobs", "list", "--json", database_url=database_url)
    shown = run_cli("jobs", "show", str(history.module_job), "--json", database_url=database_url)

    assert listed.returncode == 0, listed.stderr
    assert shown.returncode == 0, shown.stderr
    api_list = await app_client.get("/api/v1/sync/jobs", headers=headers)
    api_job = await app_client.get(f"/api/v1/sync/jobs/{history.module_job}", headers=headers)
    assert json.loads(listed.stdout) == api_list.json()
    assert json.loads(shown.stdout) == api_job.json()
    assert [child["id"] for child in json.loads(shown.stdout)["children"]] == history.children
    assert json.loads(shown.stdout)["state_name"] == "running"


async def test_show_prints_every_column_meta_and_children(
    run_cli: RunCli, database_url: str, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    history = await _history(session_factory)

    factor = run_cli("jobs", "show", str(history.factor_job), database_url=database_url)
    module = run_cli("jobs", "show", str(history.module_job), database_url=database_url)

    assert factor.returncode == 0, factor.stderr
    for fragment in ("status_message", "16 factors imported", "1 FACTORS", "0 SUCCESS"):
        assert fragment in factor.stdout
    assert '"inserted": 16' in factor.stdout
    assert "Per-type rows" not in factor.stdout
    assert module.returncode == 0, module.stderr
    assert "Per-type rows" in module.stdout
    assert all(str(child) in module.stdout for child in history.children)


def test_unknown_job_exits_3_with_the_reason(run_cli: RunCli) -> None:
    assert run_cli("db", "upgrade").returncode == 0

    for args in (("jobs", "show", "999"), ("jobs", "show", "999", "--json")):
        result = run_cli(*args)
        assert result.returncode == 3  # refused
        assert "job 999 does not exist" in result.stderr
        assert result.stdout == ""
