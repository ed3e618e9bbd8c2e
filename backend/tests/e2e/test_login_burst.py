"""A burst of anonymous failed logins against a real uvicorn, on SQLite and PostgreSQL: every
login gets its 401, none a 5xx, and the rest of the API keeps answering meanwhile."""

from __future__ import annotations

import asyncio
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


async def test_thirty_parallel_failed_logins_answer_401_and_reads_keep_answering(
    database_url: str, create_user: CreateUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    viewer = await create_user(Role.backoffice_viewer)
    verify = security.verify_password

    def slow_verify(password: str, password_hash: str) -> bool:
        # A check as slow as a real hash on a busy machine, so the logins really overlap.
        time.sleep(0.2)
        return verify(password, password_hash)

    monkeypatch.setattr(security, "verify_password", slow_verify)

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
