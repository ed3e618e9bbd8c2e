"""Carbon reports with their module stats (keys as built by app.domain.stats)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class Stats(BaseModel):
    """A module's stats, or a report's (the sum of its modules'). Missing keys read as zero."""

    model_config = ConfigDict(extra="ignore")

    scope1: float = 0.0
    scope2: float = 0.0
    scope3: float = 0.0
    total: float = 0.0
    by_emission_type: dict[str, float] = Field(
        default_factory=dict,
        description="kg CO2e by emission type code; parents include their children.",
    )
    entry_count: int = 0
    computed_at: str | None = None


class CarbonReportModuleRead(BaseModel):
    id: int
    module_type_id: int
    status: int = Field(description="0 not started, 1 in progress, 2 validated.")
    stats: Stats
    last_updated: datetime


class CarbonReportRead(BaseModel):
    id: int
    unit_id: int
    unit_institutional_code: str
    year: int
    stats: Stats
    modules: list[CarbonReportModuleRead]
