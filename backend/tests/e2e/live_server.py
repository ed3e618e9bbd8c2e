"""A real uvicorn serving `create_app` in a thread, on a free port, for stream tests.

The in-process test transport buffers streamed responses, so SSE is tested against this.
Also: a free port and waiting for a `co2calc serve` subprocess to answer, reading server-sent
events with httpx (to a stream's end: `follow_stream`), users with a bearer token, and a job
held on the server's loop (`ServerHold`).
"""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from app.core.settings import Settings
from app.main import create_app


@dataclass
class LiveServer:
    base_url: str
    app: FastAPI


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# A `co2calc serve` starts in about 2 s on an idle machine, but its imports alone took 12 s with
# the 2 cores loaded eightfold, and more with parallel test workers: a minute was not enough.
# The bound only catches a server that never answers, within the tests' 300 s timeout.
SERVE_START_SECONDS = 240


def wait_until_answering(url: str, server: subprocess.Popen[Any]) -> None:
    """Poll `url` until the `co2calc serve` subprocess answers (SERVE_START_SECONDS at most);
    fail with its output if it exits first."""
    deadline = time.monotonic() + SERVE_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            output = server.stdout.read() if server.stdout else ""
            raise AssertionError(f"co2calc serve exited early:\n{output}")
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"co2calc serve did not answer {url} within {SERVE_START_SECONDS} s")


@contextmanager
def live_server(settings: Settings) -> Iterator[LiveServer]:
    app = create_app(settings)
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise AssertionError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", app)
    finally:
        server.should_exit = True
        thread.join(timeout=30)


async def sse_events(response: httpx.Response) -> AsyncIterator[dict[str, Any]]:
    """The `data:` payloads of a server-sent event stream, parsed, as they arrive."""
    data: list[str] = []
    async for line in response.aiter_lines():
        if line.startswith("data:"):
            data.append(line[5:].strip())
        elif not line and data:
            yield json.loads("\n".join(data))
            data = []


async def follow_stream(
    client: httpx.AsyncClient,
    job_id: int,
    headers: dict[str, str],
    opened: asyncio.Queue[int] | None = None,
) -> list[dict[str, Any]]:
    """Every event of the job's stream until the server ends it; the job id goes to `opened`
    when the first event arrived."""
    async with client.stream("GET", f"/api/v1/sync/jobs/{job_id}/stream", headers=headers) as r:
        assert r.status_code == 200, await r.aread()
        events = sse_events(r)
        seen = [await anext(events)]
        if opened is not None:
            await opened.put(seen[0]["id"])
        seen.extend([event async for event in events])
        return seen


class ServerHold:
    """A job that runs on the live server's event loop (another thread), held at one point
    until `release`: threading events, awaited off the loops."""

    # Only a job that never gets there waits this long.
    REACH_SECONDS = 120

    def __init__(self) -> None:
        self.reached = threading.Event()
        self.release = threading.Event()

    async def hold(self) -> None:
        """Called by the job, on the server's loop."""
        self.reached.set()
        await asyncio.to_thread(self.release.wait)

    async def wait_reached(self) -> None:
        assert await asyncio.to_thread(self.reached.wait, self.REACH_SECONDS), "never reached"


async def bearer_headers(base_url: str, username: str, password: str) -> dict[str, str]:
    async with httpx.AsyncClient(base_url=base_url) as client:
        response = await client.post(
            "/api/v1/auth/token", data={"username": username, "password": password}
        )
        response.raise_for_status()
        return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def wait_until(condition: Any, seconds: float = 30.0) -> None:
    """Await `condition()` (a coroutine function returning bool) until it is true."""
    deadline = time.monotonic() + seconds
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.1)
