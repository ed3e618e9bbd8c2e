"""configure_logging: one key=value line per record, uvicorn's loggers included."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest

from app.core.logging import KeyValueFormatter, configure_logging, log_extra

LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (?P<rest>.*)$")


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """configure_logging changes the root logger and uvicorn's: put them back afterwards."""
    root = logging.getLogger()
    saved = (root.level, list(root.handlers))
    uvicorn = [logging.getLogger(name) for name in ("uvicorn", "uvicorn.error", "uvicorn.access")]
    saved_uvicorn = [(lg.level, list(lg.handlers), lg.propagate) for lg in uvicorn]
    yield
    root.setLevel(saved[0])
    root.handlers[:] = saved[1]
    for lg, (level, handlers, propagate) in zip(uvicorn, saved_uvicorn, strict=True):
        lg.setLevel(level)
        lg.handlers[:] = handlers
        lg.propagate = propagate


def _record(message: str, extra: dict[str, object] | None = None) -> logging.LogRecord:
    record = logging.LogRecord("app.tasks.execution", logging.INFO, __file__, 1, message, (), None)
    record.__dict__.update(extra or {})
    return record


def test_line_has_timestamp_level_logger_message_and_extras_in_order() -> None:
    extra = log_extra("job.finished", job_id=7, worker_id="host:1:ab", result="SUCCESS", x=None)

    line = KeyValueFormatter().format(_record("job finished", extra))

    match = LINE.match(line)
    assert match is not None, line
    assert match["rest"] == (
        "INFO app.tasks.execution job finished "
        "action=job.finished job_id=7 worker_id=host:1:ab result=SUCCESS"
    )


def test_values_with_spaces_are_quoted_and_lists_are_json() -> None:
    line = KeyValueFormatter().format(
        _record("m", {"action": "a", "cause": 'RuntimeError: "boom" now', "ids": [1, 2]})
    )

    assert line.endswith(' action=a cause="RuntimeError: \\"boom\\" now" ids="[1, 2]"')


def test_reserved_names_are_renamed_instead_of_breaking_the_log_call() -> None:
    assert log_extra("a", created=3, module="m") == {"action": "a", "created_": 3, "module_": "m"}


def test_configure_logging_writes_app_and_uvicorn_records_to_stderr(
    restored_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("warning")
    configure_logging("info")  # idempotent: still one line per record

    logging.getLogger("app.tasks.runner").info("swept", extra=log_extra("sweep.x", job_id=3))
    logging.getLogger("app.tasks.runner").debug("not shown")
    logging.getLogger("uvicorn.error").info("Uvicorn running", extra={"color_message": "ansi"})

    lines = capsys.readouterr().err.splitlines()
    assert [LINE.sub(r"\g<rest>", line) for line in lines] == [
        "INFO app.tasks.runner swept action=sweep.x job_id=3",
        "INFO uvicorn.error Uvicorn running",
    ]


def test_unknown_level_is_refused(restored_logging: None) -> None:
    with pytest.raises(ValueError, match="unknown log level 'LOUD'"):
        configure_logging("LOUD")
