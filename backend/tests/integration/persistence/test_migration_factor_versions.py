"""Migration 0004 fills the factor versions of existing rows, from 0003 with data, on both
databases."""

from __future__ import annotations

from typing import Any

from migration_data import execute_all, run_sync
from sqlalchemy import text
from sqlalchemy.engine import Connection

from app import db_migrations

# Two factors of type 40 (module 7), a module-wide factor import of module 7 that changed
# them (sequence 2) after a typed one (sequence 1), a later import that changed nothing
# (no sequence), and three emission rows: with a factor, from a deleted factor, an override.
_ROWS_AT_0003 = [
    "INSERT INTO units (id, institutional_code, name) VALUES (1, 'U1', 'Unit')",
    "INSERT INTO carbon_reports (id, unit_id, year, stats) VALUES (1, 1, 2025, '{}')",
    "INSERT INTO carbon_report_modules (id, carbon_report_id, module_type_id, status, stats,"
    " last_updated) VALUES (1, 1, 7, 0, '{}', '2025-01-01 00:00:00')",
    "INSERT INTO data_entries (id, carbon_report_module_id, data_entry_type_id, data, source,"
    " revision, created_at, updated_at) VALUES (1, 1, 40, '{}', 0, 1,"
    " '2025-01-01 00:00:00', '2025-01-01 00:00:00')",
    *(
        "INSERT INTO data_ingestion_jobs (id, module_type_id, data_entry_type_id, year,"
        " ingestion_method, target_type, entity_type, state, result, meta, is_current,"
        f" created_at, attempts, factor_sequence) VALUES ({job}, 7, {type_id}, 2025, 0, 1, 0,"
        f" 3, 0, '{{}}', false, '2025-01-01 00:00:00', 1, {sequence})"
        for job, type_id, sequence in ((11, 40, 1), (12, "NULL", 2), (13, 40, "NULL"))
    ),
    *(
        "INSERT INTO factors (id, data_entry_type_id, year, classification, classification_key,"
        f" \"values\") VALUES ({factor}, 40, 2025, '{{}}', 'k{factor}', '{{}}')"
        for factor in (1, 2)
    ),
    "INSERT INTO factors (id, data_entry_type_id, year, classification, classification_key,"
    " \"values\") VALUES (3, 40, 2024, '{}', 'k3', '{}')",
    *(
        "INSERT INTO data_entry_emissions (id, data_entry_id, emission_type_id, kg_co2eq,"
        f" factor_id, meta, computed_at) VALUES ({row}, 1, 1, 1.0, {factor}, '{{}}',"
        " '2025-01-01 00:00:00')"
        for row, factor in ((1, 1), (2, "NULL"))
    ),
]


def _read(connection: Connection) -> dict[str, list[tuple[Any, ...]]]:
    return {
        "factors": [
            tuple(row)
            for row in connection.execute(
                text("SELECT id, revision, changed_by_job_id FROM factors ORDER BY id")
            )
        ],
        "emissions": [
            tuple(row)
            for row in connection.execute(
                text(
                    "SELECT id, factor_id, factor_ref_id, factor_revision"
                    " FROM data_entry_emissions ORDER BY id"
                )
            )
        ],
    }


async def test_upgrade_from_0003_fills_factor_versions(empty_database_url: str):
    await db_migrations.upgrade_async(empty_database_url, "0003")
    await execute_all(empty_database_url, _ROWS_AT_0003)

    await db_migrations.upgrade_async(empty_database_url)

    filled = await run_sync(empty_database_url, _read)
    # The module-wide import committed last; the 2024 factor has no import of its year.
    assert filled["factors"] == [(1, 1, 12), (2, 1, 12), (3, 1, None)]
    # The row of a factor deleted before the migration has lost its identity already.
    assert filled["emissions"] == [(1, 1, 1, 1), (2, None, None, None)]


async def test_downgrade_to_0003_keeps_the_rows(empty_database_url: str):
    await db_migrations.upgrade_async(empty_database_url, "0003")
    await execute_all(empty_database_url, _ROWS_AT_0003)
    await db_migrations.upgrade_async(empty_database_url)

    await db_migrations.downgrade_async(empty_database_url, "0003")

    def count(connection: Connection) -> tuple[int, int]:
        factors = connection.execute(text("SELECT count(*) FROM factors")).scalar_one()
        rows = connection.execute(text("SELECT count(*) FROM data_entry_emissions")).scalar_one()
        return factors, rows

    assert await run_sync(empty_database_url, count) == (3, 2)
