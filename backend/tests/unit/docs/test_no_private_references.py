"""The project explains itself: its README, docs/, code and OpenAPI texts never send a reader
to the team's notes outside the repository or to an issue tracker; the rule is stated where
it applies, and reference material lives in docs/, whose every cited file exists."""

from __future__ import annotations

import re
from pathlib import Path

from app.openapi_document import render_openapi

ROOT = Path(__file__).parents[4]
# The team's design notes, its feature plans and issue numbers.
PRIVATE = re.compile(r"DESIGN\.md|DOMAIN\.md|PLAN-|issue #", re.IGNORECASE)


def _texts() -> list[Path]:
    files = [ROOT / "README.md", *ROOT.glob("docs/**/*.md"), *ROOT.glob("data/**/*.md")]
    files += [*ROOT.glob("backend/app/**/*.py"), *ROOT.glob("backend/alembic/**/*.py")]
    return sorted(files)


def _hits(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if PRIVATE.search(line)]


def test_no_file_cites_a_private_note_or_issue() -> None:
    cited = {
        str(path.relative_to(ROOT)): _hits(path.read_text(encoding="utf-8")) for path in _texts()
    }
    assert {path: hits for path, hits in cited.items() if hits} == {}


def test_the_openapi_texts_cite_no_private_note_or_issue() -> None:
    assert _hits(render_openapi()) == []


def test_the_check_sees_each_kind_of_reference() -> None:
    cited = "see DESIGN.md; DOMAIN.md §3; PLAN-recalculation.md; fixed in Issue #13"
    assert len(PRIVATE.findall(cited)) == 4


def test_every_docs_file_the_texts_name_exists() -> None:
    texts = [path.read_text(encoding="utf-8") for path in _texts()] + [render_openapi()]
    named = {name for text in texts for name in re.findall(r"\bdocs/[\w./-]+\.md", text)}
    assert "docs/csv-formats.md" in named
    assert sorted(name for name in named if not (ROOT / name).is_file()) == []
