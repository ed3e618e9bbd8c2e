"""Header checks that need no database: misspellings, separators, the ignored columns' note."""

from __future__ import annotations

import pytest

from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum
from app.services.ingestion.csv_reading import (
    CsvFileError,
    FileKind,
    check_header,
    describe_ignored,
    read_header,
)

TRAVEL = ModuleTypeEnum.professional_travel


def test_ignored_columns_are_counted_and_named() -> None:
    assert describe_ignored(()) == ""
    assert describe_ignored(("comment",)) == "1 unknown column ignored: comment"
    assert describe_ignored(("notes", "")) == "2 unknown columns ignored: notes, (unnamed)"


@pytest.mark.parametrize(
    "header",
    ["country code,ef_kg_co2eq_per_km", "Country_Code,ef_kg_co2eq_per_km"],
)
def test_a_spelling_variant_of_an_absent_column_is_refused(header: str) -> None:
    with pytest.raises(CsvFileError, match="did you mean 'country_code'"):
        check_header(read_header(header), FileKind.factors, TRAVEL, DataEntryTypeEnum.train)


def test_unrelated_extra_columns_are_only_ignored() -> None:
    header = read_header("country_code,ef_kg_co2eq_per_km,comment,notes,source,")
    ignored = check_header(header, FileKind.factors, TRAVEL, DataEntryTypeEnum.train)
    assert ignored == ("comment", "notes", "source", "")


def test_a_column_present_under_its_name_is_not_a_misspelling_of_another() -> None:
    # 'category' is close to 'subcategory', which the header lacks; it is a column itself.
    header = read_header("category,gwp_kg_co2eq_per_kg")
    process = ModuleTypeEnum.process_emissions, DataEntryTypeEnum.process_emissions
    assert check_header(header, FileKind.factors, *process) == ()
