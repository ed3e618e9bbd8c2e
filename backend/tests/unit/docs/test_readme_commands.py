"""The README's command table names every `co2calc` command and no command that does not
exist, and the tools its examples pipe into are listed before they are used."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer.main

from app.cli import app

README = (Path(__file__).parents[4] / "README.md").read_text(encoding="utf-8")


def _commands(command: Any, prefix: str = "co2calc") -> Iterator[str]:
    """Every leaf command's full name (groups hold `commands`)."""
    subcommands = getattr(command, "commands", None)
    if not subcommands:
        yield prefix
        return
    for name, subcommand in subcommands.items():
        yield from _commands(subcommand, f"{prefix} {name}")


def _table_commands() -> set[str]:
    """The command words of each row: arguments are upper case, options start with '-'."""
    return set(re.findall(r"^\| `(co2calc(?: [a-z]+)*)[` ]", README, re.M))


def test_the_command_table_lists_every_command() -> None:
    assert _table_commands() == set(_commands(typer.main.get_command(app)))


def test_jq_is_a_listed_requirement_before_an_example_uses_it() -> None:
    first_use = README.index("| jq")
    assert "`jq`" in README[:first_use]
