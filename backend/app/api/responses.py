"""The error answers of the API as OpenAPI documents them, in one place.

Every refusal has one body, `ErrorBody` (`detail` a string, plus keys that help act on it);
a request that does not match its documented shape is a 422 `ValidationErrorBody`, the same
with its field errors under `errors`. Routers declare the statuses they can answer with
`error_responses(...)`; the v1 router declares 422 for every operation.
"""

from __future__ import annotations

from typing import Any

from app.api.validation_errors import ValidationErrorBody
from app.schemas.common import ErrorBody

DESCRIPTIONS = {
    400: "A parameter or the body is not valid; `detail` says what to send.",
    401: "No valid session cookie or bearer token.",
    403: "The caller's roles lack the right, or the CSRF header is missing.",
    404: "Nothing with this id or code.",
    409: "Conflicts with what is stored (a duplicate, a concurrent change).",
    413: "The uploaded file is over CO2CALC_MAX_UPLOAD_MB.",
    422: "The request does not match its documented shape; `errors` lists each field's error.",
    429: "Too many attempts; see Retry-After.",
}

Responses = dict[int | str, dict[str, Any]]


def error_responses(*statuses: int, **described: str) -> Responses:
    """OpenAPI entries for the error statuses a route can answer; `described` gives a route's
    own wording of one (`_409="..."`), else the shared one applies."""
    entries: Responses = {}
    for status in statuses:
        model = ValidationErrorBody if status == 422 else ErrorBody
        description = described.get(f"_{status}", DESCRIPTIONS.get(status, "Error."))
        entries[status] = {"model": model, "description": description}
    return entries
