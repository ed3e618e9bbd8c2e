"""The page's committed typed client matches the API: `frontend/src/client/openapi.json` is the
app's OpenAPI document, and `schema.d.ts` is what openapi-typescript makes of it.

Regenerate both with `make client` after changing a route or a schema.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from app.openapi_document import openapi_document

REPO_ROOT = Path(__file__).resolve().parents[4]
FRONTEND = REPO_ROOT / "frontend"
CLIENT = FRONTEND / "src" / "client"
GENERATOR = FRONTEND / "node_modules" / ".bin" / "openapi-typescript"
IN_CI = os.environ.get("CI", "").lower() == "true"
REGENERATE = "regenerate the client with `make client` and commit it"


def test_committed_openapi_json_is_the_apps_document() -> None:
    committed = json.loads((CLIENT / "openapi.json").read_text(encoding="utf-8"))

    assert committed == openapi_document(), (
        f"frontend/src/client/openapi.json is stale: {REGENERATE}"
    )


def test_committed_schema_is_what_openapi_typescript_generates(tmp_path: Path) -> None:
    if not GENERATOR.is_file():
        reason = f"openapi-typescript unavailable ({GENERATOR}); run `npm ci` in frontend/"
        if IN_CI:
            pytest.fail(f"CI=true requires the page's Node dependencies: {reason}")
        pytest.skip(reason)
    generated = tmp_path / "schema.d.ts"
    subprocess.run(
        [str(GENERATOR), str(CLIENT / "openapi.json"), "--output", str(generated)],
        cwd=FRONTEND,
        check=True,
        capture_output=True,
        timeout=120,
    )

    assert generated.read_text(encoding="utf-8") == (CLIENT / "schema.d.ts").read_text(
        encoding="utf-8"
    ), f"frontend/src/client/schema.d.ts is stale: {REGENERATE}"
