"""openapi.json says what the API does: every operation is summarised and described, `year`
is a required integer where a route needs it, module and type ids list their values and names,
and the job stream documents its events' data."""

from __future__ import annotations

from typing import Any

import pytest

from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum
from app.openapi_document import openapi_document
from app.schemas.jobs import JobRead

STREAM = "/api/v1/sync/jobs/{job_id}/stream"
# Routes where the year is only an optional filter.
YEAR_OPTIONAL = {("get", "/api/v1/sync/jobs")}


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return openapi_document()


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]


def test_every_operation_has_a_summary_and_a_description(schema: dict[str, Any]) -> None:
    lacking = [
        f"{method.upper()} {path}"
        for method, path, operation in _operations(schema)
        if not operation.get("summary", "").strip() or not operation.get("description", "").strip()
    ]
    assert lacking == []


def test_year_is_a_required_integer_where_a_route_needs_it(schema: dict[str, Any]) -> None:
    seen = 0
    for method, path, operation in _operations(schema):
        for parameter in operation.get("parameters", []):
            if parameter["name"] != "year" or parameter["in"] != "query":
                continue
            seen += 1
            assert parameter["required"] is ((method, path) not in YEAR_OPTIONAL), path
            if parameter["required"]:
                assert parameter["schema"]["type"] == "integer", path
                bounds = (parameter["schema"]["minimum"], parameter["schema"]["maximum"])
                assert bounds == (2000, 2100), path
    assert seen >= 8


@pytest.mark.parametrize(
    ("name", "enum"),
    [("module_type_id", ModuleTypeEnum), ("data_entry_type_id", DataEntryTypeEnum)],
)
def test_ids_are_documented_with_their_values_and_names(
    schema: dict[str, Any], name: str, enum: type[ModuleTypeEnum] | type[DataEntryTypeEnum]
) -> None:
    parameters = [
        parameter
        for _, _, operation in _operations(schema)
        for parameter in operation.get("parameters", [])
        if parameter["name"] == name
    ]
    assert parameters
    for parameter in parameters:
        assert parameter["schema"]["enum"] == [member.value for member in enum]
        for member in enum:
            assert f"{member.value} {member.name.lower()}" in parameter["description"]


def test_the_job_stream_documents_its_events(schema: dict[str, Any]) -> None:
    answer = schema["paths"][STREAM]["get"]["responses"]["200"]
    item = answer["content"]["text/event-stream"]["itemSchema"]
    data = item["properties"]["data"]

    assert item["required"] == ["data"]
    assert data["contentMediaType"] == "application/json"
    job = set(JobRead.model_json_schema(mode="serialization")["properties"])
    assert set(data["contentSchema"]["properties"]) == job | {"stream_closed"}
    assert "application/json" not in answer["content"]


def test_the_request_errors_documented_are_the_ones_the_input_can_cause(
    schema: dict[str, Any],
) -> None:
    """422 needs some input to validate; a body can also be unparseable (400) or over the body
    limit (413). An operation that takes nothing never answers 422, so it does not say so."""
    for method, path, operation in _operations(schema):
        statuses = set(operation["responses"])
        where = f"{method.upper()} {path}"
        if "requestBody" in operation:
            assert {"400", "413", "422"} <= statuses, where
        elif operation.get("parameters"):
            assert "422" in statuses, where
        else:
            assert "422" not in statuses, where
