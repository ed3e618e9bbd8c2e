"""COPY text format of staged and imported rows: what PostgreSQL reads back must be the values."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from app.models import DataEntry
from app.repositories.base import table_of
from app.repositories.copy_rows import copy_text

COLUMNS = ["id", "data", "created_at", "ingestion_job_id"]
WHEN = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


def _cells(data: object, job: int | None = 7) -> list[str]:
    row = {"id": 1, "data": data, "created_at": WHEN, "ingestion_job_id": job}
    text = copy_text(table_of(DataEntry), COLUMNS, [row]).decode()
    assert text.endswith("\n")
    assert text.count("\n") == 1
    return text[:-1].split("\t")


def _unescaped(cell: str) -> str:
    """COPY's reading of a text cell (the escapes copy_text writes)."""
    out, chars = [], iter(cell)
    for char in chars:
        if char == "\\":
            following = next(chars)
            out.append({"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}[following])
        else:
            out.append(char)
    return "".join(out)


def test_json_with_control_characters_backslashes_and_quotes_reads_back_equal() -> None:
    data = {"note": 'tab\there\nnew "line" \\ back\\slash\r', "n": 1.5e-7, "none": None}
    cells = _cells(data)
    assert "\t" not in cells[1]
    assert "\n" not in cells[1]
    assert json.loads(_unescaped(cells[1])) == data
    assert cells[0] == "1"
    assert cells[3] == "7"
    assert _unescaped(cells[2]) == str(WHEN)


def test_an_integer_past_64_bits_is_still_written() -> None:
    cells = _cells({"count": 10**30})
    assert json.loads(_unescaped(cells[1])) == {"count": 10**30}


def test_null_is_copys_marker() -> None:
    assert _cells({}, job=None)[3] == "\\N"
