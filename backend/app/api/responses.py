"""The error answers of the API as OpenAPI documents them, in one place.

Every refusal has one body, `ErrorBody` (`detail` a string, plus keys that help act on it);
a request that does not match its documented shape is a 422 `ValidationErrorBody`, the same
with its field errors under `errors`. Routers declare the statuses they can answer with
`error_responses(...)`; what the request's own shape can cause (422 for parameters, 400, 413
and 422 for a body) is added to every operation of a router by `document_request_errors`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.dependencies.utils import get_flat_params
from fastapi.routing import APIRoute

from app.api.validation_errors import ValidationErrorBody
from app.schemas.common import ErrorBody
from app.web.body_limit import MAX_BODY_BYTES

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


def request_error_responses(route: APIRoute) -> Responses:
    """What a request to `route` can be refused for by its shape alone: 422 when it takes
    parameters or a body; with a body also 400 (not parseable, e.g. not UTF-8) and 413 (over
    the body limit). A route that takes nothing cannot be answered 422, so it does not say so."""
    has_body = route.body_field is not None
    statuses = [400, 413, 422] if has_body else [422] if get_flat_params(route.dependant) else []
    return error_responses(
        *statuses,
        _413=f"The request body is over {MAX_BODY_BYTES // 1024} KiB (files: the import routes).",
    )


def document_request_errors(router: APIRouter) -> None:
    """Add `request_error_responses` to each route of `router`, keeping a route's own wording
    of a status (the uploads' 413)."""
    for route in router.routes:
        if isinstance(route, APIRoute):
            for status, entry in request_error_responses(route).items():
                route.responses.setdefault(status, entry)
