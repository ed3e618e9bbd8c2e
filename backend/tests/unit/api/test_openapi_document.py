"""The OpenAPI document the page's client is generated from: readable, unique operation ids,
and `co2calc openapi` writing exactly that document."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from app.cli import app as cli_app
from app.openapi_document import openapi_document, render_openapi


def test_operation_ids_are_the_route_function_names_and_unique() -> None:
    document = openapi_document()
    operation_ids = [
        operation["operationId"]
        for path in document["paths"].values()
        for operation in path.values()
    ]

    assert len(operation_ids) == len(set(operation_ids))
    assert {"list_jobs", "recalculate_module", "list_years", "login"} <= set(operation_ids)
    assert all(identifier.isidentifier() for identifier in operation_ids)


def test_cli_writes_the_document_to_a_file_and_to_stdout(tmp_path: Path) -> None:
    output = tmp_path / "client" / "openapi.json"
    runner = CliRunner()

    written = runner.invoke(cli_app, ["openapi", "--output", str(output)])
    printed = runner.invoke(cli_app, ["openapi"])

    assert written.exit_code == 0, written.output
    assert output.read_text(encoding="utf-8") == render_openapi()
    assert printed.exit_code == 0, printed.output
    assert json.loads(printed.stdout) == openapi_document()
