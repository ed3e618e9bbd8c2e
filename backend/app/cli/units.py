"""`co2calc units list|create|import`: the units (labs, services) data files name by code.

A data import rejects a row whose unit does not exist; these commands are the fix its message
points to. `import` reads a whole CSV file first and writes all its units or none.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncEngine

from app.cli._runner import console, run_async, session_factory, with_engine
from app.core.wording import count
from app.models import Unit
from app.schemas.units import UnitCreate, UnitRead
from app.services.unit_csv import field_problems, read_units_csv
from app.services.unit_service import UnitService

app = typer.Typer(help="Units (labs, services) that data files name by code.", no_args_is_help=True)

# All of them: a unit list is read by people and scripts whole.
_ALL = 1_000_000


def _save(create: Callable[[UnitService], Awaitable[list[Unit]]]) -> list[Unit]:
    """Run `create` in one transaction; a refusal (BadRequest, Conflict) is printed by
    run_async (exit 3) and nothing is kept."""

    async def save(engine: AsyncEngine) -> list[Unit]:
        async with session_factory(engine)() as session:
            units = await create(UnitService(session))
            await session.commit()
            return units

    return run_async(with_engine(save))


@app.command("list")
def list_units(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON, and nothing else.")] = False,
) -> None:
    """Every unit, by institutional code."""

    async def load(engine: AsyncEngine) -> list[Unit]:
        async with session_factory(engine)() as session:
            units, _ = await UnitService(session).list_page(limit=_ALL, offset=0)
            return units

    units = [UnitRead.model_validate(unit) for unit in run_async(with_engine(load))]
    if as_json:
        print(json.dumps([unit.model_dump(mode="json") for unit in units]))
        return
    table = Table(title="Units")
    for column in ("code", "name", "parent", "active"):
        table.add_column(column)
    for unit in units:
        table.add_row(
            unit.institutional_code,
            unit.name,
            unit.parent_institutional_code or "",
            "yes" if unit.is_active else "no",
        )
    console.print(table)
    if not units:
        console.print("No units yet: `co2calc units create` or `co2calc units import FILE`.")


@app.command("create")
def create(
    code: Annotated[str, typer.Option("--code", help="Institutional code (unique).")],
    name: Annotated[str, typer.Option("--name", help="Name.")],
    label_fr: Annotated[str | None, typer.Option(help="French label.")] = None,
    label_en: Annotated[str | None, typer.Option(help="English label.")] = None,
    parent: Annotated[
        str | None, typer.Option("--parent", help="Institutional code of the parent unit.")
    ] = None,
) -> None:
    """Create one unit (a taken code exits 3, refused)."""
    try:
        body = UnitCreate(
            institutional_code=code,
            name=name,
            label_fr=label_fr,
            label_en=label_en,
            parent_institutional_code=parent,
        )
    except ValidationError as error:
        raise typer.BadParameter("; ".join(field_problems(error))) from None

    async def create_one(service: UnitService) -> list[Unit]:
        return [await service.create(body)]

    (unit,) = _save(create_one)
    console.print(f"[green]Unit created:[/] {unit.institutional_code} {unit.name} (id {unit.id})")


@app.command("import")
def import_units(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="The CSV file.")
    ],
) -> None:
    """Create the units of a CSV file (UTF-8, comma-separated), all or none. Columns:
    institutional_code and name (required), label_fr, label_en, parent_institutional_code.
    A bad value, a code given twice or one that exists refuses the file (exit 3)."""
    units = _save(lambda service: service.create_many(read_units_csv(file.read_bytes())))
    console.print(f"[green]{count(len(units), 'unit')} created[/] from {file.name}.")
