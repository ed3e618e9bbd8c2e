"""Queries on users and their role bindings."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.models import User, UserRole
from app.repositories.base import Repository


class UserRepository(Repository[User]):
    model = User

    async def get_by_username(self, username: str) -> User | None:
        """The user with their roles loaded, or None."""
        return await self.get_one_or_none(
            select(User).where(User.username == username).options(selectinload(User.roles))
        )

    async def get_with_roles(self, user_id: int) -> User | None:
        return await self.get_one_or_none(
            select(User).where(User.id == user_id).options(selectinload(User.roles))
        )

    async def list_with_roles(self) -> list[User]:
        return await self.get_all(
            select(User).options(selectinload(User.roles)).order_by(User.username)
        )

    async def create(self, *, username: str, password_hash: str, roles: Iterable[str]) -> User:
        """Insert a user and their roles; flushes so the id is known."""
        user = User(username=username, password_hash=password_hash, is_active=True)
        user.roles = [UserRole(role=role) for role in sorted(set(roles))]
        self.add(user)
        await self.session.flush()
        return user

    async def set_password_hash(self, user: User, password_hash: str) -> None:
        user.password_hash = password_hash
        await self.session.flush()

    async def add_roles(self, user: User, roles: Iterable[str]) -> None:
        """Bind the roles the user does not have yet (`user.roles` must be loaded)."""
        have = {binding.role for binding in user.roles}
        for role in sorted(set(roles) - have):
            user.roles.append(UserRole(role=role))
        await self.session.flush()
