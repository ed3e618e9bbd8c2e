"""A CSV import never stops the server answering (a real uvicorn, both databases).

The file check of an upload and the row checks of its job are held in mid-work with a
threading event; meanwhile /health and the job's status must answer. Had that work run on the
server's event loop, the hold would block the loop and no request could complete until the
release, which this test only gives after the answers: it would fail on the request timeout.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from api_fixtures import TEST_PASSWORD, CreateUser
from live_server import LiveServer, bearer_headers, live_server

from app.api.v1 import sync_imports
from app.core.permissions import Role
from app.core.settings import Settings
from app.domain.ingestion import IngestionState
from app.services.ingestion import data_import

pytestmark = pytest.mark.slow

IMPORT = "/api/v1/sync/data-entries/8?year=2025&data_entry_type_id=50"
FILE = b"unit_institutional_code,category,subcategory,quantity_kg\nU1,ch4,,2\nU2,co2,,3\n"
# Generous: only a loop that never answers waits this long, and the test then fails.
ANSWER_SECONDS = 60
HOLD_SECONDS = 180


class ThreadHold:
    """Blocks the first caller's thread at one point until `release` (a held worker thread,
    or the whole event loop if the work runs on it)."""

    def __init__(self) -> None:
        self.reached = threading.Event()
        self.release = threading.Event()

    def wrap(self, function: Any) -> Any:
        @functools.wraps(function)
        def held(*args: Any, **kwargs: Any) -> Any:
            if not self.reached.is_set():
                self.reached.set()
                self.release.wait(HOLD_SECONDS)
            return function(*args, **kwargs)

        return held

    async def wait_reached(self) -> None:
        assert await asyncio.to_thread(self.reached.wait, HOLD_SECONDS), "never reached"


@pytest.fixture
def server(database_url: str) -> Iterator[LiveServer]:
    with live_server(Settings(database_url=database_url)) as running:
        yield running


@pytest.fixture
def hold() -> Iterator[ThreadHold]:
    held = ThreadHold()
    yield held
    held.release.set()


async def _answers_while_held(
    client: httpx.AsyncClient, hold: ThreadHold, headers: dict[str, str], job_id: int | None
) -> None:
    await hold.wait_reached()
    health = await client.get("/api/v1/health", timeout=ANSWER_SECONDS)
    assert health.status_code == 200, health.text
    if job_id is not None:
        job = await client.get(f"/api/v1/sync/jobs/{job_id}", headers=headers)
        assert job.status_code == 200, job.text
        assert job.json()["state"] == IngestionState.RUNNING
    assert not hold.release.is_set()  # answered while the work was still held
    hold.release.set()


async def test_health_answers_while_an_upload_is_checked(
    server: LiveServer,
    create_user: CreateUser,
    hold: ThreadHold,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sync_imports, "check_upload", hold.wrap(sync_imports.check_upload))
    user = await create_user(Role.backoffice_metier)
    headers = await bearer_headers(server.base_url, user.username, TEST_PASSWORD)
    async with httpx.AsyncClient(base_url=server.base_url, timeout=ANSWER_SECONDS) as client:
        upload = asyncio.create_task(
            client.post(IMPORT, files={"file": ("a.csv", FILE, "text/csv")}, headers=headers)
        )
        await _answers_while_held(client, hold, headers, None)
        response = await upload
    assert response.status_code == 202, response.text


async def test_health_and_status_answer_while_a_job_checks_its_rows(
    server: LiveServer,
    create_user: CreateUser,
    hold: ThreadHold,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reader = data_import._RowReader
    monkeypatch.setattr(reader, "read", hold.wrap(reader.read))
    user = await create_user(Role.backoffice_metier)
    headers = await bearer_headers(server.base_url, user.username, TEST_PASSWORD)
    async with httpx.AsyncClient(base_url=server.base_url, timeout=ANSWER_SECONDS) as client:
        response = await client.post(
            IMPORT, files={"file": ("a.csv", FILE, "text/csv")}, headers=headers
        )
        assert response.status_code == 202, response.text
        job_id = response.json()["job_id"]
        await _answers_while_held(client, hold, headers, job_id)

        async def finished() -> bool:
            job = await client.get(f"/api/v1/sync/jobs/{job_id}", headers=headers)
            return bool(job.json()["state"] == IngestionState.FINISHED)

        deadline = asyncio.get_running_loop().time() + ANSWER_SECONDS
        while not await finished():
            assert asyncio.get_running_loop().time() < deadline, "the job never finished"
            await asyncio.sleep(0.1)
