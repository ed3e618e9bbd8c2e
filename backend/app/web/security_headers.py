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
# The API's Swagger UI page (/docs, app/web/api_docs.py) lives under the same policy.
# The browser tests fail on any violation either page reports.
PAGE_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def _policy(directives: dict[str, str]) -> str:
    return "; ".join(f"{name} {value}" for name, value in directives.items())


PAGE_POLICY = _policy(PAGE_DIRECTIVES)
# ReDoc (/redoc) writes its styles into <style> elements it creates, and runs its search in a
# worker started from a blob: address; its scripts are still only the app's own files.
REDOC_POLICY = _policy(
    PAGE_DIRECTIVES | {"style-src": "'self' 'unsafe-inline'", "worker-src": "'self' blob:"}
)
POLICY_BY_PATH = {"/redoc": REDOC_POLICY}

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
        policy = POLICY_BY_PATH.get(scope["path"], PAGE_POLICY)

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
