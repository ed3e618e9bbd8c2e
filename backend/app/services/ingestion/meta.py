"""The keys an import writes to `DataIngestionJob.meta`: the one place they are defined.

Documented for readers of the job history in docs/jobs-and-locking.md ("Import job meta").
Keys are stable: add new ones, never rename or drop one. Lists are capped at `MAX_LISTED`
items; the `*_total` key always holds the exact count.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NotRequired, TypedDict

MAX_LISTED = 100


class RowIssue(TypedDict):
    """A file row that was rejected, or imported with an entry error."""

    line: int  # 1-based line of the file; line 1 is the header
    reason: str
    entry_id: NotRequired[int]  # entry errors of a data import: the entry that was created


class FactorImportMeta(TypedDict):
    """meta of a FACTORS job: what the file held and what the upsert did with it."""

    rows: int  # data rows read (blank lines not counted)
    inserted: int
    updated: int
    unchanged: int
    removed: int  # identities absent from the file; 0 whenever a row was rejected
    rejected: int  # == rejected_total
    rejected_rows: list[RowIssue]
    rejected_total: int
    ignored_columns: list[str]  # header columns that are not columns of the type(s)


class DataImportMeta(TypedDict):
    """meta of a DATA_ENTRIES job imported from a CSV file."""

    mode: str  # "append" or "replace"
    rows: int
    inserted: int  # entries created (entry errors included)
    removed: int  # entries of earlier CSV imports removed by mode=replace
    rejected: int  # == rejected_total
    rejected_rows: list[RowIssue]
    rejected_total: int
    entry_errors: list[RowIssue]  # imported rows whose emissions could not be computed
    entry_errors_total: int
    emission_rows: int  # emission rows written
    units: int  # distinct units of the imported rows
    reports_created: int  # carbon reports (with their modules) created for them
    ignored_columns: list[str]


def capped(issues: Iterable[RowIssue]) -> list[RowIssue]:
    """The first MAX_LISTED issues."""
    listed: list[RowIssue] = []
    for issue in issues:
        if len(listed) == MAX_LISTED:
            break
        listed.append(issue)
    return listed
