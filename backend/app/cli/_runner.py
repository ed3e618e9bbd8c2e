"""The single wrapper through which every command runs its async work."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

import typer
from rich.console import Console

from app.core.errors import Co2CalcError

T = TypeVar("T")

console = Console()
err_console = Console(stderr=True)


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run one coroutine to completion; a domain error becomes a clear message and exit 1."""
    try:
        return asyncio.run(coroutine)
    except Co2CalcError as error:
        err_console.print(f"[bold red]Error:[/] {error.detail}")
        raise typer.Exit(1) from error
