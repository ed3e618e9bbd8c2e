"""Types of the root conftest's fixtures, importable by tests (a test importing `conftest` may
get another directory's conftest module of that name)."""

from collections.abc import Callable
from contextlib import AbstractContextManager

DatabaseMaker = Callable[[], AbstractContextManager[str]]
NewPostgresDatabase = Callable[..., AbstractContextManager[str]]
