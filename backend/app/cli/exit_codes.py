"""The exit codes of every `co2calc` command, one table for the help, the README and the code,
so a script can tell a job's outcome from a refusal or a database it cannot use."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    SUCCESS = 0
    WARNING = 1
    USAGE = 2
    REFUSED = 3
    ERROR = 4
    DATABASE = 5
