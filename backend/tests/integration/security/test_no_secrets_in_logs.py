"""Passwords and tokens never reach the logs or a job's record, on SQLite and PostgreSQL.

Every record at DEBUG (message, arguments, structured fields, traceback) of a cookie login,
a failed login, a token login, calls with the session and the token, a factor import and a
data import through the API is searched for the password, a wrong password, the session
token, the CSRF value and the bearer token; so are the jobs' stored meta and messages."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest
from api_fixtures import TEST_PASSWORD, CreateUser, csrf_headers
from factories import create_unit
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.permissions import Role
from app.domain.ingestion import IngestionResult
from app.models import DataIngestionJob

WRONG_PASSWORD = "wrong-but-secret-guess-42"
FACTORS = b"category,subcategory,gwp_kg_co2eq_per_kg\nch4,,28\nco2,,1\n"
ENTRIES = b"unit_institutional_code,category,quantity_kg\nSEC1,ch4,2\n"


def _record_text(record: logging.LogRecord) -> str:
    """All a handler could write of a record: the message, its arguments, its extra fields
    and any traceback."""
    fields: dict[str, Any] = dict(record.__dict__)
    fields.pop("msg", None)
    parts = [record.getMessage(), repr(record.args), repr(fields)]
    if record.exc_info and record.exc_info[1] is not None:
        parts.append(repr(record.exc_info[1]))
    return "\n".join(parts)


async def _upload(
    client: httpx.AsyncClient, url: str, content: bytes, headers: dict[str, str]
) -> int:
    response = await client.post(
        url, files={"file": ("upload.csv", content, "text/csv")}, headers=headers
    )
    assert response.status_code == 202, response.text
    job_id: int = response.json()["job_id"]
    return job_id


async def test_no_password_or_token_in_any_log_record_or_job_meta(
    app: FastAPI,
    app_client: httpx.AsyncClient,
    create_user: CreateUser,
    session_factory: async_sessionmaker[AsyncSession],
    caplog: pytest.LogCaptureFixture,
) -> None:
    user = await create_user(Role.superadmin)
    async with session_factory() as session:
        await create_unit(session, institutional_code="SEC1")
        await session.commit()
    caplog.set_level(logging.DEBUG)

    login = await app_client.post(
        "/api/v1/auth/login", json={"username": user.username, "password": TEST_PASSWORD}
    )
    assert login.status_code == 200, login.text
    session_token = app_client.cookies["co2calc_session"]
    csrf = csrf_headers(app_client)
    failed = await app_client.post(
        "/api/v1/auth/token", data={"username": user.username, "password": WRONG_PASSWORD}
    )
    assert failed.status_code == 401
    token = await app_client.post(
        "/api/v1/auth/token", data={"username": user.username, "password": TEST_PASSWORD}
    )
    assert token.status_code == 200, token.text
    bearer = token.json()["access_token"]
    headers = {"Authorization": f"Bearer {bearer}"}
    assert (await app_client.get("/api/v1/auth/me")).status_code == 200
    factor_job = await _upload(
        app_client, "/api/v1/sync/factors/8?year=2025&data_entry_type_id=50", FACTORS, csrf
    )
    await app.state.runner.wait_idle()
    data_job = await _upload(
        app_client, "/api/v1/sync/data-entries/8?year=2025&data_entry_type_id=50", ENTRIES, headers
    )
    await app.state.runner.wait_idle()

    async with session_factory() as session:
        jobs = (
            await session.scalars(
                select(DataIngestionJob).where(DataIngestionJob.id.in_([factor_job, data_job]))
            )
        ).all()
    assert [job.result for job in jobs] == [IngestionResult.SUCCESS] * 2
    assert caplog.records, "the flow logged nothing: the search below would prove nothing"
    secrets = {
        "password": TEST_PASSWORD,
        "wrong password": WRONG_PASSWORD,
        "session token": session_token,
        "CSRF value": csrf["X-CSRF-Token"],
        "bearer token": bearer,
    }
    stored = [json.dumps(job.meta) + (job.status_message or "") for job in jobs]
    leaks = [
        f"{name} in {where}"
        for name, secret in secrets.items()
        for where, text in [
            *(
                (f"log record {r.name}: {r.getMessage()[:80]}", _record_text(r))
                for r in caplog.records
            ),
            *((f"job {job.id}", text) for job, text in zip(jobs, stored, strict=True)),
        ]
        if secret in text
    ]
    assert not leaks, "\n".join(leaks)
