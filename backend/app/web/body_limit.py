"""A bound on every request body but the file uploads': 413 past it, before the body is read.

Without it a JSON or form route reads whatever it is sent into memory before validating it,
so one anonymous `POST /api/v1/auth/login` of a gigabyte costs the server a gigabyte. A
declared Content-Length over the bound is refused without reading; a body sent without one
is counted as it arrives and refused once past the bound (the route's own error, from the
cut-off body, is replaced by the 413). The upload routes (`UPLOAD_PREFIXES`) read their
files under CO2CALC_MAX_UPLOAD_MB themselves.

A pure ASGI middleware, so server-sent event streams pass through unbuffered.
"""

from __future__ import annotations

import contextlib

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# JSON and form bodies are small: a data entry, a unit, a login. 1 MiB leaves room for any of
# them many times over.
MAX_BODY_BYTES = 1024 * 1024
UPLOAD_PREFIXES = ("/api/v1/sync/factors/", "/api/v1/sync/data-entries/")
TOO_LARGE = (
    f"the request body is larger than {MAX_BODY_BYTES // 1024} KiB, the limit for everything "
    "but file uploads; send a smaller body (files go to the import endpoints)"
)


class _BodyTooLarge(Exception):
    pass


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(UPLOAD_PREFIXES):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0
        exceeded = started = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            # The route answered its own error about the cut-off body: the 413 replaces it.
            nonlocal started
            if not exceeded:
                started = started or message["type"] == "http.response.start"
                await send(message)

        # Raised through the route when it reads past the bound (a route may also turn it
        # into its own error, which guarded_send holds back).
        with contextlib.suppress(_BodyTooLarge):
            await self.app(scope, counting_receive, guarded_send)
        if exceeded and not started:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        await JSONResponse({"detail": TOO_LARGE}, status_code=413)(scope, receive, send)
