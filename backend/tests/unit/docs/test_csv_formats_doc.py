"""docs/csv-formats.md says what the importers check: each type's factor and data columns
(name, type, required, default, allowed values) as the specs define them, and its inline
examples are the example files the import test runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from csv_format_tables import Row, data_rows, factor_rows

from app.domain.modules import DataEntryTypeEnum

DOCS = Path(__file__).parents[4] / "docs"
DOC = (DOCS / "csv-formats.md").read_text(encoding="utf-8")


def _section(entry_type: DataEntryTypeEnum) -> str:
    match = re.search(
        rf"^### `{entry_type.name}` \({int(entry_type)}\)\n(.*?)(?=^##|\Z)", DOC, re.S | re.M
    )
    assert match, f"csv-formats.md has no section '### `{entry_type.name}` ({int(entry_type)})'"
    return match.group(1)


def _tables(section: str) -> list[list[Row]]:
    """Each table's body rows, without the unit cell (prose, not compared)."""
    tables: list[list[Row]] = []
    for block in re.findall(r"(?:^\|.*\n)+", section, re.M):
        lines = block.splitlines()[2:]
        cells = [tuple(cell.strip() for cell in line.strip("|").split(" | ")) for line in lines]
        tables.append([(c[0], c[1], c[2], c[3], c[4]) for c in cells])
    return tables


def _shown(rows: list[Row]) -> str:
    return "\n".join("| " + " | ".join(row) + " |  |" for row in rows)


@pytest.mark.parametrize("entry_type", list(DataEntryTypeEnum), ids=lambda t: t.name)
def test_the_type_section_lists_the_columns_the_importer_checks(
    entry_type: DataEntryTypeEnum,
) -> None:
    tables = _tables(_section(entry_type))
    assert len(tables) == 2, "a factor table, then a data table"
    expected = factor_rows(entry_type)
    assert tables[0] == expected, f"factor columns should be:\n{_shown(expected)}"
    expected = data_rows(entry_type)
    assert tables[1] == expected, f"data columns should be:\n{_shown(expected)}"


@pytest.mark.parametrize("entry_type", list(DataEntryTypeEnum), ids=lambda t: t.name)
def test_the_inline_examples_are_the_example_files(entry_type: DataEntryTypeEnum) -> None:
    blocks = re.findall(r"^```csv\n(.*?)^```", _section(entry_type), re.S | re.M)
    files = [DOCS / "examples" / kind / f"{entry_type.name}.csv" for kind in ("factors", "data")]
    assert blocks == [path.read_text(encoding="utf-8") for path in files]
