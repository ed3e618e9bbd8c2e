"""The recalculation status as the API answers it and `co2calc recalc status --json` prints it:
one object per module, its data entry types nested. Enums are integers, their names beside
them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, computed_field

from app.domain.ingestion import IngestionResult, IngestionState
from app.domain.recalculation_status import MAX_LISTED_FACTOR_IMPORTS
from app.schemas.names import DataEntryTypeNamed, ModuleTypeNamed, code_name, describe_codes


class FactorImportReason(DataEntryTypeNamed):
    """A factor import that changed factors after the last successful recalculation read
    them."""

    model_config = ConfigDict(from_attributes=True)

    job_id: int
    data_entry_type_id: int | None = Field(
        description="the type the file held, or null for a module-wide factor file"
    )
    finished_at: datetime | None = Field(description="when it committed")
    requested_by: str | None = Field(description="who imported it")
    file_name: str | None
    inserted: int = Field(description="factors the file added")
    updated: int = Field(description="factors whose values it changed")
    removed: int = Field(description="factors it removed (absent from a file with no rejected row)")


class StaleReason(BaseModel):
    """Why the type is stale, with counts: what a recalculation would change, and what it
    cannot fix."""

    model_config = ConfigDict(from_attributes=True)

    factor_imports: list[FactorImportReason] = Field(
        description="the factor imports committed since the last successful recalculation "
        "of the type (its own and module-wide ones), latest first, at most "
        f"{MAX_LISTED_FACTOR_IMPORTS}; empty when it is up to date"
    )
    factor_imports_total: int = Field(description="how many such imports there are in all")
    entries: int | None = Field(
        description="the type's entries in the year (kept up to date by every entry write)"
    )
    affected_entries: int | None = Field(
        description="entries whose emissions were computed with a factor those imports "
        "inserted, updated or removed (a recalculation changes them; entries with an "
        "override never count); 0 after a successful recalculation; null: not counted yet"
    )
    unresolvable_entries: int | None = Field(
        description="entries that match no usable factor: recalculating leaves them without "
        "emissions, a factor file has to cover them; null: not counted yet"
    )
    counted_at: datetime | None = Field(
        description="when the counts were last taken or moved: by a factor import that "
        "changed something, a successful recalculation of the type or a write of its entries "
        "(an import, a single-entry edit)"
    )


class RecalculationStatus(ModuleTypeNamed, DataEntryTypeNamed):
    """Per-(module_type_id, data_entry_type_id) recalculation status."""

    model_config = ConfigDict(from_attributes=True)

    module_type_id: int
    data_entry_type_id: int
    year: int
    needs_recalculation: bool = Field(
        description="true unless a recalculation finished SUCCESS or WARNING with the "
        "factors as they stand now"
    )
    last_factor_job_id: int | None = Field(
        description="the factor import that changed a factor last (a later one that changed "
        "none is not named)"
    )
    last_factor_job_result: IngestionResult | None = Field(description="0 SUCCESS, 1 WARNING")
    last_factor_job_finished_at: datetime | None
    last_factor_job_rows_done: int | None = Field(description="rows the factor import handled")
    last_factor_job_rows_total: int | None
    last_recalculation_job_id: int | None = Field(
        description="the latest recalculation of the pair, whatever its outcome (a module "
        "job's per-type row for module recalculations)"
    )
    last_recalculation_job_state: IngestionState | None
    last_recalculation_job_result: IngestionResult | None
    last_recalculation_job_finished_at: datetime | None
    recalculation_running_job_id: int | None = Field(
        description="the active recalculation to follow (a module job's id for its types), or null"
    )
    reason: StaleReason

    @computed_field(  # type: ignore[prop-decorator]
        description=f"{describe_codes(IngestionResult)}; null without a factor import"
    )
    @property
    def last_factor_job_result_name(self) -> str | None:
        return code_name(IngestionResult, self.last_factor_job_result)

    @computed_field(  # type: ignore[prop-decorator]
        description=f"{describe_codes(IngestionState)}; null without a recalculation"
    )
    @property
    def last_recalculation_job_state_name(self) -> str | None:
        return code_name(IngestionState, self.last_recalculation_job_state)

    @computed_field(  # type: ignore[prop-decorator]
        description=f"{describe_codes(IngestionResult)}; null until it finished"
    )
    @property
    def last_recalculation_job_result_name(self) -> str | None:
        return code_name(IngestionResult, self.last_recalculation_job_result)


class ModuleRecalculationStatus(ModuleTypeNamed):
    """Per-module rollup status — true if any data_entry_type needs recalculation."""

    module_type_id: int
    year: int
    needs_recalculation: bool
    data_entry_types: list[RecalculationStatus]
