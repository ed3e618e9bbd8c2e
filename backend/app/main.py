"""FastAPI application factory: lifespan (engine), routers, error handler, page, headers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncEngine

from app import paths
from app.api.v1 import api_router
from app.api.validation_errors import handle_validation_error
from app.core.errors import Co2CalcError
from app.core.job_change_listener import JobChangeListener
from app.core.secret_key import resolve_secret_key
from app.core.settings import Settings, get_settings
from app.db import create_engine, create_session_factory, libpq_address
from app.services.login_gate import LoginGate
from app.tasks.backends import job_runner
from app.web.api_docs import mount_api_docs
from app.web.body_limit import BodyLimitMiddleware
from app.web.page import mount_page
from app.web.security_headers import SecurityHeadersMiddleware

API_PREFIX = "/api/v1"
# Password checks at once (each is a slow hash on a worker thread, holding no connection):
# below the pool's five connections and about the cores a small server has; a login waits at
# most LOGIN_WAIT_SECONDS for its turn, then gets 429.
LOGIN_CONCURRENCY = 4
LOGIN_WAIT_SECONDS = 10.0


def _operation_id(route: APIRoute) -> str:
    """The route function's name (`list_jobs`): the generated client's operation names.

    Route functions are named uniquely across routers; a duplicate would make FastAPI warn
    while building the schema, and a test fails on it."""
    return route.name


async def _handle_co2calc_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, Co2CalcError)
    return JSONResponse(
        status_code=error.status_code, content=error.to_body(), headers=error.headers()
    )


def create_app(settings: Settings | None = None, engine: AsyncEngine | None = None) -> FastAPI:
    """Build the app. Pass `engine` to share one the caller owns (tests); it is not disposed.

    Raises `ConfigurationError` when there is no acceptable secret key (production without
    CO2CALC_SECRET_KEY); in development a local key is generated once and kept.
    """
    settings = settings or get_settings()
    secret_key = resolve_secret_key(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = engine is None
        app_engine = (
            create_engine(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
            if engine is None
            else engine
        )
        app.state.engine = app_engine
        app.state.session_factory = create_session_factory(app_engine)
        listener = (
            JobChangeListener(libpq_address(app_engine.url))
            if app_engine.dialect.name == "postgresql"
            else None
        )
        try:
            async with job_runner(settings, app_engine) as runner:
                app.state.runner = runner
                if listener is not None:
                    listener.start()
                yield
        finally:
            if listener is not None:
                await listener.stop()
            if owned:
                await app_engine.dispose()

    app = FastAPI(
        title="co2calc back office",
        description="Imports, emissions and recalculation of a university carbon footprint.",
        version="0.1.0",
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
        # FastAPI's own docs pages load their scripts from a CDN: ours are served here.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.secret_key = secret_key
    app.state.login_gate = LoginGate(concurrency=LOGIN_CONCURRENCY, wait_seconds=LOGIN_WAIT_SECONDS)
    app.add_exception_handler(Co2CalcError, _handle_co2calc_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.include_router(api_router, prefix=API_PREFIX)
    mount_api_docs(app)
    mount_page(app, paths.static_dir())
    app.add_middleware(BodyLimitMiddleware)
    # Added last, so outermost: the 413 above carries the headers too.
    app.add_middleware(SecurityHeadersMiddleware)
    return app
