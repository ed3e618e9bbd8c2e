"""`co2calc demo` run once per test session and set of options, each test given a copy of its
own: a SQLite file copied by SQLite's backup, a PostgreSQL database made from the loaded one
as a template (`CREATE DATABASE .. TEMPLATE`). A demo takes seconds, tens on a loaded machine;
a copy well under one. The copy is the test's to change; the loaded original is never served.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import ExitStack, closing, contextmanager
from pathlib import Path

import pytest
from cli_runner import cli_runner
from fixture_types import NewPostgresDatabase
from sqlalchemy.engine import make_url


def copy_sqlite_database(source_url: str, target_url: str) -> None:
    """The SQLite database of `source_url` copied into the (absent or empty) file of
    `target_url`, by SQLite's backup (which reads through the source's write-ahead log)."""
    with (
        closing(sqlite3.connect(_sqlite_file(source_url))) as source,
        closing(sqlite3.connect(_sqlite_file(target_url))) as target,
    ):
        source.backup(target)


def _sqlite_file(url: str) -> Path:
    return Path(url.removeprefix("sqlite+aiosqlite:///"))


class DemoCopies:
    """The loaded demos, by database kind and `co2calc demo` arguments, while the stack lasts."""

    def __init__(self, folders: pytest.TempPathFactory, stack: ExitStack) -> None:
        self._folders = folders
        self._stack = stack
        self._loaded: dict[tuple[str, ...], str] = {}

    def sqlite(self, target_url: str, *demo_args: str) -> None:
        """The demo of these arguments, copied into the (absent or empty) file of `target_url`."""
        copy_sqlite_database(self._load(("sqlite", *demo_args), self._new_sqlite_file), target_url)

    @contextmanager
    def postgresql(self, new_database: NewPostgresDatabase, *demo_args: str) -> Iterator[str]:
        """A new PostgreSQL database holding the demo of these arguments, dropped on leaving."""
        loaded = self._load(
            ("postgresql", *demo_args), lambda: self._stack.enter_context(new_database())
        )
        with new_database(make_url(loaded).database) as url:
            yield url

    def _new_sqlite_file(self) -> str:
        return f"sqlite+aiosqlite:///{self._folders.mktemp('demo-sqlite') / 'co2calc.db'}"

    def _load(self, key: tuple[str, ...], new_url: Callable[[], str]) -> str:
        if key not in self._loaded:
            url = new_url()
            result = cli_runner(self._folders.mktemp("demo-cli"), url)("demo", *key[1:])
            assert result.returncode == 0, result.stderr
            self._loaded[key] = url
        return self._loaded[key]
