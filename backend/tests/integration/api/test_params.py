"""Shared parameters of the read API: `year` (400 with a message, never FastAPI's 422), module
and type ids (4xx naming `valid_values`), and no input answering 500. Also: what OpenAPI says
matches what the routes answer. SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from api_fixtures import LoginAs

from app.core.permissions import Role
from app.schemas.common import ErrorBody

YEAR_ROUTES = [
    "/api/v1/carbon-reports",
    "/api/v1/data-entries",
    "/api/v1/factors",
    "/api/v1/reports/emissions",
]
TYPED_ROUTES = ["/api/v1/data-entries", "/api/v1/factors"]
NASTY = [
    "",
    " ",
    "abc",
    "2025.0",
    "1e3",
    "-1",
    "0x7e9",
    "２０２５",
    "99999999999999999999999999",
    "\x00",
    "20\x0025",
    "NaN",
    "' OR 1=1 --",
    "x" * 300,
]


@pytest.fixture
async def viewer(login_as: LoginAs) -> dict[str, str]:
    return await login_as(Role.backoffice_viewer)


@pytest.mark.parametrize("route", YEAR_ROUTES)
async def test_year_missing_malformed_or_out_of_range_is_400_saying_what_to_send(
    app_client: httpx.AsyncClient, viewer: dict[str, str], route: str
) -> None:
    cases: list[tuple[dict[str, str], str]] = [
        ({}, "year is required: send year=YYYY, an integer from 2000 to 2100"),
        ({"year": ""}, "year is required"),
        ({"year": "abc"}, "year must be an integer from 2000 to 2100, got 'abc'"),
        ({"year": "2025.5"}, "year must be an integer from 2000 to 2100, got '2025.5'"),
        ({"year": "1999"}, "year 1999 is out of range: send year=YYYY"),
        ({"year": "2101"}, "year 2101 is out of range"),
    ]
    for params, message in cases:
        response = await app_client.get(route, params=params, headers=viewer)
        assert response.status_code == 400, (params, response.text)
        assert message in response.json()["detail"], (params, response.json())
        ErrorBody.model_validate(response.json())

    for year in ("2000", "2100", " 2025 "):
        ok = await app_client.get(route, params={"year": year}, headers=viewer)
        assert ok.status_code == 200, (year, ok.text)


@pytest.mark.parametrize("route", TYPED_ROUTES)
async def test_unknown_ids_and_types_outside_their_module_name_the_valid_values(
    app_client: httpx.AsyncClient, viewer: dict[str, str], route: str
) -> None:
    cases: list[tuple[dict[str, str], list[int] | None, str]] = [
        ({"module_type_id": "0"}, list(range(1, 9)), "unknown module_type_id '0'"),
        ({"module_type_id": "x"}, list(range(1, 9)), "unknown module_type_id 'x'"),
        ({"data_entry_type_id": "3"}, None, "unknown data_entry_type_id '3'"),
        (
            {"module_type_id": "1", "data_entry_type_id": "50"},
            [1, 2],
            "data_entry_type_id 50 (process_emissions) belongs to module 8 (process_emissions), "
            "not to module 1 (headcount); valid values: 1 (member), 2 (student)",
        ),
    ]
    for params, valid, message in cases:
        response = await app_client.get(route, params={"year": "2025", **params}, headers=viewer)
        assert response.status_code == 400, (params, response.text)
        body = response.json()
        assert message in body["detail"]
        if valid is None:
            assert len(body["valid_values"]) == 23
        else:
            assert body["valid_values"] == valid


async def test_the_year_filter_of_the_job_history_is_optional_and_checked_the_same(
    app_client: httpx.AsyncClient, viewer: dict[str, str]
) -> None:
    every = await app_client.get("/api/v1/sync/jobs", headers=viewer)
    bad_year = await app_client.get("/api/v1/sync/jobs", params={"year": "abc"}, headers=viewer)
    # Any other parameter's validation stays FastAPI's 422.
    bad_limit = await app_client.get(
        "/api/v1/sync/jobs", params={"year": "2025", "limit": "0"}, headers=viewer
    )

    assert every.status_code == 200
    assert bad_year.status_code == 400
    assert bad_year.json() == {"detail": "year must be an integer from 2000 to 2100, got 'abc'"}
    assert bad_limit.status_code == 422
    assert bad_limit.json()["errors"][0]["loc"] == ["query", "limit"]


@pytest.mark.parametrize("route", YEAR_ROUTES)
@pytest.mark.parametrize(
    "param",
    ["year", "module_type_id", "data_entry_type_id", "unit_institutional_code", "limit", "offset"],
)
async def test_no_query_value_answers_500(
    app_client: httpx.AsyncClient, viewer: dict[str, str], route: str, param: str
) -> None:
    for value in NASTY:
        params = {"year": "2025", param: value}
        response = await app_client.get(route, params=params, headers=viewer)
        assert response.status_code in {200, 400, 404, 422}, (params, response.text)
        assert "detail" in response.json() or response.status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"unit_institutional_code": "u", "year": "2025", "data_entry_type_id": 50, "data": {}},
        {"unit_institutional_code": "u", "year": 2025, "data_entry_type_id": True, "data": {}},
        {"unit_institutional_code": "u", "year": 10**30, "data_entry_type_id": 50, "data": {}},
        {"unit_institutional_code": "u", "year": 2025, "data_entry_type_id": 50, "data": []},
        {"unit_institutional_code": "u\x00", "year": 2025, "data_entry_type_id": 50, "data": {}},
        {
            "unit_institutional_code": "u",
            "year": 2025,
            "data_entry_type_id": 50,
            "data": {"\x00": 1},
        },
        {"unit_institutional_code": "u", "year": 2025, "data_entry_type_id": 10**30, "data": {}},
    ],
)
async def test_no_body_answers_500(
    app_client: httpx.AsyncClient, login_as: LoginAs, body: dict[str, Any]
) -> None:
    editor = await login_as(Role.backoffice_metier)
    response = await app_client.post("/api/v1/data-entries", json=body, headers=editor)
    assert response.status_code in {400, 404, 422}, response.text


async def test_bad_path_ids_are_validation_errors(
    app_client: httpx.AsyncClient, login_as: LoginAs
) -> None:
    editor = await login_as(Role.superadmin)
    for entry_id in ("abc", "-1", "0", "1.5", str(2**63)):
        patch = await app_client.patch(
            f"/api/v1/data-entries/{entry_id}", json={"data": {}}, headers=editor
        )
        delete = await app_client.delete(f"/api/v1/data-entries/{entry_id}", headers=editor)
        assert (patch.status_code, delete.status_code) == (422, 422), entry_id


async def test_openapi_documents_year_as_an_integer_and_the_error_answers(
    app_client: httpx.AsyncClient,
) -> None:
    schema = (await app_client.get("/openapi.json")).json()
    paths = schema["paths"]

    for route in YEAR_ROUTES:
        operation = paths[route]["get"]
        year = next(p for p in operation["parameters"] if p["name"] == "year")
        assert year["schema"]["type"] == "integer"
        assert (year["schema"]["minimum"], year["schema"]["maximum"]) == (2000, 2100)
        assert {"200", "400", "401", "403"} <= set(operation["responses"])
        assert operation["responses"]["400"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorBody"
        }
    for route in TYPED_ROUTES:
        names = {p["name"] for p in paths[route]["get"]["parameters"]}
        assert {"module_type_id", "data_entry_type_id", "limit", "offset"} <= names
    assert {"201", "409"} <= set(paths["/api/v1/units"]["post"]["responses"])
    assert {"201", "400", "404"} <= set(paths["/api/v1/data-entries"]["post"]["responses"])
    assert {"200", "400", "404", "409"} <= set(
        paths["/api/v1/data-entries/{entry_id}"]["patch"]["responses"]
    )
    assert {"204", "404"} <= set(paths["/api/v1/data-entries/{entry_id}"]["delete"]["responses"])
    assert {"200", "404"} <= set(paths["/api/v1/reports/emissions"]["get"]["responses"])
    error = schema["components"]["schemas"]["ErrorBody"]
    assert error["required"] == ["detail"]
    assert error.get("additionalProperties", True) is True
