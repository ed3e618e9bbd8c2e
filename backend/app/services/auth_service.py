"""Accounts and tokens: create and list users; issue, resolve and revoke session cookies and
bearer tokens.

The service never commits its own session. Logins (checking a password under the
failed-login limit) own their transactions and live in app.services.login_service.

Tokens are stored as HMAC-SHA256 under `secret_key` (see app.core.secret_key): issuing,
resolving and revoking need it; managing accounts does not.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import security
from app.core.errors import BadRequest, Conflict
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


class AuthService:
    def __init__(
        self,
        session: AsyncSession,
        *,
        settings: Settings | None = None,
        secret_key: str | None = None,
    ) -> None:
        self.session = session
        self.settings = settings or get_settings()
        self.secret_key = secret_key
        self.users = UserRepository(session)
        self.auth_sessions = AuthSessionRepository(session)
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
