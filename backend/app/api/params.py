"""Query and path parameters shared by the routers, validated with messages a person can act on.

`year` is an integer from 2000 to 2100, declared so (OpenAPI marks it required where it is);
missing or anything else is a 400 saying what to send, not FastAPI's 422: the validation-error
handler (`year_refusal`) turns the year's error into `parse_year`'s message. Module and data
entry type ids are documented with their values and names; an unknown id, or a type outside the
module, is a 4xx whose body names the valid ids (`valid_values`).

Use: `year: YearQuery`, `year: OptionalYearQuery`, `module_type: ModuleTypePath` (404),
`module_type: ModuleTypeQuery`, `data_entry_type: DataEntryTypeQuery` (400), then
`ensure_type_in_module(module, type)`; or `scope: ModuleScope` for
`/{module_type_id}?data_entry_type_id=` routes. Request bodies use the `parse_*` functions, so a
body's year or type fails with the same message.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Annotated, Any

from fastapi import Depends, Path, Query
from pydantic import WithJsonSchema

from app.core.errors import BadRequest, Co2CalcError, NotFound
from app.core.wording import shown
from app.domain.modules import (
    DataEntryTypeEnum,
    ModuleTypeEnum,
    TypeNotInModuleError,
    data_entry_type_in_module,
    module_of,
)
from app.schemas.common import Code
from app.schemas.names import describe_codes

YEAR_MIN = 2000
YEAR_MAX = 2100
MAX_LIMIT = 500
DEFAULT_LIMIT = 50
# Offsets and ids stay within a 32-bit integer: bigger numbers cannot match a row, and SQLite
# cannot even bind numbers past 64 bits.
MAX_INT = 2_147_483_647

_YEAR_HINT = f"send year=YYYY, an integer from {YEAR_MIN} to {YEAR_MAX}"
_INTEGER = re.compile(r"[+-]?[0-9]{1,12}")


def parse_year(value: object) -> int:
    """The year as an int; BadRequest saying what to send when it is missing or not valid."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise BadRequest(f"year is required: {_YEAR_HINT}")
    if isinstance(value, int) and not isinstance(value, bool):
        year = value
    elif isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        year = int(value.strip())
    else:
        raise BadRequest(
            f"year must be an integer from {YEAR_MIN} to {YEAR_MAX}, got {shown(value)}"
        )
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise BadRequest(f"year {shown(year)} is out of range: {_YEAR_HINT}")
    return year


def _describe(choices: tuple[ModuleTypeEnum, ...] | tuple[DataEntryTypeEnum, ...]) -> str:
    return ", ".join(f"{choice.value} ({choice.name})" for choice in choices)


def _as_int(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        return int(value.strip())
    return None


def parse_module_type_id(
    value: object, *, error: type[Co2CalcError] = BadRequest
) -> ModuleTypeEnum:
    """A module type by id; `error` (400 by default) naming the valid ids otherwise."""
    choices = tuple(ModuleTypeEnum)
    number = _as_int(value)
    if number in {choice.value for choice in choices}:
        return ModuleTypeEnum(number)
    raise error(
        f"unknown module_type_id {shown(value)}; valid values: {_describe(choices)}",
        valid_values=[choice.value for choice in choices],
    )


def parse_data_entry_type_id(
    value: object,
    *,
    module_type: ModuleTypeEnum | None = None,
    error: type[Co2CalcError] = BadRequest,
) -> DataEntryTypeEnum:
    """A data entry type by id, of `module_type` when given; `error` naming the valid ids."""
    number = _as_int(value)
    if module_type is not None:
        try:
            return data_entry_type_in_module(module_type, number)
        except TypeNotInModuleError as refused:
            valid = refused.valid_values
            raise error(
                f"{_not_in_module(refused, value)}; valid values: {_describe(valid)}",
                valid_values=[choice.value for choice in valid],
            ) from None
    choices = tuple(DataEntryTypeEnum)
    if number in {choice.value for choice in choices}:
        return DataEntryTypeEnum(number)
    raise error(
        f"unknown data_entry_type_id {shown(value)}; valid values: {_describe(choices)}",
        valid_values=[choice.value for choice in choices],
    )


def _not_in_module(refused: TypeNotInModuleError, value: object) -> str:
    module = f"module {refused.module_type.value} ({refused.module_type.name})"
    if refused.data_entry_type is None:
        return f"unknown data_entry_type_id {shown(value)} of {module}"
    home = module_of(refused.data_entry_type)
    return (
        f"data_entry_type_id {refused.data_entry_type.value} ({refused.data_entry_type.name}) "
        f"belongs to module {home.value} ({home.name}), not to {module}"
    )


def ensure_type_in_module(
    module_type: ModuleTypeEnum, data_entry_type: DataEntryTypeEnum | None
) -> None:
    """BadRequest naming the module's types when `data_entry_type` is not one of them."""
    if data_entry_type is not None:
        parse_data_entry_type_id(data_entry_type.value, module_type=module_type)


def year_refusal(errors: Sequence[Any]) -> BadRequest | None:
    """The 400 for a request whose query `year` failed validation, saying what to send; None
    when the year is not among `errors` (FastAPI's RequestValidationError.errors())."""
    for error in errors:
        if tuple(error.get("loc", ())) == ("query", "year"):
            try:
                parse_year(error.get("input"))
            except BadRequest as refused:
                return refused
    return None


_YEAR_DESCRIPTION = f"The report year, {YEAR_MIN}..{YEAR_MAX} (400 otherwise)."
_YEAR = Query(ge=YEAR_MIN, le=YEAR_MAX, description=_YEAR_DESCRIPTION, examples=[2025])


def _id_schema(enum: type[IntEnum]) -> WithJsonSchema:
    return WithJsonSchema({"type": "integer", "enum": [member.value for member in enum]})


def _id_description(enum: type[IntEnum], error: int) -> str:
    return (
        f"{describe_codes(enum)} (see `GET /api/v1/modules`); "
        f"{error} with `valid_values` if unknown."
    )


def module_type_query(
    module_type_id: Annotated[
        str | None,
        Query(description=f"Module type id: {_id_description(ModuleTypeEnum, 400)}"),
        _id_schema(ModuleTypeEnum),
    ] = None,
) -> ModuleTypeEnum | None:
    return None if module_type_id is None else parse_module_type_id(module_type_id)


def module_type_path(
    module_type_id: Annotated[
        str,
        Path(description=f"Module type id: {_id_description(ModuleTypeEnum, 404)}"),
        _id_schema(ModuleTypeEnum),
    ],
) -> ModuleTypeEnum:
    return parse_module_type_id(module_type_id, error=NotFound)


def data_entry_type_query(
    data_entry_type_id: Annotated[
        str | None,
        Query(description=f"Data entry type id: {_id_description(DataEntryTypeEnum, 400)}"),
        _id_schema(DataEntryTypeEnum),
    ] = None,
) -> DataEntryTypeEnum | None:
    return None if data_entry_type_id is None else parse_data_entry_type_id(data_entry_type_id)


YearQuery = Annotated[int, _YEAR]
OnlyStaleQuery = Annotated[
    bool,
    Query(
        description="true: only the types that need recalculation (400 if none); "
        "false: every type of the module"
    ),
]
OptionalYearQuery = Annotated[int | None, _YEAR]
ModuleTypeQuery = Annotated[ModuleTypeEnum | None, Depends(module_type_query)]
ModuleTypePath = Annotated[ModuleTypeEnum, Depends(module_type_path)]
DataEntryTypeQuery = Annotated[DataEntryTypeEnum | None, Depends(data_entry_type_query)]


def data_entry_type_of_module(
    module_type: ModuleTypePath,
    data_entry_type_id: Annotated[
        str,
        Path(
            description="A data entry type of the module: "
            f"{_id_description(DataEntryTypeEnum, 404)}"
        ),
        _id_schema(DataEntryTypeEnum),
    ],
) -> DataEntryTypeEnum:
    return parse_data_entry_type_id(data_entry_type_id, module_type=module_type, error=NotFound)


ModuleDataEntryTypePath = Annotated[DataEntryTypeEnum, Depends(data_entry_type_of_module)]


@dataclass(frozen=True, slots=True)
class TypeFilter:
    """An optional module and an optional type of it, checked together."""

    module_type: ModuleTypeEnum | None
    data_entry_type: DataEntryTypeEnum | None


def type_filter(module_type: ModuleTypeQuery, data_entry_type: DataEntryTypeQuery) -> TypeFilter:
    if module_type is not None:
        ensure_type_in_module(module_type, data_entry_type)
    return TypeFilter(module_type, data_entry_type)


@dataclass(frozen=True, slots=True)
class Scope:
    """`/{module_type_id}?data_entry_type_id=`: a module and, optionally, one of its types."""

    module_type: ModuleTypeEnum
    data_entry_type: DataEntryTypeEnum | None


def module_scope(module_type: ModuleTypePath, data_entry_type: DataEntryTypeQuery) -> Scope:
    ensure_type_in_module(module_type, data_entry_type)
    return Scope(module_type, data_entry_type)


TypeFilterQuery = Annotated[TypeFilter, Depends(type_filter)]
ModuleScope = Annotated[Scope, Depends(module_scope)]


@dataclass(frozen=True, slots=True)
class Pagination:
    limit: int
    offset: int


def pagination(
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description=f"Page size, 1..{MAX_LIMIT}.")
    ] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=MAX_INT, description="Items to skip.")] = 0,
) -> Pagination:
    return Pagination(limit=limit, offset=offset)


PaginationQuery = Annotated[Pagination, Depends(pagination)]

EntityId = Annotated[int, Path(ge=1, le=MAX_INT)]
UnitCodeQuery = Annotated[
    Code | None, Query(description="A unit's institutional code; 404 if no unit has it.")
]
