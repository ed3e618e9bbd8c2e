"""A file's header decides before any row: a misspelled column or a ';'-separated file refuses
the whole file (nothing written), other unknown columns are named in the job's message.

The same check runs in the job (tested here by running jobs directly), in the API before a job
is created (422) and in `co2calc ... import` (exit 2).
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from api_fixtures import LoginAs
from factories import create_unit
from import_helpers import YEAR, RunImport, Snapshot, csv_bytes
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner

from app.cli import app as cli_app
from app.core.permissions import Role
from app.core.settings import get_settings
from app.domain.ingestion import IngestionResult, IngestionState
from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum
from app.models import DataIngestionJob, Factor
from app.paths import factors_dir

TRAVEL = ModuleTypeEnum.professional_travel
TRAIN = DataEntryTypeEnum.train
PLANE = DataEntryTypeEnum.plane
TRAIN_FACTORS = factors_dir(YEAR) / "train.csv"
MISSPELT_COUNTRY = "unknown column 'country': did you mean 'country_code'?"
SEMICOLONS = "this file uses ';' as separator; save it with ','"


def train_factors_with_header(header: str, extra_cell: str | None = None) -> bytes:
    """The shipped train.csv (CH, FR, ..., RoW) under another header line, each row with an
    extra cell when given."""
    lines = TRAIN_FACTORS.read_text().splitlines()
    assert lines[0] == "country_code,ef_kg_co2eq_per_km"
    rows = lines[1:] if extra_cell is None else [f"{line},{extra_cell}" for line in lines[1:]]
    return csv_bytes(header, *rows)


async def _train_factors(db: AsyncSession) -> dict[str, float]:
    db.expire_all()
    rows = await db.execute(select(Factor).where(Factor.data_entry_type_id == int(TRAIN)))
    return {
        f.classification["country_code"]: f.values["ef_kg_co2eq_per_km"] for f in rows.scalars()
    }


async def test_misspelt_key_column_refuses_the_whole_factor_file(
    db: AsyncSession, import_factors: RunImport
) -> None:
    first = await import_factors(TRAIN_FACTORS.read_bytes(), TRAVEL, TRAIN)
    assert first.result == IngestionResult.SUCCESS, first.status_message
    stored = await _train_factors(db)
    assert stored["RoW"] == pytest.approx(0.0388)
    before = await Snapshot.take(db)

    job = await import_factors(
        train_factors_with_header("country,ef_kg_co2eq_per_km"), TRAVEL, TRAIN
    )

    assert (job.state, job.result) == (IngestionState.FINISHED, IngestionResult.ERROR)
    assert job.status_message == f"The whole file was rejected: {MISSPELT_COUNTRY}"
    assert await Snapshot.take(db) == before
    assert await _train_factors(db) == stored  # the RoW fallback keeps its value


@pytest.mark.parametrize(
    ("header", "row", "message"),
    [
        (
            "category,cabin_class,ef_kg_co2eq_per_km,rfi_adjustmnet",
            "short_haul,eco,0.15,2",
            "unknown column 'rfi_adjustmnet': did you mean 'rfi_adjustment'?",
        ),
        (
            "Category,cabin_class,ef_kg_co2eq_per_km",
            "short_haul,eco,0.15",
            "unknown column 'Category': did you mean 'category'?",
        ),
    ],
)
async def test_misspelt_optional_value_column_is_refused(
    db: AsyncSession, import_factors: RunImport, header: str, row: str, message: str
) -> None:
    before = await Snapshot.take(db)
    job = await import_factors(csv_bytes(header, row), TRAVEL, PLANE)
    assert job.result == IngestionResult.ERROR
    assert message in (job.status_message or "")
    assert await Snapshot.take(db) == before


async def test_misspelt_column_refuses_the_whole_data_file(
    db: AsyncSession, import_factors: RunImport, import_data: RunImport
) -> None:
    await import_factors(TRAIN_FACTORS.read_bytes(), TRAVEL, TRAIN)
    await create_unit(db, institutional_code="U1")
    await db.commit()
    before = await Snapshot.take(db)

    job = await import_data(
        csv_bytes(
            "unit_institutional_code,origin,destination,cabin_class,number_of_trip",
            "U1,Lausanne,Zurich,second,10",
        ),
        TRAVEL,
        TRAIN,
    )

    assert job.result == IngestionResult.ERROR
    assert job.status_message == (
        "The whole file was rejected: "
        "unknown column 'number_of_trip': did you mean 'number_of_trips'?"
    )
    assert await Snapshot.take(db) == before


async def test_other_unknown_columns_are_named_in_the_message(
    db: AsyncSession, import_factors: RunImport, import_data: RunImport
) -> None:
    factors = await import_factors(
        train_factors_with_header("country_code,ef_kg_co2eq_per_km,comment", "checked"),
        TRAVEL,
        TRAIN,
    )
    assert factors.result == IngestionResult.SUCCESS
    assert factors.status_message == (
        "6 factors imported (6 inserted, 0 updated, 0 unchanged, 0 removed); "
        "1 unknown column ignored: comment"
    )
    await create_unit(db, institutional_code="U1")
    await db.commit()

    data = await import_data(
        csv_bytes(
            "unit_institutional_code,origin,destination,cabin_class,notes,source",
            "U1,Lausanne,Zurich,second,team meeting,travel agency",
        ),
        TRAVEL,
        TRAIN,
    )
    assert data.result == IngestionResult.SUCCESS, data.status_message
    assert data.status_message == "1 entry imported; 2 unknown columns ignored: notes, source"
    assert data.meta["ignored_columns"] == ["notes", "source"]


async def test_semicolon_separated_file_is_refused(
    db: AsyncSession, import_factors: RunImport
) -> None:
    before = await Snapshot.take(db)
    content = TRAIN_FACTORS.read_text().replace(",", ";").replace(".", ",").encode()
    job = await import_factors(content, TRAVEL, TRAIN)
    assert job.result == IngestionResult.ERROR
    assert (job.status_message or "").startswith(f"The whole file was rejected: {SEMICOLONS}")
    assert "'.' as decimal mark" in (job.status_message or "")
    assert await Snapshot.take(db) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (train_factors_with_header("country,ef_kg_co2eq_per_km"), MISSPELT_COUNTRY),
        (b"country_code;ef_kg_co2eq_per_km\nCH;0,00679\n", SEMICOLONS),
    ],
    ids=["misspelt", "semicolons"],
)
async def test_the_api_refuses_the_file_before_any_job(
    app_client: httpx.AsyncClient,
    login_as: LoginAs,
    db: AsyncSession,
    content: bytes,
    message: str,
) -> None:
    headers = await login_as(Role.backoffice_metier)
    response = await app_client.post(
        f"/api/v1/sync/factors/{int(TRAVEL)}?year={YEAR}&data_entry_type_id={int(TRAIN)}",
        files={"file": ("train.csv", content, "text/csv")},
        headers=headers,
    )
    assert response.status_code == 422, response.text
    assert message in response.json()["detail"]
    count = await db.scalar(select(func.count()).select_from(DataIngestionJob))
    assert count == 0


def test_the_cli_refuses_the_file(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CO2CALC_DATABASE_URL", database_url)
    get_settings.cache_clear()
    try:
        factors = tmp_path / "train.csv"
        factors.write_bytes(train_factors_with_header("country,ef_kg_co2eq_per_km"))
        args = ["factors", "import", str(factors), "--module", "professional_travel"]
        result = CliRunner().invoke(cli_app, [*args, "--year", str(YEAR), "--type", "train"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 4, result.output
    assert MISSPELT_COUNTRY in " ".join(result.output.split())  # the console wraps at 80
