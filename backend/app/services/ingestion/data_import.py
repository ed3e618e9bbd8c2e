"""The work of a DATA_ENTRIES job fed by a CSV file (method csv).

Two phases, so that on SQLite the database's single write lock is held only briefly:
1. check every row and resolve units (reads only), then compute every entry's emissions in
   batches and stage each batch (entries with their staging keys, emission rows) in TEMP tables
   (`ImportStagingRepository`; on SQLite each batch is committed, which takes no lock on the
   main database), progress published every PROGRESS_EVERY rows. Emissions follow the rule an
   edit and a recalculation apply (`compute_entry`): a missing factor or a row beyond the
   plausible bound is an entry error, and the entry is imported without emissions;
Parsing, row checks and the emission computation run in worker threads, batch by batch, so
the event loop of the process running the job (the API server's, with the inline runner) keeps
answering requests during a long import; only the database work runs on the loop.
2. one short write transaction (SQLite: `BEGIN IMMEDIATE` first), set-based: missing reports
   and modules, the `replace` deletion, entries and emission rows copied from the staging with
   INSERT ... SELECT (entry ids: see the staging repository), module and report stats.
The job wrapper commits phase 2 together with the job's end, or rolls it all back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

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
from app.emissions import EmissionRow, EntryError, EntryValidationError, FactorIndex, validate_entry
from app.emissions.entry import reason
from app.emissions.factor_files import TYPE_COLUMN
from app.models.base import utcnow
from app.repositories.carbon_report_repo import CarbonReportRepository
from app.repositories.data_entry_import_repo import DataEntryImportRepository
from app.repositories.import_staging_repo import ImportStagingRepository
from app.repositories.unit_repo import UnitRepository
from app.services.carbon_report_module_service import CarbonReportModuleService
from app.services.data_entry_emission_service import compute_entry_leniently
from app.services.factor_service import FactorService
from app.services.ingestion.csv_reading import (
    UNIT_COLUMN,
    CsvFileError,
    CsvTable,
    FileKind,
    check_header,
    decode,
    describe_columns,
    describe_ignored,
    missing_columns,
    read_table,
    types_of,
)
from app.services.ingestion.meta import DataImportMeta, RowIssue, capped
from app.services.ingestion.outcome import (
    PROGRESS_EVERY,
    ImportOutcome,
    Progress,
    all_rejected,
    no_progress,
)

_UNIT_LOOKUP_CHUNK = 1_000
# Rows computed and staged per batch (a progress update after each full batch).
BATCH_SIZE = PROGRESS_EVERY


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


class _RowRejected(ValueError):
    pass


@dataclass(slots=True)
class _Checked:
    rows: list[_Row]
    rejected: list[RowIssue]


class _RowReader:
    """Turns the cells of one row into a _Row, or raises _RowRejected with the reason."""

    def __init__(
        self,
        table: CsvTable,
        module_type: ModuleTypeEnum,
        data_entry_type: DataEntryTypeEnum | None,
    ) -> None:
        self.header = table.header
        self.module_type = module_type
        self.fixed_type = data_entry_type
        self.types = types_of(module_type, data_entry_type)
        self.unit_index = table.header.index(UNIT_COLUMN)
        self.type_index = None if data_entry_type is not None else table.header.index(TYPE_COLUMN)
        self.missing = {
            t: missing_columns(table.header, FileKind.data_entries, t) for t in self.types
        }

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
            data = validate_entry(entry_type, dict(zip(self.header, cells, strict=True)))
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
    if isinstance(computed, EntryError):
        row.error = reason(computed)
    else:
        row.emissions = computed


def _read(
    content: bytes, module_type: ModuleTypeEnum, data_entry_type: DataEntryTypeEnum | None
) -> tuple[CsvTable, tuple[str, ...]]:
    """The file's rows and its ignored columns (run in a thread: a whole file is parsed)."""
    table = read_table(decode(content))
    return table, check_header(table.header, FileKind.data_entries, module_type, data_entry_type)


def _check_batch(reader: _RowReader, rows: Sequence[tuple[int, list[str]]], into: _Checked) -> None:
    for line, cells in rows:
        try:
            into.rows.append(reader.read(line, cells))
        except _RowRejected as error:
            into.rejected.append({"line": line, "reason": str(error)})


def _staged_batch(
    batch: Sequence[_Row],
    keys: Sequence[int],
    unit_ids: dict[str, int],
    year: int,
    index: FactorIndex,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Compute the batch's emissions; its staged entry rows and emission rows."""
    for row in batch:
        _compute(row, year, index)
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
            "meta": emission.meta,
        }
        for row, key in zip(batch, keys, strict=True)
        for position, emission in enumerate(row.emissions)
    ]
    return entries, emissions


class DataImportService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.units = UnitRepository(session)
        self.reports = CarbonReportRepository(session)
        self.entries = DataEntryImportRepository(session)
        self.staging = ImportStagingRepository(session)

    async def run(
        self,
        content: bytes,
        *,
        job_id: int,
        module_type: ModuleTypeEnum,
        data_entry_type: DataEntryTypeEnum | None,
        year: int,
        mode: ImportMode = ImportMode.append,
        progress: Progress = no_progress,
    ) -> ImportOutcome:
        meta = _empty_meta(mode)
        await progress("Reading the file...")
        try:
            table, ignored = await asyncio.to_thread(_read, content, module_type, data_entry_type)
        except CsvFileError as error:
            return ImportOutcome(
                IngestionResult.ERROR, f"The whole file was rejected: {error}", dict(meta)
            )
        meta["ignored_columns"] = list(ignored)
        meta["rows"] = total = len(table.rows)
        checked = await self._check_rows(table, module_type, data_entry_type, progress)
        unit_ids = await self._resolve_units(checked)
        _set_rejected(meta, checked.rejected)
        if not checked.rows:
            detail = (
                f"{all_rejected(total)} ("
                + "; ".join(f"line {r['line']}: {r['reason']}" for r in checked.rejected[:3])
                + ")"
                if total
                else "the file has no data rows"
            )
            return ImportOutcome(IngestionResult.ERROR, f"No entry imported: {detail}", dict(meta))

        index = await FactorService(self.session).get_index_for_types(
            {row.data_entry_type for row in checked.rows}, year
        )
        keys = await self._stage(checked.rows, unit_ids, year, index, progress)

        await progress(
            f"Writing {count(len(checked.rows), 'entry')}...", done=len(checked.rows), total=total
        )
        offset, removed, reports_created = await self._write(
            checked.rows, unit_ids, job_id, module_type, data_entry_type, year, mode
        )
        entry_ids = [key + offset for key in keys]

        errors: list[RowIssue] = [
            {"line": row.line, "reason": row.error, "entry_id": entry_id}
            for row, entry_id in zip(checked.rows, entry_ids, strict=True)
            if row.error is not None
        ]
        meta["inserted"] = len(entry_ids)
        meta["removed"] = removed
        meta["entry_errors"] = capped(errors)
        meta["entry_errors_total"] = len(errors)
        meta["emission_rows"] = sum(len(row.emissions) for row in checked.rows)
        meta["units"] = len({row.unit_code for row in checked.rows})
        meta["reports_created"] = reports_created
        return _outcome(meta)

    async def _check_rows(
        self,
        table: CsvTable,
        module_type: ModuleTypeEnum,
        data_entry_type: DataEntryTypeEnum | None,
        progress: Progress,
    ) -> _Checked:
        reader = _RowReader(table, module_type, data_entry_type)
        checked = _Checked([], [])
        total = len(table.rows)
        for start in range(0, total, PROGRESS_EVERY):
            batch = table.rows[start : start + PROGRESS_EVERY]
            await asyncio.to_thread(_check_batch, reader, batch, checked)
            if len(batch) == PROGRESS_EVERY:
                done = start + len(batch)
                await progress(f"Checking rows... {done}/{total}", done=done, total=total)
        return checked

    async def _resolve_units(self, checked: _Checked) -> dict[str, int]:
        """Unit id by code; rows naming an unknown unit move to the rejected rows."""
        codes = sorted({row.unit_code for row in checked.rows})
        unit_ids: dict[str, int] = {}
        for start in range(0, len(codes), _UNIT_LOOKUP_CHUNK):
            found = await self.units.map_by_institutional_codes(
                codes[start : start + _UNIT_LOOKUP_CHUNK]
            )
            unit_ids.update({code: unit.id for code, unit in found.items()})
        unknown = [row for row in checked.rows if row.unit_code not in unit_ids]
        if unknown:
            checked.rows = [row for row in checked.rows if row.unit_code in unit_ids]
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
        return unit_ids

    async def _stage(
        self,
        rows: list[_Row],
        unit_ids: dict[str, int],
        year: int,
        index: FactorIndex,
        progress: Progress,
    ) -> list[int]:
        """Compute the rows' emissions and stage them, batch by batch; returns the staging
        key of each row (PostgreSQL: its entry id already; SQLite: its ordinal)."""
        await self.staging.create()
        await self.staging.commit_staged_on_sqlite()
        keys: list[int] = []
        total = len(rows)
        for start in range(0, total, BATCH_SIZE):
            batch = rows[start : start + BATCH_SIZE]
            if self.staging.is_sqlite:
                # SQLite ids are only safe to take under the write lock (`_write`).
                batch_keys = list(range(start, start + len(batch)))
            else:
                batch_keys = await self.entries.allocate_ids(len(batch))
            await self.staging.stage(
                *await asyncio.to_thread(_staged_batch, batch, batch_keys, unit_ids, year, index)
            )
            await self.staging.commit_staged_on_sqlite()
            keys.extend(batch_keys)
            if len(batch) == BATCH_SIZE:
                done = start + len(batch)
                await progress(f"Computing emissions... {done}/{total}", done=done, total=total)
        return keys

    async def _write(
        self,
        rows: list[_Row],
        unit_ids: dict[str, int],
        job_id: int,
        module_type: ModuleTypeEnum,
        data_entry_type: DataEntryTypeEnum | None,
        year: int,
        mode: ImportMode,
    ) -> tuple[int, int, int]:
        """Phase 2, one short transaction: every write of the import. Returns (the offset of
        entry ids over staging keys, entries removed by replace, reports created)."""
        used_units = {unit_ids[row.unit_code] for row in rows}
        await self.staging.begin_write()
        existing_reports = await self.reports.map_report_ids(used_units, year)
        await self.reports.ensure_reports(used_units, year)
        module_of_unit = await self.reports.map_module_ids(used_units, year, int(module_type))
        module_ids = set(module_of_unit.values())
        removed = 0
        if mode is ImportMode.replace:
            types = [int(t) for t in types_of(module_type, data_entry_type)]
            module_ids.update(
                await self.entries.list_module_ids_by_source(DataEntrySource.csv, types, year)
            )
            removed = await self.entries.delete_by_source(DataEntrySource.csv, types, year)
        # After the deletion, as ids were always allocated; under the write lock on SQLite.
        offset = await self.entries.next_free_id() if self.staging.is_sqlite else 0
        now = utcnow()
        await self.staging.set_modules(module_of_unit)
        inserted = await self.staging.copy_entries(
            offset=offset, source=DataEntrySource.csv, job_id=job_id, created_at=now
        )
        if inserted != len(rows):
            raise RuntimeError(f"{count(len(rows), 'entry')} staged but {inserted} written")
        await self.staging.copy_emissions(offset=offset, computed_at=now)
        await self.staging.drop()
        await CarbonReportModuleService(self.session).recompute_stats(module_ids)
        return offset, removed, len(used_units - set(existing_reports))


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


def _set_rejected(meta: DataImportMeta, rejected: list[RowIssue]) -> None:
    meta["rejected"] = meta["rejected_total"] = len(rejected)
    meta["rejected_rows"] = capped(rejected)


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
