"""The work of a DATA_ENTRIES job fed by a CSV file (method csv).

Two phases, so that the time other writers wait for the import is short:
1. the file is read batch by batch (BATCH_SIZE rows): each batch is checked and its emissions
   computed in a worker thread, one batch ahead (`app.core.read_ahead`): while the database
   writes batch n, batch n + 1 is prepared. Then its units are resolved (cached across
   batches) and it is written where it waits for phase 2, so at most two batches of rows are
   held whatever the file's length; progress by time and after the last batch. Where a batch
   waits:
   - SQLite: TEMP tables (`ImportStagingRepository`), entries keyed by row ordinal; each batch
     is committed, which takes no lock on the main database;
   - PostgreSQL: the real tables already, by COPY, with entry ids taken from the id sequence
     (and each unit's report and module created when first met); the worker thread formats
     the batch's COPY text too, but its ids and modules, which the loop puts in front. The
     job is one transaction, so until it commits nobody sees these rows, and nobody waits for
     them: new rows lock nothing other writers take (the foreign keys only share-lock the
     module and job rows), but a concurrent creator of the same new report (unit, year) waits.
   Emissions follow the rule an edit and a recalculation apply (`compute_entry`): a missing
   factor or a row beyond the plausible bound is an entry error, and the entry is imported
   without emissions. Decoding, row checks and the computation run in worker threads, so
   the event loop of the process running the job (the API server's, with the inline
   runner) keeps answering requests; only the database work runs on the loop, under the
   file's session lock (the thread reads the file's chunks through the same session);
2. one short write, set-based: on SQLite `BEGIN IMMEDIATE`, the missing reports and modules,
   then the entries and emission rows copied from the staging with INSERT ... SELECT (entry
   ids: see the staging repository), WRITE_PART entries per statement with progress between
   two parts (shown without a commit: the transaction holds the write lock); on both, the
   `replace` deletion (of earlier CSV entries, never this job's), the module and report
   stats, and the entry factor counts of its types (app.services.entry_count_changes).
The job wrapper commits phase 2 together with the job's end, or rolls it all back.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.progress_pace import SLICE_ROWS, ProgressPace
from app.core.read_ahead import read_ahead
from app.core.wording import agree, count
from app.domain.ingestion import DataEntrySource, IngestionResult
from app.domain.modules import (
    DataEntryTypeEnum,
    ModuleTypeEnum,
    TypeNotInModuleError,
    data_entry_type_in_module,
    describe_types,
    parse_data_entry_type,
)
from app.domain.recalculation_status import EntryCountChange
from app.emissions import EmissionRow, EntryError, EntryValidationError, FactorIndex
from app.emissions.entry import reason
from app.emissions.factor_files import TYPE_COLUMN
from app.emissions.factor_versions import EntryStanding, fresh_standing
from app.emissions.validation import RowValidator
from app.models.base import utcnow
from app.repositories.carbon_report_repo import CarbonReportRepository
from app.repositories.data_entry_import_repo import (
    DataEntryImportRepository,
    emission_copy_cells,
    entry_copy_cells,
)
from app.repositories.import_staging_repo import ImportStagingRepository, key_ranges
from app.repositories.unit_repo import UnitRepository
from app.services.carbon_report_module_service import (
    CarbonReportModuleService,
    refreshing_stats,
)
from app.services.data_entry_emission_service import compute_entry_leniently, insertable_rows
from app.services.entry_count_changes import EntryCountChanges, change_of
from app.services.factor_service import FactorService
from app.services.ingestion.csv_reading import (
    UNIT_COLUMN,
    CsvFileError,
    FileKind,
    check_header,
    decoded_lines,
    describe_columns,
    describe_ignored,
    missing_columns,
    open_table,
    types_of,
)
from app.services.ingestion.meta import MAX_LISTED, DataImportMeta, RowIssue
from app.services.ingestion.outcome import (
    ImportOutcome,
    Progress,
    WriteProgress,
    all_rejected,
    no_progress,
    no_write_progress,
)
from app.services.ingestion.stored_file import StoredFile

_UNIT_LOOKUP_CHUNK = 1_000
# Rows read, checked, computed and staged per batch: well under a second of work, so that
# progress published by time (app.core.progress_pace) moves at least once a second. Batches of
# 5,000 made fewer waits of the loop for the worker thread's GIL (after each round trip) but
# held requests back: during a 300,000-row import the p95 of /health, /auth/me and the
# recalculation status was 122-239 ms with 5,000 against 47-137 ms with 1,000, for a job of
# 17.1-19.8 s against 16.4-27.7 s (`bench/latency.py --rows 300000`, both databases).
BATCH_SIZE = 2 * SLICE_ROWS
# Entries (with their emission rows) per statement of SQLite's final copy: a million entries
# in one statement ran 71 s without progress on the loaded 2-core machine; a part of 10,000
# is well under a second there, as the recalculation's swap parts.
WRITE_PART = 10_000


class ImportMode(Enum):
    """append adds the file's entries; replace first removes those of earlier CSV imports."""

    append = "append"
    replace = "replace"


@dataclass(slots=True)
class _Row:
    """A valid row: where it goes, its typed data, and its emissions (or why there are none)."""

    line: int
    unit_code: str
    data_entry_type: DataEntryTypeEnum
    data: dict[str, Any]
    emissions: list[EmissionRow]
    error: str | None = None
    standing: EntryStanding = EntryStanding.current
    # PostgreSQL: the COPY text of the entry's columns after its id and module, and of each
    # emission row's after its entry id, formatted in the worker thread (`_copy_cells`).
    entry_cells: str = ""
    emission_cells: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Target:
    """Where the import writes: the job, its module type and year, and the one time stamp
    of its entries and emission rows."""

    job_id: int
    module_type: ModuleTypeEnum
    year: int
    written_at: datetime


class _RowRejected(ValueError):
    pass


@dataclass(slots=True)
class _Checked:
    rows: list[_Row]
    rejected: list[RowIssue]


@dataclass(slots=True)
class _Tally:
    """What an import keeps of the batches it has staged: counts, the units, and the first
    MAX_LISTED rejected rows and entry errors (entry errors by staging key)."""

    rows: int = 0
    staged: int = 0
    emission_rows: int = 0
    unit_ids: dict[str, int | None] = field(default_factory=dict)
    used_units: set[int] = field(default_factory=set)
    rejected: list[RowIssue] = field(default_factory=list)
    rejected_total: int = 0
    errors: list[tuple[int, str, int]] = field(default_factory=list)
    errors_total: int = 0
    standings: dict[int, Counter[EntryStanding]] = field(default_factory=dict)
    module_of_unit: dict[int, int] = field(default_factory=dict)
    reports_created: int = 0

    def add_rejected(self, issues: list[RowIssue]) -> None:
        self.rejected_total += len(issues)
        self.rejected.extend(issues[: MAX_LISTED - len(self.rejected)])

    def add_staged(self, rows: list[_Row], keys: list[int], unit_ids: dict[str, int]) -> None:
        self.staged += len(rows)
        for row, key in zip(rows, keys, strict=True):
            self.emission_rows += len(row.emissions)
            self.used_units.add(unit_ids[row.unit_code])
            self.standings.setdefault(int(row.data_entry_type), Counter())[row.standing] += 1
            if row.error is not None:
                self.errors_total += 1
                if len(self.errors) < MAX_LISTED:
                    self.errors.append((row.line, row.error, key))

    def count_changes(self, removal: dict[int, EntryCountChange]) -> dict[int, EntryCountChange]:
        """Per type, the entry factor counts the import moves: the staged entries added, what
        a replace removed taken off."""
        changes = dict(removal)
        for type_id, standings in self.standings.items():
            changes[type_id] = changes.get(type_id, EntryCountChange()) + change_of(standings)
        return changes


class _RowReader:
    """Turns the cells of one row into a _Row, or raises _RowRejected with the reason."""

    def __init__(
        self,
        header: list[str],
        module_type: ModuleTypeEnum,
        data_entry_type: DataEntryTypeEnum | None,
    ) -> None:
        self.header = header
        self.module_type = module_type
        self.fixed_type = data_entry_type
        self.types = types_of(module_type, data_entry_type)
        self.unit_index = header.index(UNIT_COLUMN)
        self.type_index = None if data_entry_type is not None else header.index(TYPE_COLUMN)
        self.missing = {t: missing_columns(header, FileKind.data_entries, t) for t in self.types}
        self.validators = {t: RowValidator(t, header) for t in self.types}

    def read(self, line: int, cells: Sequence[str]) -> _Row:
        if len(cells) != len(self.header):
            raise _RowRejected(
                f"expected {count(len(self.header), 'cell')} as in the header, found {len(cells)}"
            )
        unit_code = cells[self.unit_index].strip()
        if not unit_code:
            raise _RowRejected(f"{UNIT_COLUMN}: a value is required")
        entry_type = self._type(cells)
        missing = self.missing[entry_type]
        if missing:
            raise _RowRejected(
                f"missing required {agree(len(missing), 'column')} {', '.join(missing)} for "
                f"{entry_type.name} rows; {describe_columns(FileKind.data_entries, entry_type)}"
            )
        try:
            data = self.validators[entry_type].validate(cells)
        except EntryValidationError as error:
            raise _RowRejected(str(error)) from None
        return _Row(line, unit_code, entry_type, data, [])

    def _type(self, cells: Sequence[str]) -> DataEntryTypeEnum:
        if self.type_index is None:
            assert self.fixed_type is not None
            return self.fixed_type
        value = cells[self.type_index]
        try:
            named: DataEntryTypeEnum | str = parse_data_entry_type(value)
        except ValueError:
            named = value
        try:
            return data_entry_type_in_module(self.module_type, named)
        except TypeNotInModuleError as error:
            raise _RowRejected(
                f"{TYPE_COLUMN} {value.strip()!r} is not a type of module "
                f"{self.module_type.name}; valid values: {describe_types(error.valid_values)}"
            ) from None


def _compute(row: _Row, year: int, index: FactorIndex) -> None:
    computed = compute_entry_leniently(row.data_entry_type, row.data, year, index)
    row.standing = fresh_standing(computed)
    if isinstance(computed, EntryError):
        row.error = reason(computed)
    else:
        row.emissions = computed


@dataclass(slots=True)
class _File:
    """The file being imported: its row reader, its rows (read lazily) and what the header
    told."""

    reader: _RowReader
    rows: Iterator[tuple[int, list[str]]]
    ignored: tuple[str, ...]
    lines: int  # physical lines after the header: an upper bound of the rows, for progress


def _open(
    stored: StoredFile, module_type: ModuleTypeEnum, data_entry_type: DataEntryTypeEnum | None
) -> _File:
    """Check the file's header; its rows are decoded as they are read (in a thread: reading
    waits for the file's chunks)."""
    header, rows = open_table(decoded_lines(stored.chunks))
    ignored = check_header(header, FileKind.data_entries, module_type, data_entry_type)
    lines = max(stored.newlines - 1, 1)
    return _File(_RowReader(header, module_type, data_entry_type), rows, ignored, lines)


def _next_batch(file: _File) -> tuple[_Checked, int]:
    """The next BATCH_SIZE rows of the file, checked (in a thread); and how many were read
    (0 at the end of the file)."""
    checked = _Checked([], [])
    read = 0
    for line, cells in itertools.islice(file.rows, BATCH_SIZE):
        read += 1
        try:
            checked.rows.append(file.reader.read(line, cells))
        except _RowRejected as error:
            checked.rejected.append({"line": line, "reason": str(error)})
    return checked, read


def _prepared_batch(
    file: _File, year: int, index: FactorIndex, cells: Callable[[list[_Row]], None]
) -> tuple[_Checked, int] | None:
    """The next batch of the file checked, its valid rows computed and given their database
    cells (`cells`), and how many rows were read; None at the end of the file (in a thread).
    Rows of unknown units are computed too: they are only known once the batch is on the
    loop, and few."""
    checked, read = _next_batch(file)
    if not read:
        return None
    for row in checked.rows:
        _compute(row, year, index)
    cells(checked.rows)
    return checked, read


def _no_cells(batch: list[_Row]) -> None:
    """SQLite: the staging's rows are formatted on the loop's side (`_staged_rows`)."""


def _staged_rows(
    batch: Sequence[_Row], keys: Sequence[int], unit_ids: dict[str, int]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """SQLite: the batch's rows of the TEMP staging tables (entries, emission rows)."""
    entries = [
        {
            "entry_key": key,
            "unit_id": unit_ids[row.unit_code],
            "data_entry_type_id": int(row.data_entry_type),
            "data": row.data,
        }
        for row, key in zip(batch, keys, strict=True)
    ]
    emissions = [
        {
            "entry_key": key,
            "position": position,
            "emission_type_id": emission.emission_type_id,
            "kg_co2eq": emission.kg_co2eq,
            "factor_id": emission.factor_id,
            "factor_revision": emission.factor_revision,
            "meta": emission.meta,
        }
        for row, key in zip(batch, keys, strict=True)
        for position, emission in enumerate(row.emissions)
    ]
    return entries, emissions


def _copy_cells(target: _Target, batch: list[_Row]) -> None:
    """PostgreSQL, in the worker thread ahead of the batch's COPY: each row's COPY text but
    its id and module (`entry_cells`), and its emission rows' but their entry id
    (`emission_cells`), so that the loop only puts the ids in front."""
    entries = entry_copy_cells(
        [
            {
                "data_entry_type_id": int(row.data_entry_type),
                "data": row.data,
                "source": int(DataEntrySource.csv),
                "ingestion_job_id": target.job_id,
                "revision": 1,
                "created_at": target.written_at,
                "updated_at": target.written_at,
            }
            for row in batch
        ],
    )
    # Written without their entry ids (0 here, not read), which the loop puts in front.
    emissions = iter(
        emission_copy_cells(
            [
                emission
                for row in batch
                for emission in insertable_rows(0, row.emissions, target.written_at)
            ]
        )
    )
    for row, entry in zip(batch, entries, strict=True):
        row.entry_cells = entry
        row.emission_cells = list(itertools.islice(emissions, len(row.emissions)))


def _copy_text(
    batch: Sequence[_Row], ids: Sequence[int], module_ids: Sequence[int]
) -> tuple[bytes, bytes]:
    """PostgreSQL: the batch's COPY text of data_entries and data_entry_emissions
    (`DataEntryImportRepository.copy_in`): each row's id and module, then its cells
    formatted ahead (`_copy_cells`)."""
    entries = "".join(
        f"{entry_id}\t{module_id}\t{row.entry_cells}\n"
        for row, entry_id, module_id in zip(batch, ids, module_ids, strict=True)
    )
    emissions = "".join(
        f"{entry_id}\t{cells}\n"
        for row, entry_id in zip(batch, ids, strict=True)
        for cells in row.emission_cells
    )
    return entries.encode(), emissions.encode()


class DataImportService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.units = UnitRepository(session)
        self.reports = CarbonReportRepository(session)
        self.entries = DataEntryImportRepository(session)
        self.staging = ImportStagingRepository(session)

    async def run(
        self,
        stored: StoredFile,
        *,
        job_id: int,
        module_type: ModuleTypeEnum,
        data_entry_type: DataEntryTypeEnum | None,
        year: int,
        mode: ImportMode = ImportMode.append,
        progress: Progress = no_progress,
        progress_while_writing: WriteProgress = no_write_progress,
    ) -> ImportOutcome:
        """Import the file batch by batch: each batch read, checked and computed while the
        one before is staged, so at most two batches of rows are ever held. Progress from
        inside the final write goes to `progress_while_writing`."""
        meta = _empty_meta(mode)
        await progress("Reading the file...")
        try:
            file = await asyncio.to_thread(_open, stored, module_type, data_entry_type)
        except CsvFileError as error:
            return ImportOutcome(
                IngestionResult.ERROR, f"The whole file was rejected: {error}", dict(meta)
            )
        meta["ignored_columns"] = list(file.ignored)
        index = await FactorService(self.session).get_index_for_types(
            set(types_of(module_type, data_entry_type)), year
        )
        tally = _Tally()
        target = _Target(job_id, module_type, year, utcnow())
        pace = ProgressPace()
        if self.staging.is_sqlite:
            await self.staging.create()
            await self.staging.commit_staged_on_sqlite()
        cells = _no_cells if self.staging.is_sqlite else functools.partial(_copy_cells, target)
        step = functools.partial(asyncio.to_thread, _prepared_batch, file, year, index, cells)
        try:
            async with aclosing(read_ahead(step)) as batches:
                async for checked, read in batches:
                    async with stored.session_lock:  # the next batch's thread reads chunks
                        tally.rows += read
                        await self._resolve_units(checked, tally.unit_ids)
                        tally.add_rejected(checked.rejected)
                        await self._stage(checked.rows, tally, target)
                    total = max(file.lines, tally.rows)
                    # By time (a batch is well under a second of work), after a short last one.
                    if pace.due(final=read < BATCH_SIZE):
                        await progress(
                            f"Importing rows... {tally.rows}/{total}", done=tally.rows, total=total
                        )
        except CsvFileError as error:
            await self._abandon()
            return ImportOutcome(
                IngestionResult.ERROR, f"The whole file was rejected: {error}", dict(meta)
            )
        meta["rows"] = total = tally.rows
        meta["rejected"] = meta["rejected_total"] = tally.rejected_total
        meta["rejected_rows"] = tally.rejected
        if not tally.staged:
            await self._abandon()
            detail = (
                f"{all_rejected(total)} ("
                + "; ".join(f"line {r['line']}: {r['reason']}" for r in tally.rejected[:3])
                + ")"
                if total
                else "the file has no data rows"
            )
            return ImportOutcome(IngestionResult.ERROR, f"No entry imported: {detail}", dict(meta))

        await progress(f"Writing {count(tally.staged, 'entry')}...", done=tally.staged, total=total)
        offset, removed = await self._write(
            tally, target, data_entry_type, mode, progress_while_writing
        )
        meta["inserted"] = tally.staged
        meta["removed"] = removed
        meta["entry_errors"] = [
            {"line": line, "reason": reason, "entry_id": key + offset}
            for line, reason, key in tally.errors
        ]
        meta["entry_errors_total"] = tally.errors_total
        meta["emission_rows"] = tally.emission_rows
        meta["units"] = len(tally.used_units)
        meta["reports_created"] = tally.reports_created
        return _outcome(meta)

    async def _resolve_units(self, checked: _Checked, unit_ids: dict[str, int | None]) -> None:
        """Look up the batch's unit codes not seen before (`unit_ids` caches every code seen,
        None when unknown); rows naming an unknown unit move to the batch's rejected rows."""
        codes = sorted({row.unit_code for row in checked.rows} - unit_ids.keys())
        for start in range(0, len(codes), _UNIT_LOOKUP_CHUNK):
            chunk = codes[start : start + _UNIT_LOOKUP_CHUNK]
            found = await self.units.map_by_institutional_codes(chunk)
            unit_ids.update({code: found[code].id if code in found else None for code in chunk})
        unknown = [row for row in checked.rows if unit_ids[row.unit_code] is None]
        if unknown:
            checked.rows = [row for row in checked.rows if unit_ids[row.unit_code] is not None]
            checked.rejected.extend(
                {
                    "line": row.line,
                    "reason": f"{UNIT_COLUMN} {row.unit_code!r} is not a known unit: "
                    "create the unit first (`co2calc units create`, `co2calc units import "
                    "FILE` or POST /api/v1/units)",
                }
                for row in unknown
            )
            checked.rejected.sort(key=lambda issue: issue["line"])

    async def _stage(self, rows: list[_Row], tally: _Tally, target: _Target) -> None:
        """Write one computed batch where it waits for `_write`. SQLite:
        the TEMP staging, keyed by row ordinal (ids are only safe to take under the write
        lock, in `_write`); PostgreSQL: the real tables, with ids from the sequence."""
        if not rows:
            return
        unit_ids = {code: unit_id for code, unit_id in tally.unit_ids.items() if unit_id}
        if self.staging.is_sqlite:
            keys = list(range(tally.staged, tally.staged + len(rows)))
            await self.staging.stage(*await asyncio.to_thread(_staged_rows, rows, keys, unit_ids))
            await self.staging.commit_staged_on_sqlite()
        else:
            keys = await self.entries.allocate_ids(len(rows))
            await self._ensure_modules({unit_ids[row.unit_code] for row in rows}, tally, target)
            module_ids = [tally.module_of_unit[unit_ids[row.unit_code]] for row in rows]
            entries, emissions = _copy_text(rows, keys, module_ids)
            await self.entries.copy_in(entries, emissions)
        tally.add_staged(rows, keys, unit_ids)

    async def _abandon(self) -> None:
        """Undo what the batches wrote, before an ERROR outcome (which the job wrapper
        commits): the TEMP staging on SQLite; on PostgreSQL the rows already in the real
        tables (the job's transaction is rolled back)."""
        if self.staging.is_sqlite:
            await self.staging.drop()
        else:
            await self.session.rollback()

    async def _ensure_modules(self, unit_ids: set[int], tally: _Tally, target: _Target) -> None:
        """The reports (created when missing) and the module of these units, into the tally."""
        new = unit_ids - tally.module_of_unit.keys()
        if not new:
            return
        existing = await self.reports.map_report_ids(new, target.year)
        await self.reports.ensure_reports(new, target.year)
        tally.module_of_unit.update(
            await self.reports.map_module_ids(new, target.year, int(target.module_type))
        )
        tally.reports_created += len(new - existing.keys())

    async def _write(
        self,
        tally: _Tally,
        target: _Target,
        data_entry_type: DataEntryTypeEnum | None,
        mode: ImportMode,
        progress: WriteProgress,
    ) -> tuple[int, int]:
        """Phase 2, one short transaction: every write left. Returns (the offset of entry ids
        over staging keys, entries removed by replace)."""
        await self.staging.begin_write()
        if self.staging.is_sqlite:
            await self._ensure_modules(tally.used_units, tally, target)
        module_ids = set(tally.module_of_unit.values())
        removed = 0
        counts = EntryCountChanges(self.session)
        removal: dict[int, EntryCountChange] = {}
        if mode is ImportMode.replace:
            types = [int(t) for t in types_of(target.module_type, data_entry_type)]
            by_source = (DataEntrySource.csv, types, target.year)
            module_ids.update(
                await self.entries.list_module_ids_by_source(*by_source, keep_job_id=target.job_id)
            )
            removal = await counts.removal_by_source(*by_source, keep_job_id=target.job_id)
            removed = await self.entries.delete_by_source(*by_source, keep_job_id=target.job_id)
        if not self.staging.is_sqlite:
            await counts.apply(target.year, tally.count_changes(removal))
            await CarbonReportModuleService(self.session).recompute_stats(module_ids)
            return 0, removed
        # The stats read the rows just copied: with the copy's page cache they are still in it.
        cache = await self.staging.widen_cache()
        offset = await self._copy_staged(tally, target, progress)
        await counts.apply(target.year, tally.count_changes(removal))
        # After a copy in parts the stats of a big import are seconds more of it: announced,
        # with progress after each part of the refresh.
        in_parts = tally.staged > WRITE_PART
        if in_parts:
            await progress(refreshing_stats(0, len(module_ids)))

        async def refreshed(done: int, modules: int) -> None:
            await progress(refreshing_stats(done, modules))

        await CarbonReportModuleService(self.session).recompute_stats(
            module_ids, on_part=refreshed if in_parts else None
        )
        await self.staging.restore_cache(cache)  # not on failure: a larger cache is harmless
        return offset, removed

    async def _copy_staged(self, tally: _Tally, target: _Target, progress: WriteProgress) -> int:
        """SQLite, under the write lock: the staged entries and emission rows copied into the
        real tables, WRITE_PART entries at a time with progress after each part (of a copy
        of several); returns the offset of their ids over the staging keys."""
        # After the deletion, as ids were always allocated; under the write lock.
        offset = await self.entries.next_free_id()
        await self.staging.set_modules(tally.module_of_unit)
        parts = key_ranges(tally.staged, WRITE_PART)
        for part in parts:
            inserted = await self.staging.copy_entries(
                part,
                offset=offset,
                source=DataEntrySource.csv,
                job_id=target.job_id,
                created_at=target.written_at,
            )
            if inserted != part.high - part.low:
                raise RuntimeError(
                    f"{count(part.high - part.low, 'entry')} staged but {inserted} written"
                )
            await self.staging.copy_emissions(part, offset=offset, computed_at=target.written_at)
            if len(parts) > 1:
                await progress(f"Writing entries... {part.high}/{tally.staged}")
        await self.staging.drop()
        return offset


def _empty_meta(mode: ImportMode) -> DataImportMeta:
    return {
        "mode": mode.value,
        "rows": 0,
        "inserted": 0,
        "removed": 0,
        "rejected": 0,
        "rejected_rows": [],
        "rejected_total": 0,
        "entry_errors": [],
        "entry_errors_total": 0,
        "emission_rows": 0,
        "units": 0,
        "reports_created": 0,
        "ignored_columns": [],
    }


def _outcome(meta: DataImportMeta) -> ImportOutcome:
    summary = f"{count(meta['inserted'], 'entry')} imported"
    if meta["mode"] == ImportMode.replace.value:
        summary += f" (replacing {count(meta['removed'], 'entry')} of earlier CSV imports)"
    problems = []
    if meta["entry_errors_total"]:
        first = meta["entry_errors"][0]
        problems.append(
            f"{meta['entry_errors_total']} without emissions (line {first['line']}: "
            f"{first['reason']})"
        )
    if meta["rejected_total"]:
        first = meta["rejected_rows"][0]
        problems.append(
            f"{count(meta['rejected_total'], 'row')} rejected (line {first['line']}: "
            f"{first['reason']})"
        )
    notes = [*problems, describe_ignored(meta["ignored_columns"])]
    message = "; ".join([summary, *filter(None, notes)])
    result = IngestionResult.WARNING if problems else IngestionResult.SUCCESS
    return ImportOutcome(result, message, dict(meta))
