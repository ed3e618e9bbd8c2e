"""Enums of DataIngestionJob. Integer values are what the API returns."""

from enum import IntEnum


class IngestionMethod(IntEnum):
    api = 0
    csv = 1
    manual = 2
    computed = 3


class TargetType(IntEnum):
    DATA_ENTRIES = 0
    FACTORS = 1
    # A dry run of a recalculation: it computes, reports in its meta and writes nothing else.
    EMISSION_PREVIEW = 2


class EntityType(IntEnum):
    MODULE_PER_YEAR = 2
    MODULE_UNIT_SPECIFIC = 3


class IngestionState(IntEnum):
    NOT_STARTED = 0
    QUEUED = 1
    RUNNING = 2
    FINISHED = 3


class IngestionResult(IntEnum):
    SUCCESS = 0
    WARNING = 1
    ERROR = 2


ACTIVE_STATES: tuple[IngestionState, ...] = (
    IngestionState.NOT_STARTED,
    IngestionState.QUEUED,
    IngestionState.RUNNING,
)


class DataEntrySource(IntEnum):
    """Who created a data entry: `replace` imports only ever remove their own kind."""

    user = 0
    csv = 1
    api = 2


class ModuleStatus(IntEnum):
    not_started = 0
    in_progress = 1
    validated = 2
