"""What every job command reads the same way: the report year, and the module and type
given by id or name, refused as a usage error (exit 2) before any database is opened, with
the API's messages."""

from __future__ import annotations

from typing import Annotated

import typer

from app.domain.modules import (
    DataEntryTypeEnum,
    ModuleTypeEnum,
    data_entry_type_in_module,
    parse_data_entry_type,
    parse_module_type,
)


def parse_year_option(value: str) -> int:
    """The year, refused with the API's own message ("year must be an integer from 2000 to
    2100") rather than Typer's or pydantic's."""
    from app.api.params import parse_year
    from app.core.errors import BadRequest

    try:
        return parse_year(value)
    except BadRequest as error:
        raise typer.BadParameter(error.detail) from None


YearOption = Annotated[
    int, typer.Option("--year", parser=parse_year_option, help="Report year, 2000 to 2100.")
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print machine-readable JSON, and nothing else.")
]
ModuleOption = Annotated[
    str, typer.Option(help="Module type, by id or name (2, professional_travel).")
]
AllTypesOption = Annotated[
    bool,
    typer.Option("--all", help="Module job: every type, not only those that need it."),
]
TypeOption = Annotated[
    str | None,
    typer.Option("--type", help="One data entry type of the module, by id or name."),
]


def parse_scope(
    module: str, data_entry_type: str | None
) -> tuple[ModuleTypeEnum, DataEntryTypeEnum | None]:
    """The module, and the type when one is given, which must belong to the module."""
    try:
        module_type = parse_module_type(module)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None
    if data_entry_type is None:
        return module_type, None
    try:
        return module_type, data_entry_type_in_module(
            module_type, parse_data_entry_type(data_entry_type)
        )
    except ValueError as error:  # an unknown name, or TypeNotInModuleError
        raise typer.BadParameter(str(error), param_hint="--type") from None
