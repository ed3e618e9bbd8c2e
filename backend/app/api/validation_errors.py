"""The answer to a request FastAPI could not validate: 422 `{"detail": str, "errors": [...]}`.

FastAPI's own answer puts a list under `detail` and echoes each rejected `input`: a 5 MB name
comes back whole, and a lone surrogate or NaN in the input makes the answer itself fail (500).
Here `detail` is a string like every other error's, the field errors are under `errors`, and
nothing the client sent is echoed past a bounded, escaped quote of a key in `loc`.
The query's `year` is the exception: its refusal is the 400 `parse_year` words (what to send).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from app.api.params import year_refusal
from app.core.wording import SHOWN_LENGTH, count, shown

# Field errors listed in one answer; the detail says how many there were in all.
MAX_LISTED_ERRORS = 20
_MAX_MESSAGE_LENGTH = 200


class FieldError(BaseModel):
    loc: list[str | int] = Field(description='Where: ["body", "name"], ["query", "limit"]...')
    msg: str
    type: str = Field(description="The kind of error (`string_too_long`, `missing`...).")


class ValidationErrorBody(BaseModel):
    """A request that does not match its documented shape."""

    detail: str = Field(description="The first problem, readable as is, and how many more.")
    errors: list[FieldError] = Field(
        default_factory=list,
        description=f"At most {MAX_LISTED_ERRORS} field errors; absent when a whole uploaded "
        "file is refused.",
    )


def _location_part(part: object) -> str | int:
    if isinstance(part, int) and not isinstance(part, bool):
        return part
    text = str(part)
    if len(text) <= SHOWN_LENGTH and text.isprintable() and text.isascii():
        return text
    return shown(text)


def _field_error(error: dict[str, Any]) -> FieldError:
    message = str(error.get("msg", "invalid"))
    if len(message) > _MAX_MESSAGE_LENGTH:
        message = message[: _MAX_MESSAGE_LENGTH - 3] + "..."
    # A message quotes no input, but may carry what a validator raised: keep it valid UTF-8.
    message = message.encode("utf-8", "backslashreplace").decode("utf-8")
    return FieldError(
        loc=[_location_part(part) for part in error.get("loc", ())],
        msg=message,
        type=str(error.get("type", "value_error")),
    )


def validation_error_body(errors: Sequence[Any]) -> ValidationErrorBody:
    listed = [_field_error(error) for error in errors[:MAX_LISTED_ERRORS]]
    if not listed:
        return ValidationErrorBody(detail="the request is not valid", errors=[])
    first = listed[0]
    where = ".".join(str(part) for part in first.loc) or "request"
    more = len(errors) - 1
    suffix = f" (and {count(more, 'more error')})" if more else ""
    return ValidationErrorBody(detail=f"{where}: {first.msg}{suffix}", errors=listed)


async def handle_validation_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    refused = year_refusal(error.errors())
    if refused is not None:
        return JSONResponse(status_code=refused.status_code, content=refused.to_body())
    body = validation_error_body(error.errors())
    return JSONResponse(status_code=422, content=body.model_dump())
