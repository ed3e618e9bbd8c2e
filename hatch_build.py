"""Ship the built page (`frontend/dist`) inside the wheel as `app/_shipped/static`.

A hook rather than a static force-include: a fresh clone has no build yet, and the
editable install `uv sync` makes must work before the page is built (it serves the
source tree's `frontend/dist` directly, see app/paths.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

PAGE_BUILD = "frontend/dist"
SHIPPED_AS = "app/_shipped/static"


class CustomBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if version == "editable":
            return
        if not (Path(self.root) / PAGE_BUILD / "index.html").is_file():
            self.app.display_warning(
                f"{PAGE_BUILD} has no index.html: this wheel serves the API without the page "
                "(build it first with `make page`)."
            )
            return
        build_data["force_include"][PAGE_BUILD] = SHIPPED_AS
