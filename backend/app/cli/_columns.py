"""Tables that fit the terminal: the most useful columns first, each at the width its values
need, so nothing wraps a syllable at a time at 80 columns; `--wide` shows every column.

A column's cells are given as rich markup; its width is the longest cell (or header word),
except for a flexible column (a message), which takes what is left down to its minimum and
wraps its words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Literal

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

WideOption = Annotated[
    bool, typer.Option("--wide", help="Every column, whatever the terminal's width.")
]
# A row with this key set draws a section line instead of cells.
SECTION = "__section__"
# Each column costs its padding (one space either side) and one border beside its width,
# and the table one more border.
_COLUMN_OVERHEAD = 3
_TABLE_OVERHEAD = 1


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    # Lower is kept first when the terminal is too narrow for all.
    priority: int
    justify: Literal["left", "right"] = "left"
    # A flexible column wraps its words, never narrower than this.
    flex_min: int | None = None


def _width(markup: str) -> int:
    return Text.from_markup(markup).cell_len


def _needed(column: Column, rows: Sequence[Mapping[str, str]]) -> int:
    header = max(len(word) for word in column.header.split())
    cells = max([_width(row.get(column.header, "")) for row in rows], default=0)
    if column.flex_min is not None:
        cells = min(cells, column.flex_min)
    return max(header, cells)


def fitting_table(
    title: str,
    columns: Sequence[Column],
    rows: Sequence[Mapping[str, str]],
    *,
    width: int,
    wide: bool,
) -> tuple[Table, list[str]]:
    """The table of the columns that fit in `width` (all with `wide`), in their given order,
    and the headers left out."""
    needed = {column.header: _needed(column, rows) for column in columns}
    kept: set[str] = set()
    used = _TABLE_OVERHEAD
    for column in sorted(columns, key=lambda c: c.priority):
        cost = needed[column.header] + _COLUMN_OVERHEAD
        if wide or used + cost <= width:
            kept.add(column.header)
            used += cost
    table = Table(title=title)
    shown = [column for column in columns if column.header in kept]
    flexible = [column for column in shown if column.flex_min is not None]
    # Fixed columns get exactly the width of their longest value (headers wrap at words);
    # the flexible ones share what is left, each at least its minimum.
    spare = max(0, width - used) // max(1, len(flexible))
    for column in shown:
        size = needed[column.header]
        if column.flex_min is not None:
            size += spare
        table.add_column(column.header, justify=column.justify, width=None if wide else size)
    for row in rows:
        if row.get(SECTION):
            table.add_section()
            continue
        table.add_row(*(row.get(column.header, "") for column in shown))
    return table, [column.header for column in columns if column.header not in kept]


def print_fitting(
    console: Console,
    title: str,
    columns: Sequence[Column],
    rows: Sequence[Mapping[str, str]],
    *,
    wide: bool,
) -> None:
    """Print the table that fits the console, then which columns it left out, if any."""
    table, hidden = fitting_table(title, columns, rows, width=console.width, wide=wide)
    console.print(table)
    if hidden:
        console.print(f"[dim]Not shown at this width: {', '.join(hidden)} (--wide shows all).[/]")
