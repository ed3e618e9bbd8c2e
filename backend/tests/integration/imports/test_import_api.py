"""POST /sync/factors and /sync/data-entries over HTTP: 202 and the job, or a clear refusal
with no job created and nothing written."""

from __future__ import annotations

import asyncio
import codecs
from typing import Any

import httpx
import pytest
from factories import create_unit
from fastapi import FastAPI
from import_helpers import PROCESS_FACTORS, Snapshot, csv_bytes
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.permissions import Role
from app.core.settings import Settings
from app.domain.ingestion import IngestionResult, IngestionState, TargetType
from app.models import DataIngestionJob, JobUpload, JobUploadChunk
from app.repositories import job_upload_repo
from app.services.ingestion import csv_reading
from app.services.ingestion.factor_import import FactorImportService

FACTORS = "/api/v1/sync/factors"
DATA = "/api/v1/sync/data-entries"


@pytest.fixture
def app_settings(database_url: str) -> Settings:
    """A 1 MB upload limit, so the 413 test needs only a small file."""
    return Settings(database_url=database_url, max_upload_mb=1)


@pytest.fixture
async def headers(login_as) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return await login_as(Role.backoffice_metier)


def upload(content: bytes, name: str = "factors.csv") -> dict[str, tuple[str, bytes, str]]:
    return {"file": (name, content, "text/csv")}


async def _job_count(db: AsyncSession) -> int:
    return int((await db.execute(select(func.count()).select_from(DataIngestionJob))).scalar_one())


async def _nothing_stored(db: AsyncSession) -> bool:
    """No job, and no file nor any chunk of one."""
    counts = [
        (await db.execute(select(func.count()).select_from(model))).scalar_one()
        for model in (DataIngestionJob, JobUpload, JobUploadChunk)
    ]
    return counts == [0, 0, 0]


async def _finished(app: FastAPI, db: AsyncSession, job_id: int) -> DataIngestionJob:
    await app.state.runner.wait_idle()
    db.expire_all()
    job = await db.get(DataIngestionJob, job_id)
    assert job is not None
    return job


async def test_factor_then_data_import(
    app: FastAPI, app_client: httpx.AsyncClient, headers: dict[str, str], db: AsyncSession
) -> None:
    response = await app_client.post(
        f"{FACTORS}/8?year=2025&data_entry_type_id=50",
        files=upload(PROCESS_FACTORS.encode()),
        headers=headers,
    )
    assert response.status_code == 202, response.text
    body = response.json()
    assert set(body) == {"job_id", "state", "state_name", "message"}
    assert (body["state"], body["state_name"]) == (IngestionState.NOT_STARTED, "not_started")
    job = await _finished(app, db, body["job_id"])
    assert (job.state, job.result) == (IngestionState.FINISHED, IngestionResult.SUCCESS)
    assert (job.target_type, job.ingestion_method, job.entity_type) == (1, 1, 2)
    assert (job.requested_by or "").startswith("user")
    assert job.meta["inserted"] == 4
    assert job.meta["file_name"] == "factors.csv"
    assert job.factor_sequence == 1

    await create_unit(db, institutional_code="U1")
    await db.commit()
    response = await app_client.post(
        f"{DATA}/8?year=2025&data_entry_type_id=50&mode=replace",
        files=upload(csv_bytes("unit_institutional_code,category,quantity_kg", "U1,ch4,2")),
        headers=headers,
    )
    assert response.status_code == 202, response.text
    job = await _finished(app, db, response.json()["job_id"])
    assert job.result == IngestionResult.SUCCESS, job.status_message
    assert (job.target_type, job.meta["mode"], job.meta["inserted"]) == (0, "replace", 1)


BAD_REQUESTS = [
    pytest.param(f"{FACTORS}/8", PROCESS_FACTORS.encode(), 400, "year is required", id="no-year"),
    pytest.param(
        f"{FACTORS}/8?year=20x5",
        PROCESS_FACTORS.encode(),
        400,
        "year must be an integer",
        id="bad-year",
    ),
    pytest.param(
        f"{FACTORS}/8?year=1999", PROCESS_FACTORS.encode(), 400, "out of range", id="old-year"
    ),
    pytest.param(
        f"{FACTORS}/99?year=2025",
        PROCESS_FACTORS.encode(),
        404,
        "unknown module_type_id '99'; valid values: 1 (headcount)",
        id="unknown-module",
    ),
    pytest.param(
        f"{DATA}/8?year=2025&data_entry_type_id=20",
        b"x",
        400,
        "data_entry_type_id 20 (plane) belongs to module 2",
        id="type-outside-module",
    ),
    pytest.param(
        f"{DATA}/8?year=2025&data_entry_type_id=999",
        b"x",
        400,
        "unknown data_entry_type_id '999'",
        id="unknown-type",
    ),
    pytest.param(
        f"{DATA}/8?year=2025&mode=merge",
        b"x",
        400,
        "mode 'merge' is not valid; valid values: append, replace",
        id="bad-mode",
    ),
    pytest.param(
        f"{FACTORS}/8?year=2025&data_entry_type_id=50", b"", 422, "the file is empty", id="empty"
    ),
    pytest.param(
        f"{FACTORS}/8?year=2025&data_entry_type_id=50",
        b"  \n\n",
        422,
        "the file is empty",
        id="blank",
    ),
    pytest.param(
        f"{FACTORS}/8?year=2025&data_entry_type_id=50",
        "category,subcategory,gwp_kg_co2eq_per_kg\nch4,,28\nco2,caf\xe9,1\n".encode("latin-1"),
        422,
        "the file is not UTF-8 text (byte 0xe9 on line 3)",
        id="latin-1",
    ),
    pytest.param(
        f"{FACTORS}/8?year=2025&data_entry_type_id=50",
        b"%PDF-1.4\x00\x01\x02",
        422,
        "the file is binary, not CSV text",
        id="binary",
    ),
    pytest.param(
        f"{FACTORS}/8?year=2025&data_entry_type_id=50",
        b'{"category": "ch4"}\n',
        422,
        "does not look like a process_emissions factors CSV file",
        id="json",
    ),
    pytest.param(
        f"{FACTORS}/8?year=2025&data_entry_type_id=50",
        b"category,subcategory\nch4,\n",
        422,
        "missing required column gwp_kg_co2eq_per_kg; required: category, gwp_kg_co2eq_per_kg",
        id="missing-column",
    ),
    pytest.param(
        f"{DATA}/8?year=2025&data_entry_type_id=50",
        b"category,quantity_kg\nch4,1\n",
        422,
        "missing required column unit_institutional_code",
        id="data-missing-unit-column",
    ),
    pytest.param(
        f"{DATA}/8?year=2025",
        b"unit_institutional_code,category,quantity_kg\nU1,ch4,1\n",
        422,
        "missing required column data_entry_type; a module-wide file",
        id="no-type-column",
    ),
    pytest.param(
        f"{FACTORS}/8?year=2025&data_entry_type_id=50",
        b"category,subcategory,gwp_kg_co2eq_per_kg\n",
        422,
        "the file has a header but no data rows",
        id="header-only",
    ),
]


@pytest.mark.parametrize(("url", "content", "status", "message"), BAD_REQUESTS)
async def test_bad_input_is_refused_before_any_job(
    app_client: httpx.AsyncClient,
    headers: dict[str, str],
    db: AsyncSession,
    url: str,
    content: bytes,
    status: int,
    message: str,
) -> None:
    before = await Snapshot.take(db)
    response = await app_client.post(url, files=upload(content), headers=headers)
    assert response.status_code == status, response.text
    assert message in response.json()["detail"]
    if status == 404 or "data_entry_type_id" in message:
        assert response.json()["valid_values"]
    assert await _job_count(db) == 0
    assert await Snapshot.take(db) == before


async def test_over_the_size_limit_is_413(
    app_client: httpx.AsyncClient, headers: dict[str, str], db: AsyncSession
) -> None:
    big = PROCESS_FACTORS.encode() + b"ch4,x,1\n" * 150_000  # ~1.2 MB > 1 MB
    response = await app_client.post(
        f"{FACTORS}/8?year=2025&data_entry_type_id=50", files=upload(big), headers=headers
    )
    assert response.status_code == 413
    assert (
        "larger than the upload limit of 1 MB (CO2CALC_MAX_UPLOAD_MB)" in response.json()["detail"]
    )
    assert await _nothing_stored(db)


async def test_over_the_size_limit_without_content_length_is_413(
    app_client: httpx.AsyncClient, headers: dict[str, str], db: AsyncSession
) -> None:
    boundary = "b0undary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    sent = 0

    async def body():  # type: ignore[no-untyped-def]
        nonlocal sent
        yield head + PROCESS_FACTORS.encode()
        for _ in range(40):  # 40 x 64 KiB = 2.5 MB, streamed without a Content-Length
            sent += 1
            yield b"ch4,x,1\n" * 8192
        yield f"\r\n--{boundary}--\r\n".encode()

    response = await app_client.post(
        f"{FACTORS}/8?year=2025&data_entry_type_id=50",
        content=body(),
        headers={**headers, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 413
    assert await _nothing_stored(db)


async def test_a_bad_byte_past_the_first_chunks_is_refused_with_its_line(
    app_client: httpx.AsyncClient,
    headers: dict[str, str],
    db: AsyncSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The check reads the whole file as a stream, not only its head: a bad byte near the end
    of a file of many chunks is refused before any job, with its line."""
    monkeypatch.setattr(csv_reading, "CHECK_CHUNK_BYTES", 64)
    content = PROCESS_FACTORS.encode() + "co2,é,1\n".encode() * 500 + b"ch4,\xff,1\n"
    response = await app_client.post(
        f"{FACTORS}/8?year=2025&data_entry_type_id=50", files=upload(content), headers=headers
    )
    assert response.status_code == 422
    assert "the file is not UTF-8 text (byte 0xff on line 506)" in response.json()["detail"]
    assert await _nothing_stored(db)


async def test_a_file_of_many_chunks_is_stored_whole(
    app: FastAPI,
    app_client: httpx.AsyncClient,
    headers: dict[str, str],
    db: AsyncSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Stored chunk by chunk as received (a BOM and characters cut between chunks), the
    file the job reads is the file sent."""
    monkeypatch.setattr(job_upload_repo, "CHUNK_BYTES", 5)
    content = codecs.BOM_UTF8 + PROCESS_FACTORS.replace("co2,,1", "co2,é😀,1").encode()
    held = asyncio.Event()
    original_run = FactorImportService.run

    async def run_when_checked(self: FactorImportService, file: bytes, **params: Any) -> Any:
        await held.wait()
        return await original_run(self, file, **params)

    monkeypatch.setattr(FactorImportService, "run", run_when_checked)
    response = await app_client.post(
        f"{FACTORS}/8?year=2025&data_entry_type_id=50", files=upload(content), headers=headers
    )
    assert response.status_code == 202, response.text
    job_id = response.json()["job_id"]
    chunks = (
        await db.execute(
            select(JobUploadChunk.seq, JobUploadChunk.content)
            .where(JobUploadChunk.job_id == job_id)
            .order_by(JobUploadChunk.seq)
        )
    ).all()
    assert [seq for seq, _ in chunks] == list(range(-(-len(content) // 5)))
    assert b"".join(chunk for _, chunk in chunks) == content
    held.set()
    job = await _finished(app, db, job_id)
    assert job.result == IngestionResult.SUCCESS, job.status_message
    for model in (JobUpload, JobUploadChunk):  # deleted with the job's final commit
        assert (await db.execute(select(func.count()).select_from(model))).scalar_one() == 0


async def test_not_multipart_is_400(app_client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    response = await app_client.post(
        f"{FACTORS}/8?year=2025", content=PROCESS_FACTORS.encode(), headers=headers
    )
    assert response.status_code == 400
    assert "multipart/form-data in the field 'file'" in response.json()["detail"]
    response = await app_client.post(
        f"{FACTORS}/8?year=2025", files={"other": ("a.csv", b"x", "text/csv")}, headers=headers
    )
    assert response.status_code == 400
    assert "no file in the field 'file'" in response.json()["detail"]


async def test_needs_the_sync_right(
    app_client: httpx.AsyncClient,
    login_as,
    db: AsyncSession,  # type: ignore[no-untyped-def]
) -> None:
    url = f"{FACTORS}/8?year=2025&data_entry_type_id=50"
    response = await app_client.post(url, files=upload(PROCESS_FACTORS.encode()))
    assert response.status_code == 401
    viewer = await login_as(Role.backoffice_viewer)
    response = await app_client.post(url, files=upload(PROCESS_FACTORS.encode()), headers=viewer)
    assert response.status_code == 403
    assert await _job_count(db) == 0
    assert TargetType.FACTORS == 1
