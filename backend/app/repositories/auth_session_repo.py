"""Queries on login sessions (cookie sessions and bearer tokens), found by token hash."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload

from app.models import AuthSession, User
from app.repositories.base import Repository


class AuthSessionRepository(Repository[AuthSession]):
    model = AuthSession

    async def create(
        self,
        *,
        token_hash: str,
        user_id: int,
        kind: str,
        csrf_hash: str | None,
        created_at: datetime,
        expires_at: datetime,
    ) -> AuthSession:
        auth_session = AuthSession(
            token_hash=token_hash,
            user_id=user_id,
            kind=kind,
            csrf_token=csrf_hash,
            created_at=created_at,
            expires_at=expires_at,
        )
        self.add(auth_session)
        await self.session.flush()
        return auth_session

    async def get_active(self, token_hash: str, *, kind: str, now: datetime) -> AuthSession | None:
        """The unexpired session of this token and kind, with its active user and roles."""
        statement = (
            select(AuthSession)
            .join(AuthSession.user)
            .where(
                AuthSession.token_hash == token_hash,
                AuthSession.kind == kind,
                AuthSession.expires_at > now,
                User.is_active.is_(True),
            )
            .options(joinedload(AuthSession.user).selectinload(User.roles))
        )
        return await self.get_one_or_none(statement)

    async def delete_by_token_hash(self, token_hash: str) -> int:
        result = await self.session.execute(
            delete(AuthSession).where(AuthSession.token_hash == token_hash)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def delete_expired(self, now: datetime) -> int:
        result = await self.session.execute(
            delete(AuthSession).where(AuthSession.expires_at <= now)
        )
        return int(getattr(result, "rowcount", 0) or 0)
