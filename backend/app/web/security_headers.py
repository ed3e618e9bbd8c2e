"""Security headers on every answer: the API's, the page's, its assets' and the errors'.

A pure ASGI middleware (not BaseHTTPMiddleware), so server-sent event streams pass through
unbuffered. Headers a route set itself win. An unexpected error is answered here too, as the
JSON 500 every other error's shape follows, so it carries the headers as well.

API answers and any answer setting a cookie are never stored by a browser or proxy
(`Cache-Control: no-store`): they carry tokens, session cookies and per-user data.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The page loads only its own files and talks only to its own origin: no inline script and
# no inline style (the build emits neither; Vue, Quasar and ECharts set styles through the
# CSSOM, which a policy does not govern, and the chart's tooltips are drawn on its canvas).
# The browser tests fail on any violation the page reports.
PAGE_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
# FastAPI's /docs and /redoc pages start Swagger UI / ReDoc with an inline script and load
# them from a CDN; they get that and nothing else.
_DOCS_CDN = "https://cdn.jsdelivr.net"
DOCS_POLICY = "; ".join(
    (
        "default-src 'self'",
        f"script-src 'self' 'unsafe-inline' {_DOCS_CDN}",
        f"style-src 'self' 'unsafe-inline' {_DOCS_CDN}",
        "img-src 'self' data: https://fastapi.tiangolo.com",
        "worker-src 'self' blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
    )
)
DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc"})

COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    # frame-ancestors 'none' for browsers that predate it.
    "X-Frame-Options": "DENY",
}
INTERNAL_ERROR = {"detail": "internal server error; the server log has the cause"}
API_PATH_PREFIX = "/api/"
NO_STORE = "no-store"


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = DOCS_POLICY if scope["path"] in DOCS_PATHS else PAGE_POLICY

        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", policy)
                for name, value in COMMON_HEADERS.items():
                    headers.setdefault(name, value)
                if scope["path"].startswith(API_PATH_PREFIX) or "set-cookie" in headers:
                    headers.setdefault("Cache-Control", NO_STORE)
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            # Starlette's outermost error middleware would answer a bare text/plain 500 past
            # this one; answer it here instead, then let the error reach the server's log.
            if not started:
                answer = JSONResponse(INTERNAL_ERROR, status_code=500)
                await answer(scope, receive, send_with_headers)
            raise
