"""The example files of docs/csv-formats.md import cleanly through the real import jobs, so the
documented formats cannot drift from the code: each type's factor example, then its data
example, every row accepted and every entry computed (SUCCESS, nothing rejected or ignored)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from factories import create_unit
from import_helpers import RunImport
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.ingestion import IngestionResult
from app.domain.modules import DataEntryTypeEnum, module_of
from app.services.ingestion.csv_reading import UNIT_COLUMN

EXAMPLES = Path(__file__).parents[4] / "docs" / "examples"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def test_every_type_has_both_examples_and_nothing_else() -> None:
    names = {t.name for t in DataEntryTypeEnum}
    for kind in ("factors", "data"):
        assert {p.stem for p in (EXAMPLES / kind).glob("*.csv")} == names, kind


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("entry_type", list(DataEntryTypeEnum), ids=lambda t: t.name)
async def test_example_files_import_without_a_rejected_row(
    entry_type: DataEntryTypeEnum,
    db: AsyncSession,
    import_factors: RunImport,
    import_data: RunImport,
) -> None:
    factors_file = EXAMPLES / "factors" / f"{entry_type.name}.csv"
    data_file = EXAMPLES / "data" / f"{entry_type.name}.csv"
    data_rows = _rows(data_file)
    for code in sorted({row[UNIT_COLUMN] for row in data_rows}):
        await create_unit(db, institutional_code=code)
    await db.commit()
    module = module_of(entry_type)

    factor_job = await import_factors(factors_file.read_bytes(), module, entry_type)
    assert factor_job.result == IngestionResult.SUCCESS, factor_job.status_message
    assert factor_job.meta["inserted"] == len(_rows(factors_file))
    assert factor_job.meta["ignored_columns"] == []

    data_job = await import_data(data_file.read_bytes(), module, entry_type)
    assert data_job.result == IngestionResult.SUCCESS, (data_job.status_message, data_job.meta)
    meta = data_job.meta
    assert (meta["inserted"], meta["rejected"], meta["entry_errors_total"]) == (
        len(data_rows),
        0,
        0,
    )
    assert meta["ignored_columns"] == []
    assert meta["emission_rows"] >= len(data_rows)
