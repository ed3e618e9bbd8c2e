from __future__ import annotations

import io
from pathlib import Path

import pytest

from app.domain.modules import DataEntryTypeEnum as T
from app.emissions import FactorFileError, FactorIndex
from app.emissions.factor_files import RejectedRow, load_factor_file

SHIPPED = Path(__file__).parents[4] / "data" / "factors"


@pytest.mark.parametrize("year", [2024, 2025])
@pytest.mark.parametrize("type_id", list(T))
def test_shipped_factor_files_load_without_a_rejected_row(type_id: T, year: int) -> None:
    result = load_factor_file(SHIPPED / str(year) / f"{type_id.name}.csv", type_id, year)
    assert result.rejected == []
    assert result.ignored_columns == ()
    assert result.records
    assert {(r.data_entry_type_id, r.year) for r in result.records} == {(type_id, year)}
    FactorIndex.build(result.records)


def test_shipped_years_differ() -> None:
    def values(year: int) -> list[object]:
        result = load_factor_file(SHIPPED / str(year) / "train.csv", T.train, year)
        return [r.values for r in result.records]

    assert values(2024) != values(2025)


PROCESS = "category,subcategory,gwp_kg_co2eq_per_kg\n"


def test_records_carry_typed_values_defaults_and_wildcards() -> None:
    result = load_factor_file(
        PROCESS + "ch4,,28\nrefrigerants,R134a,1430\n", T.process_emissions, 2024
    )
    assert [(dict(r.classification), dict(r.values)) for r in result.records] == [
        ({"category": "ch4", "subcategory": None}, {"gwp_kg_co2eq_per_kg": 28.0}),
        ({"category": "refrigerants", "subcategory": "R134a"}, {"gwp_kg_co2eq_per_kg": 1430.0}),
    ]


def test_optional_columns_may_be_left_out_and_fallback_keys_get_their_default() -> None:
    train = load_factor_file("ef_kg_co2eq_per_km\n0.04\n", T.train, 2024)
    plane = load_factor_file("category,ef_kg_co2eq_per_km\nlong_haul,0.15\n", T.plane, 2024)
    assert dict(train.records[0].classification) == {"country_code": "RoW"}
    assert dict(plane.records[0].values) == {"ef_kg_co2eq_per_km": 0.15, "rfi_adjustment": 1.0}


def test_byte_order_mark_is_accepted_in_text_bytes_and_streams() -> None:
    text = "\ufeff" + PROCESS + "ch4,,28\n"
    for source in (text, text.encode(), io.BytesIO(text.encode()), io.StringIO(text)):
        result = load_factor_file(source, T.process_emissions, 2024)
        assert len(result.records) == 1, source


def test_a_binary_stream_stays_open_for_its_owner() -> None:
    stream = io.BytesIO((PROCESS + "ch4,,28\n").encode())
    load_factor_file(stream, T.process_emissions, 2024)
    assert not stream.closed


def test_bad_rows_are_rejected_with_their_line_and_good_rows_kept() -> None:
    csv_text = (
        PROCESS
        + "ch4,,28\n"  # line 2
        + "n2o,,-265\n"  # 3: negative
        + "co2,,one\n"  # 4: not a number
        + "sf6,,23500\n"  # 5: unknown category
        + "CH4,,29\n"  # 6: same identity as line 2
        + "refrigerants,,\n"  # 7: value missing
        + "\n"  # 8: blank, skipped
        + "co2,,1,extra\n"  # 9: too many cells
        + "co2,,1\n"  # 10
    )
    result = load_factor_file(csv_text, T.process_emissions, 2024)
    assert [dict(r.classification)["category"] for r in result.records] == ["ch4", "co2"]
    assert result.rejected == [
        RejectedRow(3, "gwp_kg_co2eq_per_kg: '-265' is out of range: must be >= 0"),
        RejectedRow(4, "gwp_kg_co2eq_per_kg: 'one' is not a number"),
        RejectedRow(5, "category: 'sf6' is not one of: ch4, co2, n2o, refrigerants"),
        RejectedRow(6, "same classification as line 2"),
        RejectedRow(7, "gwp_kg_co2eq_per_kg: a value is required"),
        RejectedRow(9, "expected 3 cells as in the header, found 4"),
    ]


def test_unknown_columns_are_ignored_and_reported() -> None:
    result = load_factor_file("category,source,gwp_kg_co2eq_per_kg\nch4,IPCC,28\n", 50, 2024)
    assert result.ignored_columns == ("source",)
    assert len(result.records) == 1


def test_missing_required_column_rejects_the_whole_file() -> None:
    with pytest.raises(FactorFileError) as caught:
        load_factor_file("subcategory\nR134a\n", T.process_emissions, 2024)
    assert str(caught.value) == (
        "missing required columns category, gwp_kg_co2eq_per_kg for process_emissions factors; "
        "required: category, gwp_kg_co2eq_per_kg; optional: subcategory"
    )


@pytest.mark.parametrize("source", ["", "\n", b"\xff\xfe"])
def test_unreadable_files(source: str | bytes) -> None:
    with pytest.raises(FactorFileError):
        load_factor_file(source, T.process_emissions, 2024)


MODULE_FILE = (
    "data_entry_type,fuel,unit,ef_kg_co2eq_per_unit,building_name,ef_kg_co2eq_per_square_meter\n"
    "energy_combustion,natural_gas,kWh,0.2,,\n"  # 2
    "32,,,,BC,12\n"  # 3: by id
    "plane,,,,,\n"  # 4: not in the module
    "building_embodied_energy,,,,,10\n"  # 5: empty building_name is the "default" building
)


def test_module_wide_file_names_each_rows_type() -> None:
    result = load_factor_file(MODULE_FILE, None, 2025, allowed_types=(30, 31, 32))
    assert [(r.data_entry_type_id, dict(r.classification)) for r in result.records] == [
        (31, {"fuel": "natural_gas", "unit": "kWh"}),
        (32, {"building_name": "BC"}),
        (32, {"building_name": "default"}),
    ]
    assert [(r.line, r.reason) for r in result.rejected] == [
        (
            4,
            "data_entry_type 'plane' is not one of: building, energy_combustion, "
            "building_embodied_energy",
        )
    ]
    assert result.ignored_columns == ()


def test_module_wide_row_whose_type_lacks_a_column_is_rejected() -> None:
    building_rows = load_factor_file("data_entry_type,room_type\nbuilding,office\n", None, 2025)
    assert building_rows.rejected[0].reason.startswith(
        "missing required columns lighting_kwh_per_square_meter, "
    )


def test_module_wide_file_needs_its_type_column() -> None:
    with pytest.raises(FactorFileError, match="no column data_entry_type"):
        load_factor_file("fuel,unit,ef_kg_co2eq_per_unit\n", None, 2024)
