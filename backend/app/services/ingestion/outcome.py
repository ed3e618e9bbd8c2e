"""What an import hands back to the job that runs it, and how it reports progress."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from app.domain.ingestion import IngestionResult


class Progress(Protocol):
    """`JobHandle.progress`: publishes at once on the job session (the page and SSE see it)."""

    async def __call__(
        self, message: str | None = None, *, done: int | None = None, total: int | None = None
    ) -> None: ...


async def no_progress(
    message: str | None = None, *, done: int | None = None, total: int | None = None
) -> None:
    """A Progress that shows nothing (tests, scripts)."""


# `JobHandle.progress_while_writing`: progress from inside the job's final write transaction.
WriteProgress = Callable[[str], Awaitable[None]]


async def no_write_progress(message: str) -> None:
    """A WriteProgress that shows nothing (tests, scripts)."""


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """Final result, message and meta (keys: meta.py) of an import; the job writes them."""

    result: IngestionResult
    message: str
    meta: dict[str, Any]
    factor_sequence: int | None = None


def all_rejected(rows: int) -> str:
    """Why nothing was imported from a file whose every row was rejected."""
    return "the only row was rejected" if rows == 1 else f"all {rows} rows were rejected"
