"""Command help reads as prose: a docstring's line breaks are the source's, not the reader's."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from app.cli import app


@pytest.mark.parametrize(
    ("command", "sentence"),
    [
        (["serve"], "development generates a local key once and keeps it"),
        (["demo"], "creates the admin account (role calco2.superadmin) and prints its password"),
    ],
)
def test_a_later_paragraph_is_reflowed_to_the_terminal(command: list[str], sentence: str) -> None:
    """Typer keeps the source's line breaks in every paragraph but the first unless the help
    is read as Markdown; on a wide terminal each sentence must then fit on one line."""
    result = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "200"})

    assert result.exit_code == 0, result.output
    assert any(sentence in line for line in result.output.splitlines()), result.output
