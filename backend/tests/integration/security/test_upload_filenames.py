"""An upload's client-given file name is only a label, never a path, on SQLite and PostgreSQL:
names that climb out of the working directory, absolute names and Windows-style names are
accepted as labels, the import reads the uploaded bytes (it succeeds), and no file of that
name appears anywhere, neither where the name points nor under the working directory."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from api_fixtures import LoginAs
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.permissions import Role
from app.domain.ingestion import IngestionResult
from app.models import DataIngestionJob

FACTORS = b"category,subcategory,gwp_kg_co2eq_per_kg\nch4,,28\nco2,,1\n"


def _files_named(root: Path, name: str) -> list[Path]:
    return [path for path in root.rglob("*") if name in path.name]


@pytest.mark.parametrize("kind", ["climbing", "absolute", "windows"])
async def test_a_hostile_file_name_is_a_label_and_writes_no_file(
    kind: str,
    app: FastAPI,
    app_client: httpx.AsyncClient,
    login_as: LoginAs,
    session_factory: async_sessionmaker[AsyncSession],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    workdir = tmp_path / "served" / "from"
    workdir.mkdir(parents=True)
    monkeypatch.chdir(workdir)
    target = tmp_path / f"escaped-{kind}.csv"
    name = {
        "climbing": f"../../{target.name}",
        "absolute": str(target),
        "windows": f"..\\..\\{target.name}",
    }[kind]
    headers = await login_as(Role.backoffice_metier)

    response = await app_client.post(
        "/api/v1/sync/factors/8?year=2025&data_entry_type_id=50",
        files={"file": (name, FACTORS, "text/csv")},
        headers=headers,
    )

    assert response.status_code == 202, response.text
    await app.state.runner.wait_idle()
    async with session_factory() as session:
        job = await session.get(DataIngestionJob, response.json()["job_id"])
    assert job is not None
    assert job.result == IngestionResult.SUCCESS, job.status_message
    assert job.meta["inserted"] == 2
    assert _files_named(tmp_path, target.name) == []
