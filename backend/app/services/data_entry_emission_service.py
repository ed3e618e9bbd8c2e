"""Replace entries' emission rows with freshly computed ones.

Entry errors are returned, not raised: an entry whose emissions cannot be computed (missing
factor, bad data) is a normal outcome that imports, edits and recalculations all report, and
raising would invite callers to roll back the deletion of its stale rows. The entry then has
no emission rows. Database errors do propagate.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from app.emissions import EmissionRow, EntryError, FactorIndex, compute_emissions
from app.models.base import utcnow
from app.repositories.data_entry_emission_repo import DataEntryEmissionRepository
from app.repositories.data_entry_repo import DataEntryRepository
from app.services.factor_service import FactorService

logger = logging.getLogger(__name__)


class EntryLike(Protocol):
    """What computing an entry needs: a DataEntry, a repository EntryRow, an API schema."""

    @property
    def id(self) -> int: ...
    @property
    def data_entry_type_id(self) -> int: ...
    @property
    def data(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True, slots=True)
class EntryErrorDetail:
    """One entry that ended with no emission rows, and why (the message names what is wrong)."""

    data_entry_id: int
    message: str
    error_type: str

    def as_dict(self) -> dict[str, Any]:
        return {"data_entry_id": self.data_entry_id, "reason": self.message}


@dataclass(frozen=True, slots=True)
class EntryEmissionResult:
    """Outcome of recomputing one entry: its new rows, or the error that left it without."""

    data_entry_id: int
    rows: list[EmissionRow] = field(default_factory=list)
    error: EntryErrorDetail | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(slots=True)
class ComputedBatch:
    """Rows ready for insertion (one dict per row) and the entries that failed."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[EntryErrorDetail] = field(default_factory=list)
    entry_ids: list[int] = field(default_factory=list)


def _error_detail(entry_id: int, error: Exception) -> EntryErrorDetail:
    if not isinstance(error, EntryError):
        # A calculator bug must not sink a whole run, but must be visible in the logs.
        logger.exception("unexpected error computing emissions of entry %s", entry_id)
    message = str(error) or type(error).__name__
    return EntryErrorDetail(entry_id, message, type(error).__name__)


def compute_entry(
    entry: EntryLike, year: int, index: FactorIndex, *, strict: bool = False
) -> tuple[list[EmissionRow], EntryErrorDetail | None]:
    """Pure: an entry's emission rows, or its error. Only calculator errors are caught.

    `strict` (recalculations): only EntryError is an entry error; anything else (a calculator
    bug) propagates and fails the run, so a bug never passes for bad data. A single entry
    written through the API keeps the forgiving default.
    """
    try:
        return compute_emissions(entry.data_entry_type_id, entry.data, year, index), None
    except EntryError as error:
        return [], _error_detail(entry.id, error)
    except Exception as error:  # pure code: nothing here can be a database failure
        if strict:
            raise
        return [], _error_detail(entry.id, error)


def compute_batch(
    entries: Iterable[EntryLike],
    year: int,
    index: FactorIndex,
    *,
    computed_at: datetime,
    strict: bool = False,
) -> ComputedBatch:
    """Pure: emission rows of many entries as insertable dicts (for staging or writing).

    `strict`: see `compute_entry`."""
    batch = ComputedBatch()
    for entry in entries:
        batch.entry_ids.append(entry.id)
        rows, error = compute_entry(entry, year, index, strict=strict)
        if error is not None:
            batch.errors.append(error)
            continue
        batch.rows.extend(_insertable(entry.id, rows, computed_at))
    return batch


def _insertable(
    entry_id: int, rows: Iterable[EmissionRow], computed_at: datetime
) -> list[dict[str, Any]]:
    return [
        {
            "data_entry_id": entry_id,
            "emission_type_id": row.emission_type_id,
            "kg_co2eq": row.kg_co2eq,
            "factor_id": row.factor_id,
            "meta": row.meta,
            "computed_at": computed_at,
        }
        for row in rows
    ]


class DataEntryEmissionService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.emissions = DataEntryEmissionRepository(session)
        self.entries = DataEntryRepository(session)

    async def upsert_by_data_entry(
        self, entry: EntryLike, *, year: int | None = None, index: FactorIndex | None = None
    ) -> EntryEmissionResult:
        """Replace one entry's emission rows (an edit through the API, one import row).

        `year` and `index` are looked up when not given (the entry must be flushed). On an
        entry error the entry is left with no rows and the result carries the error.
        """
        if year is None:
            module_id = getattr(entry, "carbon_report_module_id", None)
            found = None if module_id is None else await self.entries.get_year_of_module(module_id)
            if found is None:
                raise ValueError(f"entry {entry.id} has no carbon report module; flush it first")
            year = found
        if index is None:
            index = await FactorService(self.session).get_index(entry.data_entry_type_id, year)
        rows, error = compute_entry(entry, year, index)
        batch = ComputedBatch(
            rows=_insertable(entry.id, rows, utcnow()),
            errors=[error] if error is not None else [],
            entry_ids=[entry.id],
        )
        await self._write(batch)
        return EntryEmissionResult(entry.id, rows, error)

    async def _write(self, batch: ComputedBatch) -> int:
        await self.emissions.delete_by_data_entry_ids(batch.entry_ids)
        return await self.emissions.insert_rows(batch.rows)
