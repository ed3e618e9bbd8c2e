"""Job JSON, the same everywhere (job endpoints, stream events, the CLI's `--json`): every
column, enums as integers with their names beside them, timestamps ISO 8601 in UTC."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ConfigDict, Field

from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum
from app.schemas.names import (
    DataEntryTypeNamed,
    ModuleTypeNamed,
    ResultNamed,
    StateNamed,
    describe_codes,
)


class JobRead(ModuleTypeNamed, DataEntryTypeNamed, StateNamed, ResultNamed):
    model_config = ConfigDict(from_attributes=True)

    id: int
    module_type_id: int = Field(description=f"The module: {describe_codes(ModuleTypeEnum)}")
    data_entry_type_id: int | None = Field(
        description=f"The type, null when the job covers the whole module: "
        f"{describe_codes(DataEntryTypeEnum)}"
    )
    year: int
    ingestion_method: int = Field(description="0 api, 1 csv, 2 manual, 3 computed")
    target_type: int = Field(description="0 DATA_ENTRIES, 1 FACTORS, 2 EMISSION_PREVIEW")
    entity_type: int = Field(description="2 MODULE_PER_YEAR, 3 MODULE_UNIT_SPECIFIC")
    state: int = Field(description="0 NOT_STARTED, 1 QUEUED, 2 RUNNING, 3 FINISHED")
    result: int | None = Field(description="0 SUCCESS, 1 WARNING, 2 ERROR; set once FINISHED")
    status_message: str | None
    meta: dict[str, Any]
    is_current: bool
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    requested_by: str | None
    parent_job_id: int | None
    attempts: int
    heartbeat_at: datetime | None
    worker_id: str | None
    progress_done: int | None
    progress_total: int | None
    factor_sequence: int | None = Field(
        description="factor import: the scope's factor sequence it committed "
        "(none when it changed no factor); "
        "recalculation: the sequence of the factors it read"
    )
    cancel_requested_by: str | None = Field(
        description="who asked the job to stop; it then ends FINISHED/ERROR "
        '"cancelled by NAME" with its data as before'
    )


class JobWithChildren(JobRead):
    """A job of the history, with the per-type rows of a module recalculation under it."""

    children: list[JobRead] = Field(default_factory=list)


class JobStreamEvent(JobRead):
    """The JSON `data:` of one event of a job's stream: the job as it is now. The last event,
    sent once the job is FINISHED, adds `stream_closed: true`; before it the field is absent."""

    stream_closed: bool = Field(default=False, description="true on the stream's last event")


class SyncStatusResponse(StateNamed):
    """The answer of every job-creating endpoint (202): follow the job with its stream."""

    job_id: int
    state: int
    message: str
