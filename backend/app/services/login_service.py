"""A login: check a password under the failed-login limit, then issue a session or token.

Unlike the other services, a login owns its transactions. A wrong password must stay recorded
although the request fails, and no connection may be held while the password is checked (a
deliberately slow hash): a burst of logins holding connections through their checks is what
empties the pool for everyone. So a login runs, inside its username's turn (see
app.services.login_gate): a short read (failures in the window, the account), the check with
no connection held, then one short write: the failure, or the success with the new session.
Nothing is written before the check, so a correct login interrupted before its write leaves
no failure behind (an interrupted wrong one may leave none either, but it told nobody
anything: the answer is the only thing a guess learns).
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core import security
from app.core.errors import NotAuthenticated, TooManyRequests
from app.core.settings import Settings
from app.core.wording import shown
from app.models import utcnow
from app.repositories.login_attempt_repo import LoginAttemptRepository
from app.repositories.user_repo import UserRepository
from app.services.auth_service import AuthService, IssuedToken, TokenKind, UserInfo, to_info
from app.services.login_gate import LoginGate

MAX_USERNAME_LENGTH = 255
MAX_PASSWORD_LENGTH = 1024


def can_name_account(username: str) -> bool:
    """Whether `username` could be an account's name: at most 255 characters, no NUL, valid
    UTF-8 (no lone surrogate)."""
    if len(username) > MAX_USERNAME_LENGTH or "\x00" in username:
        return False
    try:
        username.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


WRONG_CREDENTIALS = (
    "wrong username or password; log in with the username and password of an account "
    "(`co2calc users create` makes one)"
)


@dataclass(frozen=True)
class _Account:
    info: UserInfo
    password_hash: str


class LoginService:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        gate: LoginGate,
        settings: Settings,
        secret_key: str,
    ) -> None:
        self.session_factory = session_factory
        self.gate = gate
        self.settings = settings
        self.secret_key = secret_key

    async def login(self, username: str, password: str, kind: TokenKind) -> IssuedToken:
        """A new session or bearer token. NotAuthenticated for a wrong username or password;
        TooManyRequests (with `retry_after`) after too many failures for this username."""
        if not can_name_account(username):
            # No account has such a name, and it could not even be stored as a failed attempt
            # (PostgreSQL refuses NUL): the same answer as an unknown user, after the same work.
            await asyncio.to_thread(security.burn_password_check, password[:MAX_PASSWORD_LENGTH])
            raise NotAuthenticated(WRONG_CREDENTIALS)
        now = utcnow()
        async with self.gate.turn(username, lambda: self._read_account(username, now)) as account:
            if account is None:
                await asyncio.to_thread(security.burn_password_check, password)
                matches = False
            else:
                matches = await asyncio.to_thread(
                    security.verify_password, password, account.password_hash
                )
            if account is None or not matches:
                await self._record_failure(username, now)
                raise NotAuthenticated(WRONG_CREDENTIALS)
            return await self._record_success(account.info, kind, now)

    async def _read_account(self, username: str, now: datetime) -> tuple[int, _Account | None]:
        """How many failures `username` has left in the window, and its active account (None
        when there is none); TooManyRequests when none is left. The connection is returned
        after."""
        window = timedelta(minutes=self.settings.login_failure_window_minutes)
        async with self.session_factory() as session:
            failures, oldest = await LoginAttemptRepository(session).failures_since(
                username, now - window
            )
            if failures >= self.settings.login_max_failures and oldest is not None:
                retry_after = max(1, math.ceil((oldest + window - now).total_seconds()))
                raise TooManyRequests(
                    f"too many failed logins for {shown(username)}: try again in {retry_after} s",
                    retry_after=retry_after,
                )
            failures_left = self.settings.login_max_failures - failures
            user = await UserRepository(session).get_by_username(username)
            if user is None or not user.is_active:
                return failures_left, None
            return failures_left, _Account(info=to_info(user), password_hash=user.password_hash)

    async def _record_failure(self, username: str, now: datetime) -> None:
        async with self.session_factory() as session:
            await LoginAttemptRepository(session).record(username=username, succeeded=False, at=now)
            await session.commit()

    async def _record_success(self, user: UserInfo, kind: TokenKind, now: datetime) -> IssuedToken:
        """The success, the new session and the housekeeping, in one transaction."""
        async with self.session_factory() as session:
            await LoginAttemptRepository(session).record(
                username=user.username, succeeded=True, at=now
            )
            auth = AuthService(session, settings=self.settings, secret_key=self.secret_key)
            issued = await auth.issue(user, kind)
            await auth.purge_expired()
            await session.commit()
        return issued
