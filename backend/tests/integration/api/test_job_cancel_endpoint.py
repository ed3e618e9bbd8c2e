"""POST /api/v1/sync/jobs/{job_id}/cancel: the sync right, 202 with the job, 404 for an
unknown job, 409 once it has finished; on both databases. The running case (the job stops
at its next batch) is pinned by the task tests."""

from __future__ import annotations

import httpx
from api_fixtures import LoginAs
from factories import create_job
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.permissions import Role
from app.domain.ingestion import IngestionResult, IngestionState


def cancel_url(job_id: int) -> str:
    return f"/api/v1/sync/jobs/{job_id}/cancel"


async def new_job(session_factory: async_sessionmaker[AsyncSession], **fields: object) -> int:
    async with session_factory() as session:
        job = await create_job(session, **fields)
        await session.commit()
        return job.id


async def test_a_queued_job_is_cancelled_by_the_caller(
    app_client: httpx.AsyncClient,
    login_as: LoginAs,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    headers = await login_as(Role.backoffice_metier)
    username = (await app_client.get("/api/v1/auth/me", headers=headers)).json()["username"]
    job_id = await new_job(session_factory, state=IngestionState.QUEUED)

    response = await app_client.post(cancel_url(job_id), headers=headers)

    assert response.status_code == 202, response.text
    body = response.json()
    assert (body["id"], body["state"], body["result"]) == (
        job_id,
        IngestionState.FINISHED,
        IngestionResult.ERROR,
    )
    assert body["status_message"] == f"cancelled by {username}"
    assert body["cancel_requested_by"] == username
    shown = (await app_client.get(f"/api/v1/sync/jobs/{job_id}", headers=headers)).json()
    assert shown["status_message"] == f"cancelled by {username}"


async def test_an_unknown_job_is_404(app_client: httpx.AsyncClient, login_as: LoginAs) -> None:
    response = await app_client.post(cancel_url(4242), headers=await login_as(Role.superadmin))

    assert response.status_code == 404
    assert response.json() == {"detail": "job 4242 does not exist"}


async def test_a_finished_job_is_409(
    app_client: httpx.AsyncClient,
    login_as: LoginAs,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    job_id = await new_job(
        session_factory, state=IngestionState.FINISHED, result=IngestionResult.WARNING
    )

    response = await app_client.post(cancel_url(job_id), headers=await login_as(Role.superadmin))

    assert response.status_code == 409
    assert response.json() == {
        "detail": f"job {job_id} has already finished (WARNING): there is nothing to cancel"
    }


async def test_cancel_needs_the_sync_right(
    app_client: httpx.AsyncClient,
    login_as: LoginAs,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    job_id = await new_job(session_factory)

    anonymous = await app_client.post(cancel_url(job_id))
    viewer = await app_client.post(
        cancel_url(job_id), headers=await login_as(Role.backoffice_viewer)
    )

    assert (anonymous.status_code, viewer.status_code) == (401, 403)
    shown = await app_client.get(
        f"/api/v1/sync/jobs/{job_id}", headers=await login_as(Role.backoffice_viewer)
    )
    assert shown.json()["state"] == IngestionState.NOT_STARTED
