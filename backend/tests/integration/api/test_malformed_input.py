"""Malformed values in requests (lone surrogates, NaN and 1e999, numbers past any range, NUL,
deep nesting, huge texts) get a 4xx JSON answer whose `detail` is a string, never a 500; 422
answers list their field errors under `errors`; no answer echoes the unbounded input. Both
databases (PostgreSQL refuses NUL and lone surrogates where SQLite stores them)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from api_fixtures import LoginAs
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.api.validation_errors import ValidationErrorBody
from app.core.permissions import Role
from app.models import DataEntry, DataIngestionJob, Unit

LOGIN = "/api/v1/auth/login"
TOKEN = "/api/v1/auth/token"
UNITS = "/api/v1/units"
ENTRIES = "/api/v1/data-entries"
HUGE = 400 * "9"
# The longest answer any refusal here may give: far below every input it refuses.
MAX_ANSWER = 2_000

SessionFactory = async_sessionmaker[AsyncSession]


def _entry(unit: str, data: str, *, year: str = "2025", type_id: int = 50) -> bytes:
    return (
        f'{{"unit_institutional_code": "{unit}", "year": {year}, '
        f'"data_entry_type_id": {type_id}, "data": {data}}}'
    ).encode()


@pytest.fixture
async def admin(login_as: LoginAs) -> dict[str, str]:
    return await login_as(Role.superadmin)


def _assert_refused(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text[:MAX_ANSWER]
    assert response.headers["content-type"] == "application/json"
    assert len(response.content) < MAX_ANSWER, "the answer echoes the input"
    body: dict[str, Any] = response.json()
    assert isinstance(body["detail"], str)
    assert body["detail"]
    if status == 422:
        assert body["errors"], "a 422 lists its field errors"
        ValidationErrorBody.model_validate(body)  # the documented 422 body
        for error in body["errors"]:
            assert set(error) == {"loc", "msg", "type"}
    return body


async def _count(session_factory: SessionFactory, model: type[Any]) -> int:
    async with session_factory() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


LOGIN_BODIES = {
    "lone surrogate": b'{"username": "\\ud800", "password": "x"}',
    "NaN": b'{"username": NaN, "password": "x"}',
    "1e999": b'{"username": "a", "password": 1e999}',
    "huge username": b'{"username": "' + 100_000 * b"u" + b'", "password": "x"}',
}


@pytest.mark.parametrize("body", list(LOGIN_BODIES.values()), ids=list(LOGIN_BODIES))
async def test_login_with_a_malformed_value_is_422_naming_the_field(
    app_client: httpx.AsyncClient, body: bytes
) -> None:
    response = await app_client.post(
        LOGIN, content=body, headers={"content-type": "application/json"}
    )

    refused = _assert_refused(response, 422)
    assert refused["errors"][0]["loc"][0] == "body"
    assert refused["detail"].startswith("body.")


async def test_a_nul_in_a_username_is_a_wrong_login_on_every_path(
    app_client: httpx.AsyncClient, session_factory: SessionFactory
) -> None:
    cookie = await app_client.post(LOGIN, json={"username": "ad\x00min", "password": "x"})
    bearer = await app_client.post(TOKEN, data={"username": "ad\x00min", "password": "x"})
    huge = await app_client.post(TOKEN, data={"username": 100_000 * "u", "password": "x"})

    for response in (cookie, bearer, huge):
        assert "wrong username or password" in _assert_refused(response, 401)["detail"]


UNIT_BODIES = {
    "lone surrogate": b'{"institutional_code": "A", "name": "\\ud800"}',
    "NaN": b'{"institutional_code": "A", "name": NaN}',
    "1e309": b'{"institutional_code": 1e309, "name": "x"}',
    "900-deep array": b'{"institutional_code": "A", "name": ' + 900 * b"[" + 900 * b"]" + b"}",
    "100 kB name": b'{"institutional_code": "A", "name": "' + 100_000 * b"x" + b'"}',
    "NUL": b'{"institutional_code": "A", "name": "a\\u0000b"}',
}


@pytest.mark.parametrize("body", list(UNIT_BODIES.values()), ids=list(UNIT_BODIES))
async def test_a_unit_with_a_malformed_value_is_422_and_nothing_is_stored(
    app_client: httpx.AsyncClient,
    admin: dict[str, str],
    session_factory: SessionFactory,
    body: bytes,
) -> None:
    response = await app_client.post(
        UNITS, content=body, headers={**admin, "content-type": "application/json"}
    )

    _assert_refused(response, 422)
    assert await _count(session_factory, Unit) == 0


async def test_a_100_kb_name_is_refused_naming_the_limit(
    app_client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    response = await app_client.post(
        UNITS, json={"institutional_code": "A", "name": 100_000 * "x"}, headers=admin
    )

    body = _assert_refused(response, 422)
    assert body["detail"] == "body.name: String should have at most 255 characters"
    assert body["errors"] == [
        {"loc": ["body", "name"], "msg": body["errors"][0]["msg"], "type": "string_too_long"}
    ]


ENTRY_DATA = {
    "lone surrogate in data.name": ('{"name": "\\ud800"}', 60),
    "NaN quantity": ('{"category": "ch4", "quantity_kg": NaN}', 50),
    "1e999 quantity": ('{"category": "ch4", "quantity_kg": 1e999}', 50),
    "400-digit quantity": (f'{{"category": "ch4", "quantity_kg": {HUGE}}}', 50),
    "NUL in a value": ('{"category": "ch\\u0000"}', 50),
    "900-deep object": ('{"a": ' + 900 * '{"a": ' + "1" + 901 * "}", 50),
}


@pytest.mark.parametrize("case", list(ENTRY_DATA.values()), ids=list(ENTRY_DATA))
async def test_an_entry_with_malformed_data_is_422_and_nothing_is_stored(
    app_client: httpx.AsyncClient,
    admin: dict[str, str],
    unit_code: str,
    session_factory: SessionFactory,
    case: tuple[str, int],
) -> None:
    data, type_id = case
    response = await app_client.post(
        ENTRIES,
        content=_entry(unit_code, data, type_id=type_id),
        headers={**admin, "content-type": "application/json"},
    )

    body = _assert_refused(response, 422)
    assert body["errors"][0]["loc"] == ["body", "data"]
    assert await _count(session_factory, DataEntry) == 0


async def test_an_entry_text_over_255_characters_is_400_naming_the_limit(
    app_client: httpx.AsyncClient, admin: dict[str, str], unit_code: str
) -> None:
    response = await app_client.post(
        ENTRIES,
        content=_entry(unit_code, '{"name": "' + 100_000 * "x" + '"}', type_id=60),
        headers={**admin, "content-type": "application/json"},
    )

    body = _assert_refused(response, 400)
    assert body == {
        "detail": "name: is 100000 characters long; at most 255 allowed",
        "field": "name",
    }


async def test_refusals_quote_a_400_digit_year_or_a_huge_unknown_key_bounded(
    app_client: httpx.AsyncClient, admin: dict[str, str], unit_code: str
) -> None:
    year = await app_client.post(
        ENTRIES,
        content=_entry(unit_code, "{}", year=HUGE),
        headers={**admin, "content-type": "application/json"},
    )
    key = await app_client.post(
        ENTRIES,
        content=_entry(unit_code, '{"' + 100_000 * "k" + '": 1}'),
        headers={**admin, "content-type": "application/json"},
    )

    assert HUGE[:50] not in _assert_refused(year, 400)["detail"]
    refused_key = _assert_refused(key, 400)
    assert refused_key["detail"].startswith("unknown field in data: 'kkk")
    assert len(refused_key["field"]) <= 40


async def test_a_nul_in_an_upload_file_name_is_dropped_from_the_job(
    app_client: httpx.AsyncClient, login_as: LoginAs, session_factory: SessionFactory
) -> None:
    headers = await login_as(Role.backoffice_metier)
    content = b"category,subcategory,gwp_kg_co2eq_per_kg\nch4,,28\n"

    # Written by hand: an HTTP client escapes the NUL (%00), a hostile one need not.
    body = (
        b"--B\r\n"
        b'Content-Disposition: form-data; name="file"; filename="fac\x00tors.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\n" + content + b"\r\n--B--\r\n"
    )

    response = await app_client.post(
        "/api/v1/sync/factors/8?year=2025&data_entry_type_id=50",
        content=body,
        headers={**headers, "content-type": "multipart/form-data; boundary=B"},
    )

    assert response.status_code == 202, response.text
    async with session_factory() as session:
        job = await session.get(DataIngestionJob, response.json()["job_id"])
    assert job is not None
    assert job.meta["file_name"] == "factors.csv"
