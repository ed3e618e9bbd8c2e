"""FactorService.find_modules_for_recalculation: stale pairs with the report modules they touch."""

from __future__ import annotations

from factories import create_entry, create_job, create_module
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.ingestion import IngestionMethod, IngestionResult, IngestionState, TargetType
from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum
from app.services.factor_service import FactorService
from app.services.recalculation_status_service import StaleScope

YEAR = 2025
TRAVEL = ModuleTypeEnum.professional_travel


async def test_stale_pairs_with_their_report_modules(db: AsyncSession) -> None:
    first = await create_module(db, TRAVEL, year=YEAR)
    second = await create_module(db, TRAVEL, year=YEAR)
    older = await create_module(db, TRAVEL, year=YEAR - 1)
    plane = {"origin_iata": "ZRH", "destination_iata": "LHR", "number_of_trips": 1}
    for module in (first, second, older):
        await create_entry(
            db, module=module, data_entry_type_id=DataEntryTypeEnum.plane, data=plane
        )
    await create_entry(db, module=first, data_entry_type_id=DataEntryTypeEnum.plane, data=plane)
    await create_job(  # module-wide factor import: plane and train are stale
        db,
        module_type_id=int(TRAVEL),
        data_entry_type_id=None,
        ingestion_method=int(IngestionMethod.csv),
        target_type=int(TargetType.FACTORS),
        state=int(IngestionState.FINISHED),
        result=int(IngestionResult.SUCCESS),
        factor_sequence=2,
    )
    await create_job(  # train was recalculated with those factors
        db,
        module_type_id=int(TRAVEL),
        data_entry_type_id=int(DataEntryTypeEnum.train),
        state=int(IngestionState.FINISHED),
        result=int(IngestionResult.SUCCESS),
        factor_sequence=2,
    )

    stale = await FactorService(db).find_modules_for_recalculation(YEAR)

    assert stale == [
        StaleScope(
            module_type_id=TRAVEL,
            data_entry_type_id=DataEntryTypeEnum.plane,
            carbon_report_module_ids=sorted([first.id, second.id]),
        )
    ]
    assert await FactorService(db).find_modules_for_recalculation(YEAR - 1) == []
