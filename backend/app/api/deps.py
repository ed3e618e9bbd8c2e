"""Request-scoped dependencies shared by the routers: typed views of what the app holds
(settings, secret key, engine, session factory, job runner) and the request's unit of work."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.core.job_queue import JobDispatcher, commit_and_dispatch
from app.core.settings import Settings


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_secret_key(request: Request) -> str:
    secret_key: str = request.app.state.secret_key
    return secret_key


def get_engine(request: Request) -> AsyncEngine:
    engine: AsyncEngine = request.app.state.engine
    return engine


def get_session_factory(request: Request) -> async_sessionmaker[AsyncSession]:
    factory: async_sessionmaker[AsyncSession] = request.app.state.session_factory
    return factory


def get_runner(request: Request) -> JobDispatcher:
    runner: JobDispatcher = request.app.state.runner
    return runner


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
SecretKeyDep = Annotated[str, Depends(get_secret_key)]
EngineDep = Annotated[AsyncEngine, Depends(get_engine)]
SessionFactoryDep = Annotated[async_sessionmaker[AsyncSession], Depends(get_session_factory)]
RunnerDep = Annotated[JobDispatcher, Depends(get_runner)]


async def get_session(factory: SessionFactoryDep, runner: RunnerDep) -> AsyncIterator[AsyncSession]:
    """One session per request, committed once when the route returned without error; the
    jobs the request created are dispatched only then.

    Services only flush; this is the single place a request's writes are committed, and it
    runs before the response is sent (scope="function" below), so a failed commit is a 500
    rather than a success the database never saw. A failed request rolls back, and its jobs
    are never dispatched.
    """
    async with factory() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        await commit_and_dispatch(session, runner)


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
