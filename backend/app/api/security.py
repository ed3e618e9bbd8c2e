"""Who is calling, and may they? The dependencies every router uses.

- `get_current_user` / `CurrentUserDep`: the caller from the `co2calc_session` cookie or an
  `Authorization: Bearer` token; 401 without one. A cookie-authenticated write (POST, PUT,
  PATCH, DELETE) must echo the `co2calc_csrf` cookie in the `X-CSRF-Token` header (double
  submit, bound to the session): 403 otherwise. Bearer calls need no CSRF header, since a
  browser never adds that header on its own.
- `require_permission(path, action)`: a dependency returning the `CurrentUser`, 403 when the
  roles do not grant the right. It carries `permission_path` / `permission_action`, so the
  right a route needs can be read from the route (`route_security(app.routes)`).
- `AUTH_RESPONSES`: the 401/403 entries to declare on routes for OpenAPI.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.security import APIKeyCookie, OAuth2PasswordBearer
from starlette.routing import BaseRoute

from app.api.deps import SecretKeyDep, SessionDep, SettingsDep
from app.api.responses import error_responses
from app.core import security
from app.core.errors import Forbidden, NotAuthenticated
from app.core.permissions import DATA_MANAGEMENT, Action, PermissionMap, permission_map
from app.services.auth_service import AuthService, ResolvedToken

SESSION_COOKIE = "co2calc_session"
CSRF_COOKIE = "co2calc_csrf"
CSRF_HEADER = "X-CSRF-Token"
TOKEN_URL = "/api/v1/auth/token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

LOGIN_HINT = (
    "log in first: POST /api/v1/auth/login with JSON {username, password} (browser, sets a "
    "session cookie) or POST /api/v1/auth/token with an OAuth2 password form and send "
    "'Authorization: Bearer <access_token>'"
)


AUTH_RESPONSES = error_responses(401, 403)

# Declared for OpenAPI (the "Authorize" button); auto_error=False so our own 401 is raised.
bearer_scheme = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False)
cookie_scheme = APIKeyCookie(name=SESSION_COOKIE, auto_error=False)


@dataclass(frozen=True)
class CurrentUser:
    id: int
    username: str
    roles: tuple[str, ...]
    permissions: PermissionMap

    def can(self, path: str, action: Action | str) -> bool:
        return self.permissions.get(path, {}).get(str(action), False)


def _check_csrf(request: Request, resolved: ResolvedToken, service: AuthService) -> None:
    if request.method.upper() not in UNSAFE_METHODS:
        return
    header = request.headers.get(CSRF_HEADER)
    cookie = request.cookies.get(CSRF_COOKIE)
    problem = (
        f"CSRF check failed: a write with the session cookie must send the header "
        f"{CSRF_HEADER} with the value of the {CSRF_COOKIE} cookie"
    )
    if not header or not cookie or resolved.csrf_hash is None:
        raise Forbidden(problem)
    if not security.constant_time_equals(header, cookie) or not security.constant_time_equals(
        service.token_hash(header), resolved.csrf_hash
    ):
        raise Forbidden(problem)


@dataclass(frozen=True)
class Credentials:
    """What a request presents: a bearer token, the session cookie, either or none."""

    bearer: str | None
    cookie: str | None


def get_credentials(
    bearer: Annotated[str | None, Depends(bearer_scheme)],
    cookie: Annotated[str | None, Depends(cookie_scheme)],
) -> Credentials:
    return Credentials(bearer=bearer, cookie=cookie)


CredentialsDep = Annotated[Credentials, Depends(get_credentials)]


def get_auth_service(
    session: SessionDep, settings: SettingsDep, secret_key: SecretKeyDep
) -> AuthService:
    """The auth service on the request's session (a login's needs its own attempts session)."""
    return AuthService(session, settings=settings, secret_key=secret_key)


AuthServiceDep = Annotated[AuthService, Depends(get_auth_service)]


async def get_current_user(
    request: Request, service: AuthServiceDep, credentials: CredentialsDep
) -> CurrentUser:
    """The authenticated caller; 401 (saying how to log in) without valid credentials."""
    bearer, cookie = credentials.bearer, credentials.cookie
    if bearer:
        resolved = await service.resolve(bearer, "bearer")
        if resolved is None:
            raise NotAuthenticated(f"the bearer token is unknown, revoked or expired; {LOGIN_HINT}")
    elif cookie:
        resolved = await service.resolve(cookie, "cookie")
        if resolved is None:
            raise NotAuthenticated(f"the session has expired or was logged out; {LOGIN_HINT}")
        _check_csrf(request, resolved, service)
    else:
        raise NotAuthenticated(LOGIN_HINT)
    user = resolved.user
    return CurrentUser(
        id=user.id,
        username=user.username,
        roles=user.roles,
        permissions=permission_map(user.roles),
    )


CurrentUserDep = Annotated[CurrentUser, Depends(get_current_user)]


class PermissionRequirement:
    """A dependency that returns the current user when their roles grant `action` on `path`."""

    def __init__(self, path: str, action: Action) -> None:
        self.permission_path = path
        self.permission_action = Action(action)

    async def __call__(self, user: CurrentUserDep) -> CurrentUser:
        if not user.can(self.permission_path, self.permission_action):
            raise Forbidden(
                f"this needs the right '{self.permission_action.value}' on "
                f"'{self.permission_path}', which your roles ({', '.join(user.roles) or 'none'}) "
                "do not grant"
            )
        return user

    def __repr__(self) -> str:
        return f"require_permission({self.permission_path!r}, {self.permission_action.value!r})"


def require_permission(path: str, action: Action) -> PermissionRequirement:
    """Use as `Depends(require_permission(DATA_MANAGEMENT, Action.view))`."""
    return PermissionRequirement(path, action)


# Shorthands for the back-office rights: view for reads, sync for imports and
# recalculations, edit for data entries and units.
CanView = Annotated[CurrentUser, Depends(require_permission(DATA_MANAGEMENT, Action.view))]
CanSync = Annotated[CurrentUser, Depends(require_permission(DATA_MANAGEMENT, Action.sync))]
CanEdit = Annotated[CurrentUser, Depends(require_permission(DATA_MANAGEMENT, Action.edit))]


@dataclass(frozen=True)
class RouteSecurity:
    """What one API route requires, read from its dependency tree (router-level included)."""

    path: str
    methods: frozenset[str]
    name: str
    requires_user: bool
    permissions: tuple[tuple[str, Action], ...]


def _walk(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _walk(sub)


def route_security(routes: Sequence[BaseRoute]) -> Iterator[RouteSecurity]:
    """Every API route of `app.routes` (included routers expanded) and what it requires."""
    for context in iter_route_contexts(routes):
        if not isinstance(context.original_route, APIRoute):
            continue
        dependant: Dependant = context.dependant
        nodes = list(_walk(dependant))
        yield RouteSecurity(
            path=context.path or "",
            methods=frozenset(context.methods or ()),
            name=context.name or "",
            requires_user=any(node.call is get_current_user for node in nodes),
            permissions=tuple(
                (node.call.permission_path, node.call.permission_action)
                for node in nodes
                if isinstance(node.call, PermissionRequirement)
            ),
        )
