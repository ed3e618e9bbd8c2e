"""`GET /reports/emissions`: totals from the stored emission rows, in exactly this shape."""

from __future__ import annotations

from pydantic import BaseModel

from app.schemas.names import DataEntryTypeNamed, ModuleTypeNamed


class DataEntryTypeEmissions(DataEntryTypeNamed):
    data_entry_type_id: int
    entry_count: int
    emission_count: int
    total_kg_co2eq: float


class ModuleEmissions(ModuleTypeNamed):
    module_type_id: int
    total_kg_co2eq: float
    scope1: float
    scope2: float
    scope3: float
    data_entry_types: list[DataEntryTypeEmissions]


class EmissionsReport(BaseModel):
    year: int
    total_kg_co2eq: float
    modules: list[ModuleEmissions]
