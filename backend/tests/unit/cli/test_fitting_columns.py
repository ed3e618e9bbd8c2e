"""Tables choose their columns by the terminal's width: the most useful first, none squeezed
into a syllable per line; `wide` keeps them all."""

from __future__ import annotations

from rich.console import Console

from app.cli._columns import Column, fitting_table

COLUMNS = (
    Column("id", 0, "right"),
    Column("module", 3),
    Column("type", 1),
    Column("message", 1, flex_min=20),
    Column("requested by", 9),
)
ROWS = [
    {
        "id": "53",
        "module": "professional_travel",
        "type": "biological_chemical_gaseous_product",
        "message": "Recalculated 2 data entries of 1 data entry type",
        "requested by": "cli:someone",
    }
]


def _render(width: int, *, wide: bool) -> tuple[list[str], list[str]]:
    table, hidden = fitting_table("Jobs", COLUMNS, ROWS, width=width, wide=wide)
    console = Console(width=width, record=True, color_system=None)
    console.print(table)
    return console.export_text().splitlines(), hidden


def test_at_80_columns_the_table_fits_and_no_value_is_cut() -> None:
    lines, hidden = _render(80, wide=False)

    assert all(len(line) <= 80 for line in lines)
    text = "\n".join(lines)
    assert "biological_chemical_gaseous_product" in text  # whole, not wrapped mid-word
    assert "53" in text
    assert hidden == ["module", "requested by"]  # the least useful left out, in table order


def test_a_wide_terminal_shows_every_column() -> None:
    lines, hidden = _render(200, wide=False)

    assert hidden == []
    assert "professional_travel" in "\n".join(lines)
    assert all(len(line) <= 200 for line in lines)


def test_wide_keeps_every_column_whatever_the_width() -> None:
    _, hidden = _render(80, wide=True)

    assert hidden == []
