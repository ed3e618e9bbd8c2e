"""Passwords, opaque tokens and CSRF values. Only hashes of secrets are ever stored.

Passwords use argon2id through pwdlib. Session and bearer tokens (and CSRF values) are random
strings whose HMAC-SHA256 under the server's secret key is what the database keeps: a leaked
table gives no usable token, a dump alone cannot check guessed ones, and a token with 256 bits
of entropy needs no slow hash. Changing the key invalidates every stored token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import lru_cache

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

TOKEN_BYTES = 32

_hasher = PasswordHash((Argon2Hasher(),))


def set_password_hasher(hasher: PasswordHash) -> PasswordHash:
    """Swap the hasher (tests use cheap argon2 parameters); returns the previous one."""
    global _hasher
    previous, _hasher = _hasher, hasher
    _dummy_hash.cache_clear()
    return previous


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    """True when `password` matches; a malformed stored hash is a mismatch, not a crash."""
    try:
        return _hasher.verify(password, password_hash)
    except Exception:
        return False


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def burn_password_check(password: str) -> None:
    """Spend the time a real check takes, so an unknown username is not faster to reject."""
    verify_password(password, _dummy_hash())


def new_token() -> str:
    """A random, URL-safe token (session cookie or bearer)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def new_csrf_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def new_password() -> str:
    """A generated password a person can copy (demo admin)."""
    return secrets.token_urlsafe(15)


def hash_token(token: str, secret_key: str) -> str:
    """The stored form of a token: HMAC-SHA256 keyed with the secret key, hex."""
    return hmac.new(secret_key.encode("utf-8"), token.encode("utf-8"), hashlib.sha256).hexdigest()


def constant_time_equals(left: str, right: str) -> bool:
    return hmac.compare_digest(left.encode("utf-8"), right.encode("utf-8"))
