"""One data entry at a time, for the API: list, create, change, delete.

Each write recomputes the entry's emission rows, the stats of its module and report and its
type's entry factor counts in the caller's transaction (the request commits once). An entry
whose emissions cannot be computed is still written, without emission rows, and the result
says why (`emission_error`).

A single-entry write never takes a recalculation's scope lock: it bumps the entry's
`revision` (ORM version column), and a running recalculation skips entries whose revision
changed after it read them, so the edit is neither blocked nor overwritten.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from app.core.errors import BadRequest, Conflict, NotFound
from app.core.wording import SHOWN_LENGTH, agree, shown
from app.domain.ingestion import DataEntrySource
from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum, module_of
from app.emissions import ENTRY_FIELDS, FactorIndex, validate_entry
from app.emissions.factor_versions import EntryStanding
from app.models import DataEntry, DataEntryEmission
from app.models.base import utcnow
from app.repositories.carbon_report_repo import CarbonReportRepository
from app.repositories.data_entry_emission_repo import DataEntryEmissionRepository
from app.repositories.data_entry_repo import DataEntryRepository, EntryWithContext
from app.schemas.common import Page
from app.schemas.data_entries import DataEntryRead, DataEntryWritten, EmissionRead
from app.services.carbon_report_module_service import CarbonReportModuleService
from app.services.data_entry_emission_service import DataEntryEmissionService
from app.services.entry_count_changes import EntryCountChanges
from app.services.factor_service import FactorService
from app.services.unit_service import UnitService

# Unknown keys named in the refusal; more are summed up as "...".
_UNKNOWN_SHOWN = 5


def _check_data(
    data_entry_type: DataEntryTypeEnum,
    raw: Mapping[str, Any],
    *,
    sent: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Typed entry data (defaults applied); BadRequest naming the field otherwise.

    Keys of `sent` (the request's data, `raw` by default) must be fields of the type; other
    keys of `raw` that are not (left by an older import, say) are dropped, not refused.
    """
    spec = ENTRY_FIELDS[data_entry_type]
    known = [field.name for field in spec.fields]
    unknown = sorted(set(raw if sent is None else sent) - set(known))
    if unknown:
        # Keys are the client's: each is quoted bounded, as is the `field` key of the answer.
        named = [name if len(name) <= SHOWN_LENGTH else shown(name) for name in unknown]
        listed = ", ".join(named[:_UNKNOWN_SHOWN]) + (
            ", ..." if len(named) > _UNKNOWN_SHOWN else ""
        )
        raise BadRequest(
            f"unknown {agree(len(unknown), 'field')} in data: {listed}; "
            "the fields of data entry type "
            f"{data_entry_type.value} ({data_entry_type.name}) are: {', '.join(known)}",
            field=named[0],
        )
    raw = {name: value for name, value in raw.items() if name in known}
    for name, value in raw.items():
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, str | int | float)
        ):
            raise BadRequest(f"{name}: must be a text or a number, got {shown(value)}", field=name)
    try:
        return validate_entry(data_entry_type, raw)
    except ValueError as error:
        raise BadRequest(str(error), field=getattr(error, "field", None)) from None


def _read(context: EntryWithContext, emissions: list[DataEntryEmission]) -> dict[str, Any]:
    entry = context.entry
    return {
        "id": entry.id,
        "unit_institutional_code": context.unit_institutional_code,
        "year": context.year,
        "module_type_id": context.module_type_id,
        "data_entry_type_id": entry.data_entry_type_id,
        "carbon_report_module_id": entry.carbon_report_module_id,
        "source": entry.source,
        "data": entry.data,
        "revision": entry.revision,
        "created_at": entry.created_at,
        "updated_at": entry.updated_at,
        "emissions": [EmissionRead.model_validate(row) for row in emissions],
    }


def _concurrent_change(entry_id: int) -> Conflict:
    return Conflict(
        f"data entry {entry_id} was changed or deleted by someone else meanwhile; "
        "read it again and retry",
        data_entry_id=entry_id,
    )


class DataEntryService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.entries = DataEntryRepository(session)
        self.emission_rows = DataEntryEmissionRepository(session)
        self.emissions = DataEntryEmissionService(session)
        self.stats = CarbonReportModuleService(session)
        self.units = UnitService(session)
        self.counts = EntryCountChanges(session)

    async def list_page(
        self,
        year: int,
        *,
        module_type: ModuleTypeEnum | None = None,
        data_entry_type: DataEntryTypeEnum | None = None,
        unit_institutional_code: str | None = None,
        limit: int,
        offset: int,
    ) -> Page[DataEntryRead]:
        """Entries with their emission rows: one query for the page, one for its rows (and a
        count), whatever the page size."""
        unit_id = None
        if unit_institutional_code is not None:
            unit_id = (await self.units.get_by_code(unit_institutional_code)).id
        contexts, total = await self.entries.list_page_with_context(
            year=year,
            module_type_id=None if module_type is None else module_type.value,
            data_entry_type_id=None if data_entry_type is None else data_entry_type.value,
            unit_id=unit_id,
            limit=limit,
            offset=offset,
        )
        rows: defaultdict[int, list[DataEntryEmission]] = defaultdict(list)
        for row in await self.emission_rows.list_by_data_entry_ids(
            [context.entry.id for context in contexts]
        ):
            rows[row.data_entry_id].append(row)
        return Page[DataEntryRead](
            items=[
                DataEntryRead.model_validate(_read(context, rows[context.entry.id]))
                for context in contexts
            ],
            total=total,
        )

    async def create(
        self,
        *,
        unit_institutional_code: str,
        year: int,
        data_entry_type: DataEntryTypeEnum,
        data: Mapping[str, Any],
        source: DataEntrySource = DataEntrySource.user,
    ) -> DataEntryWritten:
        """Add an entry to the unit's report of the year (report and modules created when
        missing), compute its emissions and refresh its module and report stats."""
        typed = _check_data(data_entry_type, data)
        unit = await self.units.get_by_code(unit_institutional_code)
        report = await CarbonReportRepository(self.session).get_or_create(unit.id, year)
        module_type = module_of(data_entry_type)
        module = next(m for m in report.modules if m.module_type_id == module_type)
        entry = self.entries.add(
            DataEntry(
                carbon_report_module_id=module.id,
                data_entry_type_id=data_entry_type.value,
                data=typed,
                source=int(source),
            )
        )
        await self.session.flush()
        context = EntryWithContext(entry, unit.institutional_code, year, module_type.value)
        return await self._recompute(context)

    async def update(self, entry_id: int, data: Mapping[str, Any]) -> DataEntryWritten:
        """Merge `data` into the stored data (a null value removes the key), validate the
        result, and recompute. Always raises `revision` and `updated_at`."""
        context = await self._get(entry_id)
        entry = context.entry
        merged = {**entry.data, **data}
        typed = _check_data(
            DataEntryTypeEnum(entry.data_entry_type_id),
            {key: value for key, value in merged.items() if value is not None},
            sent=data,
        )
        index, before = await self._standing(context)
        entry.data = typed
        # Set even when the data is unchanged: the UPDATE (and the revision bump) must happen,
        # so a running recalculation knows this entry was recomputed after it read it.
        entry.updated_at = utcnow()
        try:
            await self.session.flush()
        except StaleDataError:
            raise _concurrent_change(entry_id) from None
        return await self._recompute(context, index=index, before=before)

    async def delete(self, entry_id: int) -> None:
        """Remove the entry and its emission rows, and refresh its module and report stats."""
        context = await self._get(entry_id)
        module_id = context.entry.carbon_report_module_id
        type_id = context.entry.data_entry_type_id
        _, before = await self._standing(context)
        await self.emission_rows.delete_by_data_entry_ids([entry_id])
        try:
            await self.entries.delete_entry(context.entry)
        except StaleDataError:
            raise _concurrent_change(entry_id) from None
        await self.counts.entry_replaced(type_id, context.year, before=before, after=None)
        await self.stats.recompute_stats([module_id])

    async def _get(self, entry_id: int) -> EntryWithContext:
        context = await self.entries.get_with_context(entry_id)
        if context is None:
            raise NotFound(f"no data entry has id {entry_id}", data_entry_id=entry_id)
        return context

    async def _standing(self, context: EntryWithContext) -> tuple[FactorIndex, EntryStanding]:
        """The factors of the entry's type and year, and where the stored entry stands against
        them (before a change takes it off its type's counts)."""
        entry = context.entry
        index = await FactorService(self.session).get_index(entry.data_entry_type_id, context.year)
        before = await self.counts.stored_standing(
            entry.id, entry.data_entry_type_id, entry.data, context.year, index
        )
        return index, before

    async def _recompute(
        self,
        context: EntryWithContext,
        *,
        index: FactorIndex | None = None,
        before: EntryStanding | None = None,
    ) -> DataEntryWritten:
        """Compute the entry's emission rows with the current factors (`index`, looked up when
        not given), move its type's counts from `before` (None: a new entry) to where it
        stands now and refresh the stats."""
        entry = context.entry
        result = await self.emissions.upsert_by_data_entry(entry, year=context.year, index=index)
        error = None if result.error is None else result.error.message
        # The counts before the stats: the order data imports and recalculations lock them in
        # (PostgreSQL), so a write and an import never each hold what the other waits for.
        await self.counts.entry_replaced(
            entry.data_entry_type_id, context.year, before=before, after=result.standing
        )
        await self.stats.recompute_stats([entry.carbon_report_module_id])
        rows = await self.emission_rows.list_by_data_entry(entry.id)
        return DataEntryWritten.model_validate({**_read(context, rows), "emission_error": error})
