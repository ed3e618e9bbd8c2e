"""A burst of anonymous failed logins against a real uvicorn, on SQLite and PostgreSQL: every
login gets its 401, none a 5xx, and the rest of the API keeps answering meanwhile; neither it
nor a burst of correct logins leaves a task destroyed while pending (asyncio logs that when a
task still waiting is garbage-collected: work silently dropped)."""

from __future__ import annotations

import asyncio
import gc
import logging
import time

import httpx
import pytest
from api_fixtures import TEST_PASSWORD, TEST_SECRET_KEY, CreateUser
from live_server import bearer_headers, live_server

from app.core import security
from app.core.permissions import Role
from app.core.settings import Settings

pytestmark = pytest.mark.slow

BURST = 30
DESTROYED = "Task was destroyed but it is pending"


def _destroyed_tasks(caplog: pytest.LogCaptureFixture) -> list[str]:
    """asyncio's reports of pending tasks garbage-collected, after a collection (a task in a
    reference cycle is only reported when the collector frees it)."""
    gc.collect()
    return [r.getMessage()[:300] for r in caplog.records if DESTROYED in r.getMessage()]


def _slow_down_checks(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    verify = security.verify_password

    def slow_verify(password: str, password_hash: str) -> bool:
        time.sleep(seconds)
        return verify(password, password_hash)

    monkeypatch.setattr(security, "verify_password", slow_verify)


@pytest.fixture
def slow_password_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each check as slow as a real hash on a busy machine, so the logins really overlap."""
    _slow_down_checks(monkeypatch, 0.2)


@pytest.mark.usefixtures("slow_password_checks")
async def test_thirty_parallel_failed_logins_answer_401_and_reads_keep_answering(
    database_url: str, create_user: CreateUser, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="asyncio")
    viewer = await create_user(Role.backoffice_viewer)
    with live_server(Settings(database_url=database_url, secret_key=TEST_SECRET_KEY)) as server:
        headers = await bearer_headers(server.base_url, viewer.username, TEST_PASSWORD)
        async with httpx.AsyncClient(base_url=server.base_url, timeout=120) as client:
            burst_done = asyncio.Event()

            async def failed_login(index: int) -> httpx.Response:
                return await client.post(
                    "/api/v1/auth/login",
                    json={"username": f"stranger{index}", "password": "not a password"},
                )

            async def burst() -> list[httpx.Response]:
                try:
                    return await asyncio.gather(*(failed_login(i) for i in range(BURST)))
                finally:
                    burst_done.set()

            async def reads() -> list[int]:
                codes: list[int] = []
                while not burst_done.is_set() or not codes:
                    response = await client.get("/api/v1/years", headers=headers)
                    codes.append(response.status_code)
                return codes

            logins, read_codes = await asyncio.gather(burst(), reads())

    assert [response.status_code for response in logins] == [401] * BURST
    assert all("wrong username or password" in r.json()["detail"] for r in logins)
    assert read_codes
    assert set(read_codes) == {200}
    assert _destroyed_tasks(caplog) == []


async def test_thirty_parallel_correct_token_logins_of_one_account_all_succeed(
    database_url: str, create_user: CreateUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Thirty checks of 0.4 s one after the other outlast the 10 s a login waits for its turn
    (they were refused with 429): correct logins of one account are checked side by side."""
    _slow_down_checks(monkeypatch, 0.4)
    user = await create_user(Role.superadmin)
    credentials = {"username": user.username, "password": TEST_PASSWORD}

    with live_server(Settings(database_url=database_url, secret_key=TEST_SECRET_KEY)) as server:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=120) as client:
            responses = await asyncio.gather(
                *(client.post("/api/v1/auth/token", data=credentials) for _ in range(BURST))
            )

    assert [r.status_code for r in responses] == [200] * BURST, [r.text[:200] for r in responses]
    assert len({r.json()["access_token"] for r in responses}) == BURST


@pytest.mark.usefixtures("slow_password_checks")
async def test_thirty_parallel_logins_of_all_kinds_leave_no_task_destroyed_while_pending(
    database_url: str, create_user: CreateUser, caplog: pytest.LogCaptureFixture
) -> None:
    """Correct cookie and token logins of one account (taking turns), wrong passwords and
    unknown names at once, then a stop of the server with nothing left running."""
    caplog.set_level(logging.WARNING, logger="asyncio")
    user = await create_user(Role.superadmin)
    kinds = [
        ("/api/v1/auth/login", {"json": {"username": user.username, "password": TEST_PASSWORD}}),
        ("/api/v1/auth/token", {"data": {"username": user.username, "password": TEST_PASSWORD}}),
        ("/api/v1/auth/login", {"json": {"username": user.username, "password": "wrong one"}}),
        ("/api/v1/auth/token", {"data": {"username": "nobody", "password": "not a password"}}),
    ]

    with live_server(Settings(database_url=database_url, secret_key=TEST_SECRET_KEY)) as server:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=120) as client:
            responses = await asyncio.gather(
                *(client.post(url, **kwargs) for url, kwargs in (kinds * BURST)[:BURST])
            )

    codes = sorted({response.status_code for response in responses})
    assert set(codes) <= {200, 401, 429}, [(r.status_code, r.text[:200]) for r in responses]
    assert 200 in codes
    assert _destroyed_tasks(caplog) == []
