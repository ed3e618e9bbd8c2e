"""Data entries with their emission rows, and the bodies that create or change one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.schemas.common import Code, JsonObject


class EmissionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    emission_type_id: int
    kg_co2eq: float
    factor_id: int | None
    meta: dict[str, Any]
    computed_at: datetime


class DataEntryRead(BaseModel):
    id: int
    unit_institutional_code: str
    year: int
    module_type_id: int
    data_entry_type_id: int
    carbon_report_module_id: int
    source: int = Field(description="0 user, 1 csv, 2 api.")
    data: dict[str, Any]
    revision: int = Field(description="Raised by every change of the entry.")
    created_at: datetime
    updated_at: datetime
    emissions: list[EmissionRead]


class DataEntryWritten(DataEntryRead):
    """The entry after a write. The write succeeds even when its emissions cannot be computed
    (no matching factor, unknown airport...): the entry is then stored without emission rows
    and `emission_error` says why."""

    emission_error: str | None


class DataEntryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_institutional_code: Code
    year: int = Field(description="2000..2100; the unit's report is created when missing.")
    data_entry_type_id: int
    data: JsonObject = Field(
        description="The entry fields of the type (see `GET /api/v1/modules`), optionally "
        "`kg_co2eq`, an operator override in kg CO2e that recalculations keep."
    )


class DataEntryPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    data: JsonObject = Field(
        description=(
            "Merged into the stored data: a key given replaces the stored value, a key given "
            "as null removes it (its default applies again), keys not given are kept. The "
            "result is validated as a whole."
        )
    )
