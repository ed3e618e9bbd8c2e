"""One error base that carries its HTTP status and a message a person can act on.

Routes raise these; one handler turns them into `{"detail": ..., **extra}`. The class
docstring is the default message, so each error type documents itself.
"""

from __future__ import annotations

from typing import Any, ClassVar


class Co2CalcError(Exception):
    """Something went wrong."""

    status_code: ClassVar[int] = 500

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        self.detail = detail or (type(self).__doc__ or "").strip()
        self.extra = extra
        super().__init__(self.detail)

    def to_body(self) -> dict[str, Any]:
        return {"detail": self.detail, **self.extra}

    def headers(self) -> dict[str, str]:
        """HTTP headers the response carries (Retry-After, WWW-Authenticate...)."""
        return {}


class BadRequest(Co2CalcError):
    """The request is not valid."""

    status_code = 400


class NotAuthenticated(Co2CalcError):
    """Log in first: no valid session cookie or bearer token was sent."""

    status_code = 401

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": "Bearer"}


class Forbidden(Co2CalcError):
    """Your roles do not grant this right."""

    status_code = 403


class NotFound(Co2CalcError):
    """Nothing was found at this address."""

    status_code = 404


class Conflict(Co2CalcError):
    """This conflicts with the current state."""

    status_code = 409


class PayloadTooLarge(Co2CalcError):
    """The uploaded file is too large."""

    status_code = 413


class UnprocessableEntity(Co2CalcError):
    """The content could not be processed."""

    status_code = 422


class TooManyRequests(Co2CalcError):
    """Too many attempts; wait before trying again."""

    status_code = 429

    def headers(self) -> dict[str, str]:
        """`Retry-After` from the `retry_after` seconds given to the error, if any."""
        retry_after = self.extra.get("retry_after")
        return {"Retry-After": str(int(retry_after))} if retry_after is not None else {}
