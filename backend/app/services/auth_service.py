"""Accounts and logins: create and list users, check passwords under a rate limit, issue,
resolve and revoke session cookies and bearer tokens.

The service never commits its own session. A failed login must still be remembered although
the request fails (its session rolls back), so attempts go to `attempts_session`, a separate
session the caller commits whatever happens (the login route's dependency does). The failed-
login limit must hold under concurrent logins, so `authenticate` reserves first, then checks:
it records the attempt as a failure and commits it at once, through the `commit_attempts`
callable the caller hands over (the one commit a service triggers, and only of that session),
then counts the failures in the window, its own included. The k-th reservation to commit sees
at least k rows, so at most `login_max_failures` password checks run per window whatever the
concurrency. A refused attempt deletes its reservation (a 429 does not extend the lockout); a
success marks it succeeded in the request's own session, with the new login: on SQLite only
one connection writes at a time, and the two sessions must never both hold a write (each
commit of the attempts session happens while the request's session has written nothing).

Tokens are stored as HMAC-SHA256 under `secret_key` (see app.core.secret_key): issuing,
resolving and revoking need it; managing accounts does not.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import security
from app.core.errors import BadRequest, Conflict, NotAuthenticated, TooManyRequests
from app.core.permissions import parse_role
from app.core.settings import Settings, get_settings
from app.models import User, utcnow
from app.repositories.auth_session_repo import AuthSessionRepository
from app.repositories.login_attempt_repo import LoginAttemptRepository
from app.repositories.user_repo import UserRepository

TokenKind = Literal["cookie", "bearer"]

MIN_PASSWORD_LENGTH = 8
MAX_USERNAME_LENGTH = 255
ATTEMPT_RETENTION = timedelta(days=1)


@dataclass(frozen=True)
class UserInfo:
    id: int
    username: str
    roles: tuple[str, ...]
    is_active: bool
    created_at: datetime


@dataclass(frozen=True)
class IssuedToken:
    """A new login: the raw token (shown once, never stored) and, for a cookie, its CSRF value."""

    token: str
    kind: TokenKind
    csrf_token: str | None
    expires_at: datetime
    user: UserInfo


@dataclass(frozen=True)
class ResolvedToken:
    user: UserInfo
    kind: TokenKind
    csrf_hash: str | None
    expires_at: datetime


@dataclass(frozen=True)
class EnsuredUser:
    user: UserInfo
    created: bool
    password_changed: bool


def to_info(user: User) -> UserInfo:
    return UserInfo(
        id=user.id,
        username=user.username,
        roles=tuple(sorted(binding.role for binding in user.roles)),
        is_active=user.is_active,
        created_at=user.created_at,
    )


def validate_roles(roles: Iterable[str]) -> list[str]:
    """The roles as stored; BadRequest naming the valid roles for an unknown one."""
    parsed: list[str] = []
    for role in roles:
        try:
            parsed.append(parse_role(role.strip()).value)
        except ValueError as error:
            raise BadRequest(str(error)) from None
    return sorted(set(parsed))


def _validate_username(username: str) -> str:
    username = username.strip()
    if not username:
        raise BadRequest("the username must not be empty")
    if len(username) > MAX_USERNAME_LENGTH:
        raise BadRequest(f"the username must be at most {MAX_USERNAME_LENGTH} characters")
    return username


def _validate_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise BadRequest(f"the password must be at least {MIN_PASSWORD_LENGTH} characters long")


async def _nothing_to_commit() -> None:
    return None


class AuthService:
    def __init__(
        self,
        session: AsyncSession,
        *,
        attempts_session: AsyncSession | None = None,
        commit_attempts: Callable[[], Awaitable[None]] | None = None,
        settings: Settings | None = None,
        secret_key: str | None = None,
    ) -> None:
        if (attempts_session is None) != (commit_attempts is None):
            raise ValueError("give attempts_session and commit_attempts together, or neither")
        self.session = session
        # Without a separate attempts session everything stays in `session` (the caller commits).
        self.commit_attempts = commit_attempts or _nothing_to_commit
        self.settings = settings or get_settings()
        self.secret_key = secret_key
        self.users = UserRepository(session)
        self.auth_sessions = AuthSessionRepository(session)
        self.failed_attempts = LoginAttemptRepository(attempts_session or session)
        self.attempts = LoginAttemptRepository(session)

    # Accounts

    async def create_user(self, username: str, password: str, roles: Iterable[str]) -> UserInfo:
        """A new active user. Conflict if the username is taken; BadRequest for bad input."""
        username = _validate_username(username)
        _validate_password(password)
        valid_roles = validate_roles(roles)
        if await self.users.get_by_username(username) is not None:
            raise Conflict(f"a user named {username!r} already exists; choose another username")
        password_hash = await asyncio.to_thread(security.hash_password, password)
        try:
            user = await self.users.create(
                username=username, password_hash=password_hash, roles=valid_roles
            )
        except IntegrityError:
            # Another writer created the same name between the check and the insert.
            raise Conflict(
                f"a user named {username!r} already exists; choose another username"
            ) from None
        return to_info(user)

    async def list_users(self) -> list[UserInfo]:
        return [to_info(user) for user in await self.users.list_with_roles()]

    async def ensure_user(
        self, username: str, roles: Iterable[str], *, password: str | None
    ) -> EnsuredUser:
        """Create the user (with `password`), or give an existing one the missing `roles`.

        An existing user's password changes only when `password` is given; a new user needs one.
        """
        existing = await self.users.get_by_username(_validate_username(username))
        if existing is None:
            if password is None:
                raise BadRequest(f"user {username!r} does not exist: give a password to create it")
            created = await self.create_user(username, password, roles)
            return EnsuredUser(user=created, created=True, password_changed=True)
        await self.users.add_roles(existing, validate_roles(roles))
        if password is not None:
            _validate_password(password)
            password_hash = await asyncio.to_thread(security.hash_password, password)
            await self.users.set_password_hash(existing, password_hash)
        return EnsuredUser(
            user=to_info(existing), created=False, password_changed=password is not None
        )

    # Logins

    def token_hash(self, token: str) -> str:
        """The stored form of a session, bearer or CSRF token under this service's key."""
        if self.secret_key is None:
            raise RuntimeError("AuthService needs secret_key= to issue, resolve or check tokens")
        return security.hash_token(token, self.secret_key)

    async def authenticate(self, username: str, password: str) -> UserInfo:
        """The user whose password this is. NotAuthenticated when it is not; TooManyRequests
        (with `retry_after` seconds) after too many failures for this username."""
        now = utcnow()
        window = timedelta(minutes=self.settings.login_failure_window_minutes)
        # Reserve, then check (see the module docstring): the failure is committed before the
        # count, so concurrent attempts cannot all pass the check before any is recorded.
        attempt_id = await self.failed_attempts.record(username=username, succeeded=False, at=now)
        await self.commit_attempts()
        failures, oldest = await self.failed_attempts.failures_since(username, now - window)
        if failures > self.settings.login_max_failures and oldest is not None:
            await self.failed_attempts.delete_by_id(attempt_id)
            await self.commit_attempts()
            retry_after = max(1, math.ceil((oldest + window - now).total_seconds()))
            raise TooManyRequests(
                f"too many failed logins for {username!r}: try again in {retry_after} s",
                retry_after=retry_after,
            )
        user = await self.users.get_by_username(username)
        if user is None or not user.is_active:
            await asyncio.to_thread(security.burn_password_check, password)
            matches = False
        else:
            matches = await asyncio.to_thread(
                security.verify_password, password, user.password_hash
            )
        if not matches or user is None:
            # The committed reservation is the recorded failure.
            raise NotAuthenticated(
                "wrong username or password; log in with the username and password of an "
                "account (`co2calc users create` makes one)"
            )
        await self.attempts.mark_succeeded(attempt_id)
        return to_info(user)

    async def issue(self, user: UserInfo, kind: TokenKind) -> IssuedToken:
        """A new cookie session (with its CSRF value) or bearer token for `user`."""
        now = utcnow()
        settings = self.settings
        hours = settings.session_ttl_hours if kind == "cookie" else settings.token_ttl_hours
        expires_at = now + timedelta(hours=hours)
        token = security.new_token()
        csrf_token = security.new_csrf_token() if kind == "cookie" else None
        await self.auth_sessions.create(
            token_hash=self.token_hash(token),
            user_id=user.id,
            kind=kind,
            csrf_hash=self.token_hash(csrf_token) if csrf_token else None,
            created_at=now,
            expires_at=expires_at,
        )
        return IssuedToken(
            token=token, kind=kind, csrf_token=csrf_token, expires_at=expires_at, user=user
        )

    async def login(self, username: str, password: str, kind: TokenKind) -> IssuedToken:
        user = await self.authenticate(username, password)
        return await self.issue(user, kind)

    async def resolve(self, token: str, kind: TokenKind) -> ResolvedToken | None:
        """The user behind an unexpired token of this kind, or None."""
        auth_session = await self.auth_sessions.get_active(
            self.token_hash(token), kind=kind, now=utcnow()
        )
        if auth_session is None:
            return None
        return ResolvedToken(
            user=to_info(auth_session.user),
            kind=kind,
            csrf_hash=auth_session.csrf_token,
            expires_at=auth_session.expires_at,
        )

    async def revoke(self, token: str) -> bool:
        """Forget a token; True when it existed."""
        return await self.auth_sessions.delete_by_token_hash(self.token_hash(token)) > 0

    async def purge_expired(self) -> None:
        """Housekeeping a successful login runs: drop expired sessions, and login attempts
        older than a day (past the rate-limit window, kept a while for inspection)."""
        now = utcnow()
        await self.auth_sessions.delete_expired(now)
        window = timedelta(minutes=self.settings.login_failure_window_minutes)
        await self.attempts.delete_before(now - max(window, ATTEMPT_RETENTION))
