"""The work of a FACTORS job: a factor CSV file upserted by identity (type, year and
classification key).

Runs inside the job's data transaction, which holds the (module, year) scope lock: the
factors, the scope's next factor sequence and the job's end are committed together by the
job wrapper, or not at all, with the entry counts of its types (how many entries the new
factors leave out of date, how many match no factor). An import that inserted, updated and
removed nothing takes no sequence, counts nothing and says "No factor changed", so its types
stay as up to date as they were. Nothing
is written when the header misses a required column or no row is usable; identities absent
from the file are removed only when no row was rejected.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.wording import count
from app.domain.ingestion import IngestionResult
from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum
from app.emissions import FactorFileError
from app.emissions.factor_diff import FactorUpsertCounts
from app.emissions.factor_files import FactorFileResult, load_factor_file
from app.repositories.factor_repo import FactorRepository
from app.repositories.sync_scope_repo import ScopeLockRepository
from app.services.entry_factor_counting import EntryFactorCountingService
from app.services.ingestion.csv_reading import (
    CsvFileError,
    FileKind,
    check_header,
    decode,
    describe_ignored,
    read_header,
    types_of,
)
from app.services.ingestion.meta import FactorImportMeta, RowIssue, capped
from app.services.ingestion.outcome import ImportOutcome, Progress, all_rejected, no_progress

NO_FACTOR_CHANGED = "No factor changed"


def _meta(
    parsed: FactorFileResult | None,
    counts: FactorUpsertCounts = FactorUpsertCounts(),  # noqa: B008 (frozen, immutable)
) -> FactorImportMeta:
    rejected: list[RowIssue] = (
        [] if parsed is None else [{"line": r.line, "reason": r.reason} for r in parsed.rejected]
    )
    return {
        "rows": 0 if parsed is None else len(parsed.records) + len(parsed.rejected),
        "inserted": counts.inserted,
        "updated": counts.updated,
        "unchanged": counts.unchanged,
        "removed": counts.removed,
        "rejected": len(rejected),
        "rejected_rows": capped(rejected),
        "rejected_total": len(rejected),
        "ignored_columns": [] if parsed is None else list(parsed.ignored_columns),
    }


def _first_rejections(parsed: FactorFileResult, count: int = 3) -> str:
    return "; ".join(f"line {r.line}: {r.reason}" for r in parsed.rejected[:count])


class FactorImportService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.factors = FactorRepository(session)
        self.scopes = ScopeLockRepository(session)

    async def run(
        self,
        content: bytes,
        *,
        job_id: int,
        module_type: ModuleTypeEnum,
        data_entry_type: DataEntryTypeEnum | None,
        year: int,
        progress: Progress = no_progress,
    ) -> ImportOutcome:
        """Import one factor file of a type, or (type None) a module-wide file."""
        types = types_of(module_type, data_entry_type)
        await progress("Reading the factor file...")
        try:
            text = decode(content)
            check_header(read_header(text), FileKind.factors, module_type, data_entry_type)
            parsed = load_factor_file(
                text,
                None if data_entry_type is None else int(data_entry_type),
                year,
                allowed_types=[int(t) for t in types],
            )
        except (CsvFileError, FactorFileError) as error:
            return ImportOutcome(
                IngestionResult.ERROR, f"The whole file was rejected: {error}", dict(_meta(None))
            )
        rows = len(parsed.records) + len(parsed.rejected)
        if not parsed.records:
            detail = (
                f"{all_rejected(rows)} ({_first_rejections(parsed)})"
                if rows
                else "the file has no data rows"
            )
            return ImportOutcome(
                IngestionResult.ERROR, f"No factor imported: {detail}", dict(_meta(parsed))
            )
        await progress(f"Writing {count(len(parsed.records), 'factor')}...", done=rows, total=rows)
        counts = await self.factors.upsert(
            year,
            parsed.records,
            data_entry_type_ids=[int(t) for t in types],
            remove_missing=not parsed.rejected,
            job_id=job_id,
        )
        # Only a change raises the factor sequence and recounts the entries it leaves out of
        # date: an import that changed nothing leaves its types exactly as they were. (No
        # progress message past the writes: on SQLite the job session could not commit it.)
        sequence = None
        if counts.changed_any:
            sequence = await self.scopes.take_next_factor_sequence(int(module_type), year)
            await EntryFactorCountingService(self.session).recount([int(t) for t in types], year)
        summary = (
            f"{count(len(parsed.records), 'factor')} imported ({counts.inserted} inserted, "
            f"{counts.updated} updated, {counts.unchanged} unchanged"
        )
        if parsed.rejected:
            result = IngestionResult.WARNING
            message = (
                f"{summary}); {count(len(parsed.rejected), 'row')} rejected, so no factor was "
                f"removed ({_first_rejections(parsed)})"
            )
        else:
            result = IngestionResult.SUCCESS
            message = f"{summary}, {counts.removed} removed)"
        ignored = describe_ignored(parsed.ignored_columns)
        if ignored:
            message += f"; {ignored}"
        if not counts.changed_any:
            message = f"{NO_FACTOR_CHANGED}: {message}"
        return ImportOutcome(result, message, dict(_meta(parsed, counts)), sequence)
