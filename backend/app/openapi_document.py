"""The app's OpenAPI document as the front end's client generator reads it.

Written by `co2calc openapi` to `frontend/src/client/openapi.json`; a test compares the
committed copy with this, so the typed client cannot drift from the API.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from pydantic import SecretStr

from app.core.settings import Settings
from app.main import create_app


def openapi_document() -> dict[str, Any]:
    """The schema of the app. It does not depend on the secret key, so a throwaway one is
    used: generating it never reads or writes the development key file."""
    settings = Settings(secret_key=SecretStr(secrets.token_hex(32)))
    return create_app(settings).openapi()


def render_openapi() -> str:
    """Stable text (2-space indent, a final newline) so regenerating gives no diff."""
    return json.dumps(openapi_document(), indent=2, ensure_ascii=False) + "\n"
