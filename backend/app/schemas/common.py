"""Shapes every router shares: a page of items, the error body, strings safe to store."""

from __future__ import annotations

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


def _no_nul(value: str) -> str:
    # PostgreSQL refuses NUL in text and JSONB: reject it here rather than fail at the database.
    if "\x00" in value:
        raise ValueError("must not contain the NUL character")
    return value


def reject_nul(value: Any) -> Any:
    """Any JSON value, unchanged, unless a string in it (keys included) holds NUL."""
    if isinstance(value, str):
        _no_nul(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            reject_nul(key)
            reject_nul(item)
    elif isinstance(value, list):
        for item in value:
            reject_nul(item)
    return value


Code = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64),
    AfterValidator(_no_nul),
]
Label = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=255),
    AfterValidator(_no_nul),
]
JsonObject = Annotated[dict[str, Any], AfterValidator(reject_nul)]
