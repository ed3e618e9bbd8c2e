"""Constants and helpers shared by the import tests (fixtures are in conftest.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum
from app.domain.recalculation_status import RecalculationStatusRow
from app.models import (
    CarbonReport,
    DataEntry,
    DataEntryEmission,
    DataIngestionJob,
    Factor,
    SyncScope,
)

YEAR = 2025
PROCESS = ModuleTypeEnum.process_emissions
PROCESS_TYPE = DataEntryTypeEnum.process_emissions

PROCESS_FACTORS = (
    "category,subcategory,gwp_kg_co2eq_per_kg\nch4,,28\nco2,,1\nn2o,,265\nrefrigerants,,2000\n"
)


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


FACTOR_HEADER = "category,subcategory,gwp_kg_co2eq_per_kg"


def process_factors(ch4: int = 28, co2: int = 1, n2o: int | None = 265) -> bytes:
    """The shipped process factors with these values; `n2o` None leaves its factor out."""
    rows = [f"ch4,,{ch4}", f"co2,,{co2}", *([] if n2o is None else [f"n2o,,{n2o}"])]
    return csv_bytes(FACTOR_HEADER, *rows, "refrigerants,,2000")


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What an import may change, counted."""

    factors: int
    entries: int
    emissions: int
    reports: int
    factor_sequence: int

    @classmethod
    async def take(cls, session: AsyncSession) -> Snapshot:
        async def count(model: type) -> int:
            return int(
                (await session.execute(select(func.count()).select_from(model))).scalar_one()
            )

        sequence = await session.scalar(
            select(func.coalesce(func.max(SyncScope.factor_sequence), 0))
        )
        return cls(
            await count(Factor),
            await count(DataEntry),
            await count(DataEntryEmission),
            await count(CarbonReport),
            int(sequence or 0),
        )


RunImport = Callable[..., Awaitable[DataIngestionJob]]
Status = Callable[[], Awaitable[dict[int, RecalculationStatusRow]]]
Recalculate = Callable[[ModuleTypeEnum, DataEntryTypeEnum], Awaitable[DataIngestionJob]]
