"""`co2calc factors import` / `co2calc data import`: the same job in-process, exit 0/1/4
(SUCCESS, WARNING, ERROR)."""

from __future__ import annotations

import json
from pathlib import Path

from import_helpers import PROCESS_FACTORS
from typer.testing import CliRunner

from app.cli import app


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def test_exit_codes_follow_the_job_result(cli_database: str, tmp_path: Path) -> None:
    factors = tmp_path / "factors.csv"
    factors.write_text(PROCESS_FACTORS)
    code, output = _invoke(
        "factors", "import", str(factors), "--module", "8", "--year", "2025", "--type", "50"
    )
    assert code == 0, output
    assert "SUCCESS job 1: 4 factors imported" in output

    factors.write_text(PROCESS_FACTORS + "ch4,,x\n")
    code, output = _invoke(
        "factors",
        "import",
        str(factors),
        "--module",
        "process_emissions",
        "--year",
        "2025",
        "--type",
        "process_emissions",
    )
    assert code == 1, output
    assert "line 6: gwp_kg_co2eq_per_kg: 'x' is not a number" in output
    assert "1 rejected row:" in output

    data = tmp_path / "data.csv"
    data.write_text("unit_institutional_code,category,quantity_kg\nNOPE,ch4,1\n")
    code, output = _invoke(
        "data",
        "import",
        str(data),
        "--module",
        "8",
        "--year",
        "2025",
        "--type",
        "50",
        "--mode",
        "replace",
    )
    assert code == 4, output
    assert "'NOPE' is not a known unit" in output
    assert "`co2calc units import FILE`" in " ".join(output.split())  # the fix it points to


def test_the_same_factor_file_again_says_no_factor_changed(
    cli_database: str, tmp_path: Path
) -> None:
    factors = tmp_path / "factors.csv"
    factors.write_text(PROCESS_FACTORS)
    args = ("factors", "import", str(factors), "--module", "8", "--year", "2025", "--type", "50")
    assert _invoke(*args)[0] == 0

    code, output = _invoke(*args)

    assert code == 0, output
    assert "SUCCESS job 2: No factor changed: 4 factors imported" in " ".join(output.split())


def test_a_file_refused_up_front_exits_4_without_a_job(cli_database: str, tmp_path: Path) -> None:
    factors = tmp_path / "factors.csv"
    factors.write_text("category,subcategory\nch4,\n")
    code, output = _invoke(
        "factors", "import", str(factors), "--module", "8", "--year", "2025", "--type", "50"
    )
    assert code == 4
    assert "missing required column gwp_kg_co2eq_per_kg" in output


def test_a_type_outside_the_module_is_a_usage_error(cli_database: str, tmp_path: Path) -> None:
    factors = tmp_path / "factors.csv"
    factors.write_text(PROCESS_FACTORS)
    code, output = _invoke(
        "factors", "import", str(factors), "--module", "8", "--year", "2025", "--type", "plane"
    )
    assert code == 2  # click's usage error
    assert "type plane is not in module process_emissions" in output


def _unit_codes() -> list[str]:
    code, output = _invoke("units", "list", "--json")
    assert code == 0, output
    return [unit["institutional_code"] for unit in json.loads(output)]


def test_units_import_creates_all_then_refuses_them_again(
    cli_database: str, tmp_path: Path
) -> None:
    units = tmp_path / "units.csv"
    units.write_text(
        "institutional_code,name,parent_institutional_code\nLAB1,Lab,\nLAB2,Sub,LAB1\n"
    )

    code, output = _invoke("units", "import", str(units))
    assert code == 0, output
    assert "2 units created" in output
    assert _unit_codes() == ["LAB1", "LAB2"]

    code, output = _invoke("units", "import", str(units))
    assert code == 3, output  # refused, nothing changed
    assert "units with institutional_code 'LAB1', 'LAB2' already exist" in " ".join(output.split())
    assert _unit_codes() == ["LAB1", "LAB2"]


def test_a_units_file_with_a_bad_row_writes_none(cli_database: str, tmp_path: Path) -> None:
    units = tmp_path / "units.csv"
    units.write_text("institutional_code,name\nLAB1,Lab\nLAB2,\n")

    code, output = _invoke("units", "import", str(units))

    assert code == 3, output
    assert "line 3: name: Field required" in " ".join(output.split())
    assert _unit_codes() == []


def test_units_create_then_a_taken_code_is_refused(cli_database: str) -> None:
    code, output = _invoke("units", "create", "--code", "LAB9", "--name", "Lab nine")
    assert code == 0, output
    assert "Unit created: LAB9" in output

    code, output = _invoke("units", "create", "--code", "LAB9", "--name", "Other")
    assert code == 3, output
    said = " ".join(output.split())
    assert "'LAB9' already exists" in said
    assert "nothing imported" not in said, "one unit created by hand is not an import"
    assert _unit_codes() == ["LAB9"]


def test_job_and_status_tables_fit_80_columns_and_json_ignores_the_terminal(
    cli_database: str, tmp_path: Path
) -> None:
    factors = tmp_path / "factors.csv"
    factors.write_text(PROCESS_FACTORS)
    args = ["factors", "import", str(factors), "--module", "8", "--year", "2025", "--type", "50"]
    assert _invoke(*args)[0] == 0

    for command in (["jobs", "list"], ["recalc", "status", "--year", "2025"]):
        narrow = CliRunner().invoke(app, command, env={"COLUMNS": "80"})
        assert narrow.exit_code == 0, narrow.output
        assert all(len(line) <= 80 for line in narrow.output.splitlines()), narrow.output
        assert "process_emissions" in narrow.output  # a name whole, never one syllable a line
        assert "--wide shows all" in narrow.output
        wide = CliRunner().invoke(app, [*command, "--wide"], env={"COLUMNS": "80"})
        assert "--wide shows all" not in wide.output
        as_json = [
            CliRunner().invoke(app, [*command, "--json"], env={"COLUMNS": columns}).output
            for columns in ("40", "250")
        ]
        assert as_json[0] == as_json[1]
        assert '"module_type_name": "process_emissions"' in as_json[0]
