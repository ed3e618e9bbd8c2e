"""The account service: creating, listing and ensuring users, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import security
from app.core.errors import BadRequest, Conflict
from app.core.permissions import Role
from app.repositories.user_repo import UserRepository
from app.services.auth_service import AuthService


async def test_create_user_stores_a_hash_and_the_roles(db: AsyncSession) -> None:
    service = AuthService(db)

    user = await service.create_user(
        "ines", "long enough", [Role.backoffice_viewer, Role.superadmin, Role.superadmin]
    )

    assert user.roles == (Role.backoffice_viewer.value, Role.superadmin.value)
    stored = await UserRepository(db).get_by_username("ines")
    assert stored is not None
    assert stored.password_hash != "long enough"
    assert security.verify_password("long enough", stored.password_hash)


async def test_a_duplicate_username_is_a_conflict(db: AsyncSession) -> None:
    service = AuthService(db)
    await service.create_user("jules", "long enough", [Role.superadmin])

    with pytest.raises(Conflict, match="already exists"):
        await service.create_user("jules", "another one", [Role.user_standard])


async def test_an_unknown_role_is_refused_naming_the_valid_roles(db: AsyncSession) -> None:
    with pytest.raises(BadRequest) as error:
        await AuthService(db).create_user("kim", "long enough", ["admin"])

    for role in Role:
        assert role.value in error.value.detail


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [("", "long enough", "empty"), ("  ", "long enough", "empty"), ("lea", "short", "at least")],
)
async def test_bad_account_input_is_refused(
    db: AsyncSession, username: str, password: str, message: str
) -> None:
    with pytest.raises(BadRequest, match=message):
        await AuthService(db).create_user(username, password, [Role.superadmin])


async def test_list_users_is_sorted_by_username_with_roles(db: AsyncSession) -> None:
    service = AuthService(db)
    await service.create_user("zoe", "long enough", [Role.user_standard])
    await service.create_user("adam", "long enough", [])

    users = await service.list_users()

    assert [(user.username, user.roles) for user in users] == [
        ("adam", ()),
        ("zoe", (Role.user_standard.value,)),
    ]


async def test_ensure_user_creates_then_keeps_the_password_unless_given(db: AsyncSession) -> None:
    service = AuthService(db)

    first = await service.ensure_user("admin", [Role.superadmin], password="first password")
    again = await service.ensure_user("admin", [Role.superadmin], password=None)
    changed = await service.ensure_user("admin", [Role.superadmin], password="second password")

    assert (first.created, first.password_changed) == (True, True)
    assert (again.created, again.password_changed) == (False, False)
    assert (changed.created, changed.password_changed) == (False, True)
    stored = await UserRepository(db).get_by_username("admin")
    assert stored is not None
    assert security.verify_password("second password", stored.password_hash)


async def test_ensure_user_adds_a_missing_role(db: AsyncSession) -> None:
    service = AuthService(db)
    await service.create_user("admin", "long enough", [Role.user_standard])

    ensured = await service.ensure_user("admin", [Role.superadmin], password=None)

    assert ensured.user.roles == (Role.superadmin.value, Role.user_standard.value)


async def test_ensure_user_needs_a_password_to_create(db: AsyncSession) -> None:
    with pytest.raises(BadRequest, match="give a password"):
        await AuthService(db).ensure_user("nobody", [Role.superadmin], password=None)
