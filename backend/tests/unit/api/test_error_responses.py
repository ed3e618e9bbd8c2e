"""OpenAPI documents the error answers of every operation with one shared body: `ErrorBody`
(`detail` a string) for 400/401/403/404/409/413/429 and `ValidationErrorBody` (the same, with
`errors`) for 422; operations behind a login document 401 and 403."""

from __future__ import annotations

from typing import Any

from app.openapi_document import openapi_document

ERROR_BODY = "#/components/schemas/ErrorBody"
VALIDATION_BODY = "#/components/schemas/ValidationErrorBody"
# An error body that extends ErrorBody with the active job's id (a 409 of a recalculation).
EXTENDED = {"#/components/schemas/RecalculationConflict"}
PUBLIC = {"get_health", "login", "token"}


def _operations() -> list[tuple[str, dict[str, Any]]]:
    paths = openapi_document()["paths"]
    return [
        (f"{method.upper()} {path}", operation)
        for path, methods in paths.items()
        for method, operation in methods.items()
    ]


def _schema_ref(response: dict[str, Any]) -> str | None:
    # The job stream documents its refusals under text/event-stream, the rest as JSON.
    contents = list(response.get("content", {}).values())
    ref: str | None = contents[0].get("schema", {}).get("$ref") if contents else None
    return ref


def test_every_documented_422_has_the_validation_body() -> None:
    documented = [(name, op) for name, op in _operations() if "422" in op["responses"]]
    assert len(documented) > 15  # every operation taking input; which ones: test_openapi_truth
    for name, operation in documented:
        assert _schema_ref(operation["responses"]["422"]) == VALIDATION_BODY, name


def test_every_documented_refusal_uses_the_shared_error_body() -> None:
    for name, operation in _operations():
        for status, response in operation["responses"].items():
            if status.startswith("4") and status != "422":
                assert _schema_ref(response) in {ERROR_BODY, *EXTENDED}, (name, status)


def test_operations_behind_a_login_document_401_and_403() -> None:
    for name, operation in _operations():
        if operation["operationId"] not in PUBLIC:
            assert {"401", "403"} <= set(operation["responses"]), name


def test_the_error_bodies_say_detail_is_a_string() -> None:
    schemas = openapi_document()["components"]["schemas"]

    for body in ("ErrorBody", "ValidationErrorBody"):
        assert schemas[body]["properties"]["detail"]["type"] == "string"
        assert "detail" in schemas[body]["required"]
    assert schemas["ValidationErrorBody"]["properties"]["errors"]["type"] == "array"
    assert {"HTTPValidationError", "ErrorDetail"}.isdisjoint(schemas)
