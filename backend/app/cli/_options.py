"""What every job command reads the same way: the report year, and the module and type
given by id or name, refused as a usage error (exit 2) before any database is opened."""

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

YearOption = Annotated[int, typer.Option("--year", min=2000, max=2100, help="Report year.")]


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
