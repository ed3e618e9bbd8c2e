"""The uvicorn server of `co2calc serve`: shorter garbage-collector pauses while jobs run,
and a prompt stop while job streams are open.

Imported when the server starts only (uvicorn is not needed by the other commands).
"""

from __future__ import annotations

import gc
import socket

import uvicorn

from app.core import job_changes

# Once stopping, requests still open (an upload, say) get this long to end, then are cut.
SHUTDOWN_GRACE_SECONDS = 10
# What `uvicorn.run` exits with when the app failed to start.
STARTUP_FAILURE = 3


class Server(uvicorn.Server):
    """uvicorn, ending the job streams as soon as it stops (SIGTERM, Ctrl-C): a stream lasts
    as long as its job, and uvicorn waits for the open answers before it stops the app, whose
    shutdown is what ends the inline jobs (a running one "interrupted"; one waiting for its
    scope stays queued, for the next server to take over)."""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        """Once the app started, its objects (modules, routes, models: about 140,000) move
        out of the garbage collector's reach: a full collection scanned them all, each time
        holding the whole process (the event loop too) for 130 to 490 ms on a loaded machine."""
        await super().startup(sockets)
        gc.collect()
        gc.freeze()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        job_changes.end_streams()
        await super().shutdown(sockets)


def serve(config: uvicorn.Config) -> None:
    """Run until stopped; exit as `uvicorn.run` does when the app failed to start."""
    server = Server(config)
    server.run()
    if not server.started:
        raise SystemExit(STARTUP_FAILURE)
