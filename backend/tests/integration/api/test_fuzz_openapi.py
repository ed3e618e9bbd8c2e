"""API fuzzing: requests drawn by schemathesis from the app's own OpenAPI document.

Every operation, as an operator and as a viewer, with valid requests (positive) and requests
that break the documented shape (negative), against a real uvicorn on SQLite and PostgreSQL
holding a unit, its report and a few entries. Each answer must not be a 5xx and must match
what the document says: a documented status code, its content type and its body schema.

By default a few fixed examples per operation and mode run (derandomized); with
`--hypothesis-profile=long` the profile's number of random examples (see README).
The event stream is left out: it is a long-lived `text/event-stream` answer whose events
the stream tests check against their schema.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
import schemathesis
from api_fixtures import TEST_PASSWORD, CreateUser
from e2e.live_server import live_server
from factories import create_entry, create_module, create_unit_with_factors
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis_profiles import unless_long
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.schemas import APIOperation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.permissions import Role
from app.core.settings import Settings

pytestmark = pytest.mark.slow

ROLES = {"operator": Role.backoffice_metier, "viewer": Role.backoffice_viewer}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
STREAM_PATH = "/api/v1/sync/jobs/{job_id}/stream"
LOGOUT_PATH = "/api/v1/auth/logout"
# Per operation, role and mode in CI: 25 operations x 2 roles x 2 modes x 8 = 800 requests
# per database.
CI_EXAMPLES = 8
CI_SETTINGS = settings(
    max_examples=CI_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@dataclass(frozen=True)
class Caller:
    base_url: str
    username: str

    def bearer(self) -> dict[str, str]:
        """A new token of this account: logout, when fuzzed, revokes the one it is sent."""
        response = httpx.post(
            f"{self.base_url}/api/v1/auth/token",
            data={"username": self.username, "password": TEST_PASSWORD},
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _takes_input(operation: APIOperation) -> bool:
    """Declares parameters or a body (the session cookie of its security scheme aside)."""
    declared = operation.definition.raw
    return bool(declared.get("parameters")) or "requestBody" in declared


def _fuzzed_operations(
    schema: schemathesis.BaseSchema, mode: GenerationMode
) -> Iterator[APIOperation]:
    """Every operation but the stream; in negative mode only those taking some input (a
    request to one that takes nothing cannot break its shape)."""
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path == STREAM_PATH:
            continue
        if mode is GenerationMode.NEGATIVE and not _takes_input(operation):
            continue
        yield operation


def _fuzz(operation: APIOperation, mode: GenerationMode, caller: Caller) -> None:
    token = caller.bearer()

    @unless_long(CI_SETTINGS, suppress_health_check=list(HealthCheck), deadline=None)
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case: schemathesis.Case) -> None:
        headers = caller.bearer() if operation.path == LOGOUT_PATH else token
        response = case.call(base_url=caller.base_url, headers=headers, timeout=60)
        print("CASE", case.method, case.formatted_path, response.status_code)
        case.validate_response(response, checks=CHECKS)

    check()


async def _seed(factory: async_sessionmaker[AsyncSession]) -> None:
    """Something for reads to find: a unit with factors, its report and two entries."""
    async with factory() as session:
        unit = await create_unit_with_factors(session)
        module = await create_module(session, unit=unit)
        for quantity in (1.0, 2.5):
            await create_entry(
                session, module=module, data={"category": "ch4", "quantity_kg": quantity}
            )
        await session.commit()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("role", sorted(ROLES))
async def test_every_answer_is_documented_and_none_is_a_server_error(
    role: str,
    mode: GenerationMode,
    app_settings: Settings,
    create_user: CreateUser,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await _seed(session_factory)
    user = await create_user(ROLES[role])
    with live_server(app_settings) as server:
        schema = schemathesis.openapi.from_dict(server.app.openapi())
        caller = Caller(server.base_url, user.username)
        failures: list[str] = []
        for operation in _fuzzed_operations(schema, mode):
            failures.extend(await asyncio.to_thread(_failures_of, operation, mode, caller))
    assert not failures, "\n\n".join(failures)


def _failures_of(operation: APIOperation, mode: GenerationMode, caller: Caller) -> list[str]:
    """The falsifying example of this operation, if any: every operation runs even when an
    earlier one failed, so one run lists all of them."""
    try:
        _fuzz(operation, mode, caller)
    except (Exception, FailureGroup) as error:  # every failure, reported with its operation
        return [f"{operation.method.upper()} {operation.path}: {error}"]
    return []
