"""The three paths that store an entry's emissions agree: a CSV import, a single-entry edit and
a recalculation give the same rows, or the same entry error, for the same data and factors."""

from __future__ import annotations

from typing import Any

import pytest
from factories import create_unit
from import_helpers import PROCESS, PROCESS_TYPE, YEAR, RunImport, csv_bytes
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.domain.ingestion import IngestionResult
from app.models import CarbonReportModule, DataEntry, DataEntryEmission
from app.services.data_entry_service import DataEntryService
from app.workflows.emission_recalculation import EmissionRecalculationWorkflow

SessionFactory = async_sessionmaker[AsyncSession]
UNIT = "U1"
# No n2o factor: an n2o entry without override has a missing factor.
CH4_ONLY = csv_bytes("category,subcategory,gwp_kg_co2eq_per_kg", "ch4,,28")
HEADER = "unit_institutional_code,category,subcategory,quantity_kg,kg_co2eq"

# (emission type, kg, factor id present) rows, and the entry error's reason.
Outcome = tuple[list[tuple[int, float, bool]], str | None]


async def rows_of(session_factory: SessionFactory, entry_id: int) -> list[tuple[int, float, bool]]:
    async with session_factory() as session:
        found = await session.execute(
            select(
                DataEntryEmission.emission_type_id,
                DataEntryEmission.kg_co2eq,
                DataEntryEmission.factor_id,
            )
            .where(DataEntryEmission.data_entry_id == entry_id)
            .order_by(DataEntryEmission.id)
        )
        return [(code, kg, factor_id is not None) for code, kg, factor_id in found]


async def through_the_import(
    session_factory: SessionFactory, import_data: RunImport, cells: dict[str, str]
) -> tuple[int, Outcome]:
    line = ",".join((UNIT, cells["category"], "", cells["quantity_kg"], cells.get("kg_co2eq", "")))
    job = await import_data(csv_bytes(HEADER, line))
    assert job.meta["inserted"] == 1, job.status_message
    async with session_factory() as session:
        entry_id = await session.scalar(select(DataEntry.id).order_by(DataEntry.id.desc()))
    assert entry_id is not None
    errors = job.meta["entry_errors"]
    return entry_id, (
        await rows_of(session_factory, entry_id),
        errors[0]["reason"] if errors else None,
    )


async def through_an_edit(
    session_factory: SessionFactory, cells: dict[str, str]
) -> tuple[int, Outcome]:
    async with session_factory() as session:
        written = await DataEntryService(session).create(
            unit_institutional_code=UNIT, year=YEAR, data_entry_type=PROCESS_TYPE, data=cells
        )
        await session.commit()
    rows = [(e.emission_type_id, e.kg_co2eq, e.factor_id is not None) for e in written.emissions]
    assert rows == await rows_of(session_factory, written.id)
    return written.id, (rows, written.emission_error)


async def through_a_recalculation(
    session_factory: SessionFactory, engine: AsyncEngine, entry_ids: list[int]
) -> list[Outcome]:
    async with engine.connect() as connection, AsyncSession(bind=connection) as session:
        stats = await EmissionRecalculationWorkflow(session).recalculate_for_data_entry_type(
            PROCESS_TYPE, YEAR
        )
        await session.commit()
    reasons = {detail["entry_id"]: detail["reason"] for detail in stats["error_details"]}
    return [(await rows_of(session_factory, i), reasons.get(i)) for i in entry_ids]


@pytest.mark.parametrize(
    ("cells", "expected_rows", "error_says"),
    [
        pytest.param(
            {"category": "ch4", "quantity_kg": "10"}, [(70100, 280.0, True)], None, id="computed"
        ),
        pytest.param(
            {"category": "ch4", "quantity_kg": "1e300"}, [], "plausible bound", id="over-the-bound"
        ),
        pytest.param(
            {"category": "n2o", "quantity_kg": "1", "kg_co2eq": "42"},
            [(70000, 42.0, False)],
            None,
            id="override",
        ),
        pytest.param(
            {"category": "ch4", "quantity_kg": "1", "kg_co2eq": "1e16"},
            [],
            "plausible bound",
            id="override-over-the-bound",
        ),
        pytest.param(
            {"category": "n2o", "quantity_kg": "1"},
            [],
            "no process_emissions factor",
            id="missing-factor",
        ),
    ],
)
async def test_import_edit_and_recalculation_agree(
    session_factory: SessionFactory,
    engine: AsyncEngine,
    import_factors: RunImport,
    import_data: RunImport,
    cells: dict[str, str],
    expected_rows: list[tuple[int, float, bool]],
    error_says: str | None,
) -> None:
    async with session_factory() as session:
        await create_unit(session, institutional_code=UNIT)
        await session.commit()
    assert (await import_factors(CH4_ONLY)).result == IngestionResult.SUCCESS

    imported_id, imported = await through_the_import(session_factory, import_data, cells)
    edited_id, edited = await through_an_edit(session_factory, cells)
    recalculated = await through_a_recalculation(session_factory, engine, [imported_id, edited_id])

    assert imported == edited == recalculated[0] == recalculated[1]
    rows, error = imported
    assert rows == expected_rows
    if error_says is None:
        assert error is None
    else:
        assert error is not None
        assert error_says in error


async def test_a_csv_row_over_the_bound_is_an_entry_error_and_the_rest_imports(
    session_factory: SessionFactory, import_factors: RunImport, import_data: RunImport
) -> None:
    async with session_factory() as session:
        await create_unit(session, institutional_code=UNIT)
        await session.commit()
    await import_factors(CH4_ONLY)

    job = await import_data(
        csv_bytes(HEADER, f"{UNIT},ch4,,10,", f"{UNIT},ch4,,1e300,", f"{UNIT},ch4,,2,")
    )

    assert job.result == IngestionResult.WARNING, job.status_message
    assert (job.meta["inserted"], job.meta["entry_errors_total"]) == (3, 1)
    (error,) = job.meta["entry_errors"]
    assert error["line"] == 3
    assert "plausible bound" in error["reason"]
    assert "1 without emissions (line 3" in (job.status_message or "")
    async with session_factory() as session:
        kg = sorted((await session.execute(select(DataEntryEmission.kg_co2eq))).scalars())
        stats: dict[str, Any] = await session.scalar(
            select(CarbonReportModule.stats).where(CarbonReportModule.module_type_id == PROCESS)
        )
    assert kg == [56.0, 280.0]
    assert stats["total"] == pytest.approx(336.0)
    assert stats["entry_count"] == 3
