"""The CLI refuses a bad year with the API's own message, before any database is opened."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from app.api.params import parse_year
from app.cli import app
from app.core.errors import BadRequest


def _api_message(value: str) -> str:
    with pytest.raises(BadRequest) as refused:
        parse_year(value)
    return refused.value.detail


@pytest.mark.parametrize("value", ["1999", "2101", "abc", "2025.5"])
@pytest.mark.parametrize(
    "command",
    [["recalc", "status", "--year"], ["jobs", "list", "--year"], ["demo", "--years"]],
    ids=["recalc-status", "jobs-list", "demo"],
)
def test_a_bad_year_gets_the_apis_message(command: list[str], value: str) -> None:
    result = CliRunner().invoke(app, [*command, value], env={"COLUMNS": "200"})

    assert result.exit_code == 2, result.output  # a usage error
    shown = " ".join(result.output.split())
    assert _api_message(value) in shown
    assert "Input should be" not in shown  # no raw pydantic wording
