"""Logins under concurrency, on SQLite and PostgreSQL: correct passwords are always checked,
no connection is held while a password is checked, and an interrupted correct login leaves
no failure behind. (A burst against a real server is in e2e/test_login_burst.py.)"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable

import httpx
import pytest
from api_fixtures import TEST_PASSWORD, CreateUser
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core import security
from app.core.errors import TooManyRequests
from app.core.permissions import Role
from app.main import LOGIN_CONCURRENCY
from app.models import LoginAttempt
from app.services.login_gate import LoginGate

LOGIN = "/api/v1/auth/login"
TOKEN = "/api/v1/auth/token"

Verify = Callable[[str, str], bool]


def _slow_verify(monkeypatch: pytest.MonkeyPatch, during_check: Callable[[], None]) -> None:
    """Password checks that take a while (so requests overlap) and call `during_check`."""
    verify: Verify = security.verify_password

    def slow(password: str, password_hash: str) -> bool:
        during_check()
        time.sleep(0.2)
        return verify(password, password_hash)

    monkeypatch.setattr(security, "verify_password", slow)


async def _failures(factory: async_sessionmaker[AsyncSession], username: str) -> int:
    async with factory() as session:
        count = await session.scalar(
            select(func.count()).where(
                LoginAttempt.username == username, LoginAttempt.succeeded.is_(False)
            )
        )
    return int(count or 0)


@pytest.mark.parametrize("route", [LOGIN, TOKEN])
async def test_parallel_correct_logins_of_one_account_all_succeed(
    route: str,
    app_client: httpx.AsyncClient,
    create_user: CreateUser,
    session_factory: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await create_user(Role.superadmin, username="olivia")
    _slow_verify(monkeypatch, lambda: None)
    credentials = {"username": "olivia", "password": TEST_PASSWORD}

    async def send() -> httpx.Response:
        if route == LOGIN:
            return await app_client.post(LOGIN, json=credentials)
        return await app_client.post(TOKEN, data=credentials)

    responses = await asyncio.gather(*(send() for _ in range(8)))

    assert [response.status_code for response in responses] == [200] * 8
    assert await _failures(session_factory, "olivia") == 0


async def test_no_connection_is_held_while_a_password_is_checked(
    app: FastAPI,
    app_client: httpx.AsyncClient,
    create_user: CreateUser,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await create_user(Role.superadmin, username="peggy")
    pool = app.state.engine.pool
    held: list[int] = []
    lock = threading.Lock()

    def record() -> None:
        with lock:
            held.append(pool.checkedout())

    _slow_verify(monkeypatch, record)

    alone = await app_client.post(LOGIN, json={"username": "peggy", "password": TEST_PASSWORD})
    assert alone.status_code == 200
    assert held == [0]  # a lone login checks its password with no connection out
    held.clear()

    responses = await asyncio.gather(
        *(
            app_client.post(LOGIN, json={"username": name, "password": password})
            for name, password in [("peggy", TEST_PASSWORD), ("peggy", "wrong one")]
            + [(f"nobody{i}", "wrong one") for i in range(10)]
        )
    )

    assert [response.status_code for response in responses] == [200] + [401] * 11
    # During a check, only the other logins let through the gate hold one connection each.
    assert len(held) == 12
    assert max(held) < LOGIN_CONCURRENCY


async def test_a_correct_login_interrupted_after_its_check_records_no_failure(
    app_client: httpx.AsyncClient,
    create_user: CreateUser,
    session_factory: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await create_user(Role.superadmin, username="quentin")
    checking = threading.Event()
    _slow_verify(monkeypatch, checking.set)

    login = asyncio.create_task(
        app_client.post(LOGIN, json={"username": "quentin", "password": TEST_PASSWORD})
    )
    assert await asyncio.to_thread(checking.wait, 60)
    login.cancel()
    with pytest.raises(asyncio.CancelledError):
        await login

    assert await _failures(session_factory, "quentin") == 0
    after = await app_client.post(LOGIN, json={"username": "quentin", "password": TEST_PASSWORD})
    assert after.status_code == 200


async def _five_failures_left() -> tuple[int, None]:
    return 5, None


async def test_the_gate_refuses_a_login_that_cannot_get_its_turn_in_time() -> None:
    gate = LoginGate(concurrency=1, wait_seconds=0.05)

    async with gate.turn("alice", _five_failures_left):
        with pytest.raises(TooManyRequests) as refused:
            async with gate.turn("bob", _five_failures_left):
                pass
        with pytest.raises(TooManyRequests):
            async with gate.turn("alice", _five_failures_left):
                pass

    assert refused.value.headers() == {"Retry-After": "1"}
    assert gate.pending() == 0
    async with gate.turn("bob", _five_failures_left):
        assert gate.pending() == 1


async def test_the_gate_lets_through_no_more_checks_than_failures_left() -> None:
    """With one failure left, a second attempt waits for the running check, then reads the
    failures again: let through when the first succeeded, refused by its read when it failed."""
    gate = LoginGate(concurrency=4, wait_seconds=5.0)
    failures_left = 1
    reads = 0

    async def read() -> tuple[int, None]:
        nonlocal reads
        reads += 1
        if failures_left == 0:
            raise TooManyRequests("no failure left", retry_after=60)
        return failures_left, None

    first_checking = asyncio.Event()
    end_first = asyncio.Event()

    async def first(fails: bool) -> None:
        nonlocal failures_left
        async with gate.turn("carol", read):
            first_checking.set()
            await end_first.wait()
            if fails:
                failures_left -= 1

    async def second() -> str:
        await first_checking.wait()
        async with gate.turn("carol", read):
            return "checked"

    for fails, outcome in [(False, "checked"), (True, "refused")]:
        first_checking.clear()
        end_first.clear()
        reads = 0
        first_task = asyncio.create_task(first(fails))
        second_task = asyncio.create_task(second())
        await first_checking.wait()
        await asyncio.sleep(0.05)
        assert not second_task.done()  # waits behind the check that could fail
        end_first.set()
        await first_task
        try:
            assert await second_task == outcome
        except TooManyRequests:
            assert outcome == "refused"
        assert reads == 3  # the first's read, the second's read, its read after the first ended
    assert gate.pending() == 0


async def test_thirty_parallel_correct_token_logins_are_checked_side_by_side(
    app_client: httpx.AsyncClient,
    create_user: CreateUser,
    session_factory: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Correct logins of one account are not queued one by one (30 slow checks in a row
    outlast the gate's wait and were refused with 429): several run at once, all succeed."""
    await create_user(Role.superadmin, username="rupert")
    running = 0
    most_at_once = 0
    lock = threading.Lock()
    verify: Verify = security.verify_password

    def counted(password: str, password_hash: str) -> bool:
        nonlocal running, most_at_once
        with lock:
            running += 1
            most_at_once = max(most_at_once, running)
        try:
            time.sleep(0.1)
            return verify(password, password_hash)
        finally:
            with lock:
                running -= 1

    monkeypatch.setattr(security, "verify_password", counted)
    credentials = {"username": "rupert", "password": TEST_PASSWORD}

    responses = await asyncio.gather(*(app_client.post(TOKEN, data=credentials) for _ in range(30)))

    assert [response.status_code for response in responses] == [200] * 30
    assert 1 < most_at_once <= LOGIN_CONCURRENCY
    assert await _failures(session_factory, "rupert") == 0
