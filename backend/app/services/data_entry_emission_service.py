"""Replace an entry's emission rows with freshly computed ones (an edit through the API).

Entry errors are returned, not raised: an entry whose emissions cannot be computed (missing
factor, bad data, a row beyond the plausible bound) is a normal outcome that imports, edits
and recalculations all report, and raising would invite callers to roll back the deletion of
its stale rows. The entry then has no emission rows. Database errors do propagate.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from app.emissions import EmissionRow, EntryError, FactorIndex, compute_entry
from app.emissions.entry import reason
from app.emissions.errors import CalculatorFailure
from app.emissions.factor_versions import EntryStanding, fresh_standing
from app.models.base import utcnow
from app.repositories.data_entry_emission_repo import DataEntryEmissionRepository
from app.repositories.data_entry_emission_repo import (
    insertable_rows as insertable_rows,  # re-exported: the data import takes it from here
)
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


@dataclass(frozen=True, slots=True)
class EntryEmissionResult:
    """Outcome of recomputing one entry: its new rows, or the error that left it without;
    and where it stands against the factors it was computed with."""

    data_entry_id: int
    rows: list[EmissionRow] = field(default_factory=list)
    error: EntryErrorDetail | None = None
    standing: EntryStanding = EntryStanding.current

    @property
    def ok(self) -> bool:
        return self.error is None


def compute_entry_leniently(
    data_entry_type_id: int, data: Mapping[str, Any], year: int, index: FactorIndex
) -> list[EmissionRow] | EntryError:
    """`compute_entry`, where a calculator bug becomes an entry error (and a logged traceback)
    instead of failing the caller: one entry must not sink an import or a request. A
    recalculation calls `compute_entry` itself, so there a bug fails the type."""
    try:
        return compute_entry(data_entry_type_id, data, year, index)
    except Exception as error:  # pure code: nothing here can be a database failure
        logger.exception(
            "unexpected error computing emissions of a type %s entry", data_entry_type_id
        )
        return CalculatorFailure(f"{type(error).__name__}: {error}")


class DataEntryEmissionService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.emissions = DataEntryEmissionRepository(session)
        self.entries = DataEntryRepository(session)

    async def upsert_by_data_entry(
        self, entry: EntryLike, *, year: int | None = None, index: FactorIndex | None = None
    ) -> EntryEmissionResult:
        """Replace one entry's emission rows (an edit through the API).

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
        await self.emissions.delete_by_data_entry_ids([entry.id])
        computed = compute_entry_leniently(entry.data_entry_type_id, entry.data, year, index)
        standing = fresh_standing(computed)
        if isinstance(computed, EntryError):
            detail = EntryErrorDetail(entry.id, reason(computed))
            return EntryEmissionResult(entry.id, [], detail, standing)
        await self.emissions.insert_rows(insertable_rows(entry.id, computed, utcnow()))
        return EntryEmissionResult(entry.id, computed, standing=standing)
