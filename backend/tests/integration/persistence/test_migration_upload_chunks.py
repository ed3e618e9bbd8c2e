"""Migration 0008 moves each stored upload into chunks, on both databases: the chunks join
back to the file, with its size and newline count; the downgrade joins them again."""

from __future__ import annotations

from migration_data import execute_all, run_sync
from sqlalchemy import text
from sqlalchemy.engine import Connection

from app import db_migrations

# Past one chunk of 1 MiB, with a multi-byte character across the boundary.
_CONTENT = b"a,b\n" + b"x" * (1024 * 1024 - 5) + "é,1\n".encode() + b"y,2\n" * 3
_ROWS_BEFORE = [
    "INSERT INTO data_ingestion_jobs (id, module_type_id, year, ingestion_method, target_type,"
    " entity_type, state, meta, created_at) VALUES"
    " (7, 8, 2025, 0, 0, 0, 0, '{}', '2025-01-01 00:00:00')",
]


async def _store_old_upload(url: str) -> None:
    def store(connection: Connection) -> None:
        connection.execute(
            text(
                "INSERT INTO data_ingestion_job_uploads (job_id, content, created_at)"
                " VALUES (7, :content, '2025-01-02 03:04:05')"
            ),
            {"content": _CONTENT},
        )

    await execute_all(url, _ROWS_BEFORE)
    await run_sync(url, store)


async def test_upgrade_moves_an_upload_into_chunks(empty_database_url: str) -> None:
    await db_migrations.upgrade_async(empty_database_url, "0007")
    await _store_old_upload(empty_database_url)

    await db_migrations.upgrade_async(empty_database_url)

    def read(connection: Connection) -> tuple[list[bytes], tuple[int, int, str]]:
        chunks = connection.execute(
            text(
                "SELECT content FROM data_ingestion_job_upload_chunks WHERE job_id = 7 ORDER BY seq"
            )
        ).scalars()
        size, newlines, created = connection.execute(
            text("SELECT byte_size, newlines, created_at FROM data_ingestion_job_uploads")
        ).one()
        return [bytes(chunk) for chunk in chunks], (size, newlines, str(created)[:19])

    chunks, row = await run_sync(empty_database_url, read)
    assert len(chunks) == 2
    assert b"".join(chunks) == _CONTENT
    assert row == (len(_CONTENT), _CONTENT.count(b"\n"), "2025-01-02 03:04:05")


async def test_downgrade_joins_the_chunks_again(empty_database_url: str) -> None:
    await db_migrations.upgrade_async(empty_database_url, "0007")
    await _store_old_upload(empty_database_url)
    await db_migrations.upgrade_async(empty_database_url)

    await db_migrations.downgrade_async(empty_database_url, "0007")

    def read(connection: Connection) -> bytes:
        content = connection.execute(
            text("SELECT content FROM data_ingestion_job_uploads WHERE job_id = 7")
        ).scalar_one()
        return bytes(content)

    assert await run_sync(empty_database_url, read) == _CONTENT
    await db_migrations.upgrade_async(empty_database_url)  # and up again
