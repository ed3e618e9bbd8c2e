"""Log in (cookie for the browser, bearer token for scripts), log out, and who am I."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel, Field

from app.api.deps import SecretKeyDep, SessionFactoryDep, SettingsDep
from app.api.responses import error_responses
from app.api.security import (
    AUTH_RESPONSES,
    CSRF_COOKIE,
    SESSION_COOKIE,
    AuthServiceDep,
    CredentialsDep,
    CurrentUserDep,
)
from app.core.permissions import PermissionMap, permission_map
from app.models import utcnow
from app.services.auth_service import IssuedToken
from app.services.login_gate import LoginGate
from app.services.login_service import LoginService

router = APIRouter(prefix="/auth", tags=["auth"])


LOGIN_RESPONSES = error_responses(
    401,
    429,
    _401="Wrong username or password.",
    _429="Too many failed logins for this username, or too many logins being checked at "
    "once; see Retry-After.",
)


class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=255)
    password: str = Field(min_length=1, max_length=1024)


class Me(BaseModel):
    id: int
    username: str
    roles: list[str]
    permissions: PermissionMap


class LoginResponse(BaseModel):
    user: Me
    expires_at: datetime
    csrf_token: str = Field(
        description="Also in the co2calc_csrf cookie; send it as X-CSRF-Token on writes."
    )


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the token expires.")


def _me(user_id: int, username: str, roles: tuple[str, ...] | list[str]) -> Me:
    return Me(id=user_id, username=username, roles=list(roles), permissions=permission_map(roles))


def get_login_service(
    request: Request,
    factory: SessionFactoryDep,
    settings: SettingsDep,
    secret_key: SecretKeyDep,
) -> LoginService:
    """A login runs its own short transactions (see app.services.login_service), so it takes
    the session factory, not the request's session."""
    gate: LoginGate = request.app.state.login_gate
    return LoginService(factory, gate=gate, settings=settings, secret_key=secret_key)


LoginServiceDep = Annotated[LoginService, Depends(get_login_service)]


def _set_login_cookies(request: Request, response: Response, issued: IssuedToken) -> None:
    secure = request.url.scheme == "https"
    max_age = max(0, int((issued.expires_at - utcnow()).total_seconds()))
    common: dict[str, Any] = {"max_age": max_age, "path": "/", "secure": secure, "samesite": "lax"}
    response.set_cookie(SESSION_COOKIE, issued.token, httponly=True, **common)
    assert issued.csrf_token is not None
    response.set_cookie(CSRF_COOKIE, issued.csrf_token, httponly=False, **common)


@router.post("/login", responses=LOGIN_RESPONSES)
async def login(
    body: LoginRequest,
    request: Request,
    response: Response,
    service: LoginServiceDep,
) -> LoginResponse:
    """Log in with a JSON body; sets the session cookie and the readable CSRF cookie."""
    issued = await service.login(body.username, body.password, "cookie")
    _set_login_cookies(request, response, issued)
    assert issued.csrf_token is not None
    user = issued.user
    return LoginResponse(
        user=_me(user.id, user.username, user.roles),
        expires_at=issued.expires_at,
        csrf_token=issued.csrf_token,
    )


@router.post("/token", responses=LOGIN_RESPONSES)
async def token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    service: LoginServiceDep,
    settings: SettingsDep,
) -> TokenResponse:
    """OAuth2 password flow: a bearer token for scripts (`Authorization: Bearer <token>`)."""
    issued = await service.login(form.username, form.password, "bearer")
    return TokenResponse(access_token=issued.token, expires_in=int(settings.token_ttl_hours * 3600))


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, responses=AUTH_RESPONSES)
async def logout(
    request: Request,
    user: CurrentUserDep,
    service: AuthServiceDep,
    credentials: CredentialsDep,
) -> Response:
    """Revoke the token or session used for this call and clear the cookies."""
    # The credential that authenticated this call: the bearer token when one was sent.
    await service.revoke(credentials.bearer or credentials.cookie or "")
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    secure = request.url.scheme == "https"
    for name, httponly in ((SESSION_COOKIE, True), (CSRF_COOKIE, False)):
        response.delete_cookie(name, path="/", secure=secure, httponly=httponly, samesite="lax")
    return response


@router.get("/me", responses=AUTH_RESPONSES)
async def me(user: CurrentUserDep) -> Me:
    """The caller, their roles and the permission map the page uses to show or hide actions."""
    return _me(user.id, user.username, user.roles)
