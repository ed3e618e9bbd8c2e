"""Migration 0006 fills the entry factor counts from 0005 with data, on both databases: the
entries of each type and year, affected and unresolvable not counted yet (NULL)."""

from __future__ import annotations

from typing import Any

from migration_data import execute_all, run_sync
from sqlalchemy import text
from sqlalchemy.engine import Connection

from app import db_migrations

# Rows as they stand before 0006 (0005 changed no table of the project). Two reports
# (2024, 2025) of one unit; three entries of type 40 and one of type 41 in 2025,
# one entry of type 40 in 2024.
_ROWS_BEFORE = [
    "INSERT INTO units (id, institutional_code, name) VALUES (1, 'U1', 'Unit')",
    *(
        f"INSERT INTO carbon_reports (id, unit_id, year, stats) VALUES ({r}, 1, {year}, '{{}}')"
        for r, year in ((1, 2025), (2, 2024))
    ),
    *(
        "INSERT INTO carbon_report_modules (id, carbon_report_id, module_type_id, status, stats,"
        f" last_updated) VALUES ({r}, {r}, 7, 0, '{{}}', '2025-01-01 00:00:00')"
        for r in (1, 2)
    ),
    *(
        "INSERT INTO data_entries (id, carbon_report_module_id, data_entry_type_id, data, source,"
        f" revision, created_at, updated_at) VALUES ({entry}, {module}, {type_id}, '{{}}', 0, 1,"
        " '2025-01-01 00:00:00', '2025-01-01 00:00:00')"
        for entry, module, type_id in ((1, 1, 40), (2, 1, 40), (3, 1, 40), (4, 1, 41), (5, 2, 40))
    ),
]


def _read(connection: Connection) -> list[tuple[Any, ...]]:
    return [
        tuple(row)
        for row in connection.execute(
            text(
                "SELECT data_entry_type_id, year, entries, affected, unresolvable,"
                " counted_at IS NOT NULL FROM entry_factor_counts ORDER BY year, data_entry_type_id"
            )
        )
    ]


async def test_upgrade_from_0005_counts_the_entries_of_each_type_and_year(
    empty_database_url: str,
):
    await db_migrations.upgrade_async(empty_database_url, "0005")
    await execute_all(empty_database_url, _ROWS_BEFORE)

    await db_migrations.upgrade_async(empty_database_url)

    assert await run_sync(empty_database_url, _read) == [
        (40, 2024, 1, None, None, True),
        (40, 2025, 3, None, None, True),
        (41, 2025, 1, None, None, True),
    ]


async def test_downgrade_to_0005_drops_the_counts(empty_database_url: str):
    await db_migrations.upgrade_async(empty_database_url, "0005")
    await execute_all(empty_database_url, _ROWS_BEFORE)
    await db_migrations.upgrade_async(empty_database_url)

    await db_migrations.downgrade_async(empty_database_url, "0005")

    def tables(connection: Connection) -> int:
        return connection.execute(text("SELECT count(*) FROM data_entries")).scalar_one()

    assert await run_sync(empty_database_url, tables) == 5
    await db_migrations.upgrade_async(empty_database_url)  # and up again
