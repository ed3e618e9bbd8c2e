"""Shapes every router shares: a page of items, the error body, strings safe to store."""

from __future__ import annotations

import math
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list (`limit`/`offset` in the query) and the number of matching items."""

    items: list[T]
    total: int


class ErrorBody(BaseModel):
    """The JSON body of every error: a message saying what is wrong and how to fix it, plus
    keys that help a client act on it (`valid_values` for an unknown id, `field`...)."""

    model_config = ConfigDict(extra="allow")

    detail: str
    valid_values: list[int] | None = Field(
        default=None, description="The accepted ids, when an id was unknown or out of place."
    )


# How deep a JSON value of a body may nest: entry data is flat; a bound keeps checking it (and
# any message about it) cheap whatever a client sends.
MAX_JSON_DEPTH = 8


def _storable_text(value: str) -> str:
    # PostgreSQL refuses NUL in text and JSONB, and a lone surrogate (JSON's "\ud800") cannot be
    # encoded as UTF-8: reject them here rather than fail at the database or in the answer.
    if "\x00" in value:
        raise ValueError("must not contain the NUL character")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("must not contain a lone surrogate (\\ud800-\\udfff)") from None
    return value


def reject_unstorable(value: Any, depth: int = 0) -> Any:
    """Any JSON value, unchanged, unless it cannot be stored as JSON on both databases: a string
    in it (keys included) holding NUL or a lone surrogate, a number that is not finite (NaN,
    1e999) or an integer past 64 bits, or nesting deeper than MAX_JSON_DEPTH."""
    if depth > MAX_JSON_DEPTH:
        raise ValueError(f"nests deeper than {MAX_JSON_DEPTH} levels")
    if isinstance(value, str):
        _storable_text(value)
    elif isinstance(value, float) and not math.isfinite(value):
        raise ValueError("numbers must be finite (no NaN or Infinity)")
    elif isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 63:
        raise ValueError("integers must fit in 64 bits")
    elif isinstance(value, dict):
        for key, item in value.items():
            reject_unstorable(key, depth + 1)
            reject_unstorable(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            reject_unstorable(item, depth + 1)
    return value


Code = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64),
    AfterValidator(_storable_text),
]
Label = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=255),
    AfterValidator(_storable_text),
]
JsonObject = Annotated[dict[str, Any], AfterValidator(reject_unstorable)]
