"""Login attempts, for the failed-login rate limit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select

from app.models import LoginAttempt
from app.repositories.base import Repository


class LoginAttemptRepository(Repository[LoginAttempt]):
    model = LoginAttempt

    async def record(self, *, username: str, succeeded: bool, at: datetime) -> int:
        """Add an attempt (flushed, not committed); its id."""
        attempt = LoginAttempt(username=username, succeeded=succeeded, attempted_at=at)
        self.add(attempt)
        await self.session.flush()
        return attempt.id

    async def failures_since(self, username: str, since: datetime) -> tuple[int, datetime | None]:
        """How many failed attempts for `username` after `since`, and the oldest one's time."""
        statement = select(func.count(), func.min(LoginAttempt.attempted_at)).where(
            LoginAttempt.username == username,
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.attempted_at > since,
        )
        count, oldest = (await self.session.execute(statement)).one()
        return int(count), oldest

    async def delete_before(self, before: datetime) -> int:
        result = await self.session.execute(
            delete(LoginAttempt).where(LoginAttempt.attempted_at < before)
        )
        return int(getattr(result, "rowcount", 0) or 0)
