"""One log line per record: `timestamp LEVEL logger message key=value ...`.

Structured fields travel as `extra=` (see `log_extra`) and are rendered after the message,
`action` and `job_id` first, so an operator can grep one job's story out of a server log.
Nothing is installed at import time: `configure_logging` is called by the CLI (serve
included), never by the library code or the tests' imports.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD_ATTRIBUTES = frozenset(
    logging.makeLogRecord({}).__dict__.keys()
    | {"message", "asctime", "taskName", "color_message"}  # color_message: uvicorn's duplicate
)
_FIRST = ("action", "job_id", "worker_id")
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi")
# alembic says at INFO, on every look at the schema (each command checks it), which plugins
# it set up and which DDL mode it assumes; `db upgrade` says itself that it is done.
QUIET_LOGGERS = ("alembic.runtime.plugins", "alembic.runtime.migration")


def log_extra(action: str, **fields: Any) -> dict[str, Any]:
    """`extra=` of a structured record: the action name and fields that are not None.

    A field named like a LogRecord attribute (`created`, `module`...) gets a trailing `_`:
    logging refuses to overwrite those, and a log call must never fail a job.
    """
    extra = {"action": action}
    for key, value in fields.items():
        if value is not None:
            extra[f"{key}_" if key in _STANDARD_ATTRIBUTES else key] = value
    return extra


def _value(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    if text == "" or any(char.isspace() or char in '"=' for char in text):
        return json.dumps(text)
    return text


class KeyValueFormatter(logging.Formatter):
    """`2025-01-31T12:00:00.123Z INFO app.tasks.execution job finished action=... job_id=7`."""

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, UTC)
        line = (
            f"{moment.strftime('%Y-%m-%dT%H:%M:%S')}.{int(record.msecs):03d}Z "
            f"{record.levelname} {record.name} {record.getMessage()}"
        )
        extras = {
            key: value
            for key, value in record.__dict__.items()
            if key not in _STANDARD_ATTRIBUTES and not key.startswith("_")
        }
        ordered = [key for key in _FIRST if key in extras]
        ordered += sorted(key for key in extras if key not in _FIRST)
        if ordered:
            line += " " + " ".join(f"{key}={_value(extras[key])}" for key in ordered)
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        if record.stack_info:
            line += "\n" + self.formatStack(record.stack_info)
        return line


class _StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever `sys.stderr` is now (rich's live display, pytest's capture)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _: TextIO) -> None:
        pass


@contextmanager
def info_to_file(path: Path) -> Iterator[None]:
    """Inside the block, records go to `path` (overwritten) at the configured level, and only
    warnings and worse still to stderr: a command that runs many jobs (the demo) keeps its
    own output readable and says where the details are."""
    root = logging.getLogger()
    path.parent.mkdir(parents=True, exist_ok=True)
    to_file = logging.FileHandler(path, mode="w", encoding="utf-8")
    to_file.setFormatter(KeyValueFormatter())
    to_stderr = [handler for handler in root.handlers if isinstance(handler, _StderrHandler)]
    levels = [handler.level for handler in to_stderr]
    for handler in to_stderr:
        handler.setLevel(max(handler.level, logging.WARNING))
    root.addHandler(to_file)
    try:
        yield
    finally:
        root.removeHandler(to_file)
        to_file.close()
        for handler, level in zip(to_stderr, levels, strict=True):
            handler.setLevel(level)


def configure_logging(level: str | int = "INFO") -> None:
    """Send every record (uvicorn's included) to stderr as key=value lines, at `level`.

    Idempotent: a second call replaces the handler it installed and changes the level.
    An unknown level name raises ValueError.
    """
    resolved = level.upper() if isinstance(level, str) else level
    if isinstance(resolved, str) and resolved not in logging.getLevelNamesMapping():
        raise ValueError(
            f"unknown log level {level!r}; one of DEBUG, INFO, WARNING, ERROR, CRITICAL"
        )
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, _StderrHandler):
            root.removeHandler(handler)
    handler = _StderrHandler()
    handler.setFormatter(KeyValueFormatter())
    root.addHandler(handler)
    root.setLevel(resolved)
    for name in UVICORN_LOGGERS:
        # uvicorn's own handlers (when it configured itself) would print each line twice.
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
        logger.setLevel(resolved)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
