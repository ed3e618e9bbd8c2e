"""The exit codes of every `co2calc` command, one table for the help, the README and the code,
so a script can tell a job's outcome from a refusal, a usage error or a database it cannot use."""

from __future__ import annotations

from enum import IntEnum

from app.domain.ingestion import IngestionResult


class ExitCode(IntEnum):
    SUCCESS = 0  # the job ended SUCCESS, or the command did what it was asked
    WARNING = 1  # the job ended WARNING (done, with rows rejected or entries in error)
    USAGE = 2  # a bad option or setting (Typer's usage errors, CO2CALC_* out of range)
    REFUSED = 3  # refused, nothing changed: nothing stale, scope busy, unknown id, duplicate
    ERROR = 4  # the job ended ERROR (a file refused before any job is created included)
    DATABASE = 5  # the database is missing, not migrated, unreachable or refuses writes


HELP = (
    "Exit codes: 0 success; 1 the job ended WARNING; 2 usage error (bad option or setting); "
    "3 refused, nothing changed (nothing stale, scope busy, unknown id); 4 the job ended "
    "ERROR; 5 the database is missing, not migrated or unreachable."
)


def for_result(result: IngestionResult | None) -> ExitCode:
    """The exit code of a job that ended with `result` (None: it ended without one, ERROR)."""
    if result is IngestionResult.SUCCESS:
        return ExitCode.SUCCESS
    if result is IngestionResult.WARNING:
        return ExitCode.WARNING
    return ExitCode.ERROR
