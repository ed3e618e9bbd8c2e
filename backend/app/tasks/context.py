"""Which engine and worker identity a task runs with, set by whoever runs it.

Task functions keep the plan's signatures (ids only), so the engine travels in a context
variable: the runner (or the CLI) sets it, asyncio copies it into each task it starts.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache

from sqlalchemy.ext.asyncio import AsyncEngine

from app.db import get_engine

_task_engine: ContextVar[AsyncEngine | None] = ContextVar("task_engine", default=None)
_hands_back: ContextVar[bool] = ContextVar("hands_back", default=False)


@contextmanager
def use_engine(engine: AsyncEngine) -> Iterator[None]:
    token = _task_engine.set(engine)
    try:
        yield
    finally:
        _task_engine.reset(token)


def current_engine() -> AsyncEngine:
    return _task_engine.get() or get_engine()


@contextmanager
def hand_back_when_interrupted() -> Iterator[None]:
    """Jobs interrupted inside the block (their worker stops) are handed back, to be run
    again by another worker, instead of ending ERROR "interrupted" (the inline runner's
    rule: no one else would run them)."""
    token = _hands_back.set(True)
    try:
        yield
    finally:
        _hands_back.reset(token)


def hands_back_when_interrupted() -> bool:
    return _hands_back.get()


@cache
def worker_id() -> str:
    """This process's identity on job rows: host and pid tell whether it is still alive."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def is_local_worker_dead(worker: str) -> bool:
    """True when `worker` ran on this host in a process that no longer exists."""
    host, _, rest = worker.partition(":")
    pid_text, _, _ = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit() or worker == worker_id():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
