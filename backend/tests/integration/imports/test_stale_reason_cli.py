"""`co2calc recalc status` says why a type is stale in its reason column, names entries no
factor matches apart, and prints the whole reason with --json."""

from __future__ import annotations

import asyncio
import json

import pytest
from import_helpers import PROCESS_TYPE, RunImport, csv_bytes
from typer.testing import CliRunner

from app.cli import app
from app.cli._runner import console

pytestmark = pytest.mark.usefixtures("recalculated", "cli_database")

# co2 changed, n2o left out (removed): the two co2 entries affected, and the n2o one, which
# now matches no factor (a recalculation removes its rows and cannot compute it).
CHANGED = csv_bytes(
    "category,subcategory,gwp_kg_co2eq_per_kg", "ch4,,28", "co2,,2", "refrigerants,,2000"
)


async def _status(*options: str) -> str:
    """The command's output; in a thread, since the CLI runs its own event loop."""
    arguments = ["recalc", "status", "--year", "2025", *options]
    result = await asyncio.to_thread(CliRunner().invoke, app, arguments)
    assert result.exit_code == 0, result.output
    return result.output


def _cell(table: str, header: str, row_start: str) -> str:
    """The text of one cell of a rich table, its wrapped lines joined."""
    lines = table.splitlines()
    headers = next(line for line in lines if f" {header} " in line).split("┃")
    column = [cell.strip() for cell in headers].index(header)
    first = next(i for i, line in enumerate(lines) if row_start in line)
    parts = [lines[first].split("│")[column].strip()]
    for line in lines[first + 1 :]:
        cells = line.split("│")
        if len(cells) <= column or cells[1].strip():
            break  # the next row, or the table's end
        parts.append(cells[column].strip())
    return " ".join(part for part in parts if part)


async def test_the_reason_column_names_the_import_and_the_counts(
    import_factors: RunImport, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(console, "width", 250)  # wide enough for the line in one cell
    assert "match no factor" not in await _status()
    changed = await import_factors(CHANGED)

    table = await _status()

    assert _cell(table, "reason", "8 process_emissions") == (
        f"2 factors changed by import #{changed.id} on {changed.finished_at:%d %b}, "
        "3 of 6 entries affected; 1 matches no factor (recalculating cannot fix it)"
    )


async def test_json_carries_the_whole_reason(import_factors: RunImport) -> None:
    changed = await import_factors(CHANGED)

    (process,) = json.loads(await _status("--json"))
    (row,) = process["data_entry_types"]
    assert row["data_entry_type_id"] == PROCESS_TYPE
    reason = row["reason"]
    assert (reason["entries"], reason["affected_entries"], reason["unresolvable_entries"]) == (
        6,
        3,
        1,
    )
    (listed,) = reason["factor_imports"]
    assert (listed["job_id"], listed["updated"], listed["removed"]) == (changed.id, 1, 1)
    assert (listed["requested_by"], listed["file_name"]) == ("tester", "test.csv")
    assert reason["factor_imports_total"] == 1
