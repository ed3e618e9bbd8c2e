from __future__ import annotations

import pytest

from app.domain.modules import DataEntryTypeEnum as T
from app.emissions import (
    ENTRY_FIELDS,
    FACTOR_FIELDS,
    EntryValidationError,
    validate_entry,
    validation,
)
from app.emissions.validation import RowValidator


def _from_cells(type_id: int, raw: dict[str, str]) -> dict[str, object]:
    """A file's row of these cells (header reversed, an unknown column added), validated by
    the importer's RowValidator."""
    header = ["comment", *reversed(raw)]
    return RowValidator(type_id, header).validate(["ignored", *(raw[name] for name in header[1:])])


def _rejects(type_id: int, raw: dict[str, str | None], message: str) -> None:
    with pytest.raises(EntryValidationError) as caught:
        validate_entry(type_id, raw)
    assert str(caught.value) == message
    cells = {name: value for name, value in raw.items() if value is not None}
    with pytest.raises(EntryValidationError) as from_cells:
        _from_cells(type_id, cells)
    assert str(from_cells.value) == message


def test_a_validator_reading_many_rows_gives_each_the_answer_of_a_fresh_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One validator reads a whole file, remembering the cells it resolved: repeated cells,
    valid or not, and cells past its memo's size come out as a fresh validator reads them."""
    monkeypatch.setattr(validation, "MEMO_CELLS", 3)
    header = ["origin_iata", "destination_iata", "cabin_class", "number_of_trips"]
    rows = [
        ["gva", "JFK", "Eco", "2"],
        ["GVA", "zrh", "eco", ""],
        ["gva", "JFK", "first", "2"],
        ["gva", "J1K", "eco", "2"],  # an invalid code, twice: rejected both times
        ["gva", "J1K", "eco", "2"],
        [" cdg ", "nrt", "business", "4"],  # past the memo's size
        ["gva", "JFK", "Eco", "0"],
    ]
    shared = RowValidator(T.plane, header)

    def outcome(validator: RowValidator, cells: list[str]) -> dict[str, object] | str:
        try:
            return validator.validate(cells)
        except EntryValidationError as error:
            return str(error)

    found = [outcome(shared, cells) for cells in rows]
    assert found == [outcome(RowValidator(T.plane, header), cells) for cells in rows]
    assert found[1] == {
        "origin_iata": "GVA",
        "destination_iata": "ZRH",
        "cabin_class": "eco",
        "number_of_trips": 1,
    }
    assert "J1K" in str(found[3])
    assert found[3] == found[4]
    assert "number_of_trips" in str(found[6])


@pytest.mark.parametrize("type_id", list(ENTRY_FIELDS))
@pytest.mark.parametrize("cell", ["", "1", "abc", "-1"])
def test_a_row_of_cells_validates_as_its_dict_does(type_id: T, cell: str) -> None:
    raw = {field.name: cell for field in ENTRY_FIELDS[type_id].fields}
    try:
        expected: dict[str, object] | str = validate_entry(type_id, raw)
    except EntryValidationError as error:
        expected = str(error)
    try:
        found: dict[str, object] | str = _from_cells(type_id, raw)
    except EntryValidationError as error:
        found = str(error)
    assert found == expected


def test_cells_become_typed_values_with_defaults() -> None:
    entry = validate_entry(
        T.plane,
        {
            "unit_institutional_code": "14270",  # not an entry field: ignored
            "origin_iata": " gva ",
            "destination_iata": "JFK",
            "cabin_class": "Eco",
            "number_of_trips": "",
            "kg_co2eq": "",
        },
    )
    assert entry == {
        "origin_iata": "GVA",
        "destination_iata": "JFK",
        "cabin_class": "eco",
        "number_of_trips": 1,
    }
    cells = {"origin_iata": " gva ", "destination_iata": "JFK", "cabin_class": "Eco"}
    assert _from_cells(T.plane, cells) == entry  # absent columns are empty cells


def test_override_is_parsed() -> None:
    assert validate_entry(T.member, {"fte": "1", "kg_co2eq": "0"}) == {"fte": 1.0, "kg_co2eq": 0.0}


def test_typed_json_values_are_accepted() -> None:
    assert validate_entry(T.student, {"fte": 3}) == {"fte": 3.0}


def test_required_field() -> None:
    _rejects(T.member, {"fte": " "}, "fte: a value is required")
    _rejects(
        T.plane,
        {"origin_iata": "GVA", "destination_iata": "JFK"},
        "cabin_class: a value is required (one of: first, business, eco)",
    )


@pytest.mark.parametrize("fte", ["0", "0.5", "1"])
def test_member_fte_bounds_accepted(fte: str) -> None:
    assert validate_entry(T.member, {"fte": fte}) == {"fte": float(fte)}


def test_member_fte_out_of_range() -> None:
    _rejects(T.member, {"fte": "1.01"}, "fte: '1.01' is out of range: must be between 0 and 1")
    _rejects(T.member, {"fte": "-0.1"}, "fte: '-0.1' is out of range: must be between 0 and 1")


def test_student_fte_may_exceed_one_but_not_be_negative() -> None:
    assert validate_entry(T.student, {"fte": "12"}) == {"fte": 12.0}
    _rejects(T.student, {"fte": "-1"}, "fte: '-1' is out of range: must be >= 0")


def test_not_a_number() -> None:
    _rejects(
        T.process_emissions,
        {"category": "ch4", "quantity_kg": "1,5"},
        "quantity_kg: '1,5' is not a number",
    )
    _rejects(
        T.process_emissions,
        {"category": "ch4", "quantity_kg": "nan"},
        "quantity_kg: 'nan' is not a finite number",
    )


def test_negative_quantity() -> None:
    _rejects(
        T.energy_combustion,
        {"fuel": "pellets", "quantity": "-3", "unit": "kg"},
        "quantity: '-3' is out of range: must be >= 0",
    )


def test_trips_are_whole_and_at_least_one() -> None:
    trip = {"origin": "Bern", "destination": "Paris", "cabin_class": "second"}
    _rejects(
        T.train, {**trip, "number_of_trips": "1.5"}, "number_of_trips: '1.5' is not a whole number"
    )
    _rejects(
        T.train,
        {**trip, "number_of_trips": "0"},
        "number_of_trips: '0' is out of range: must be >= 1",
    )


def _equipment(active: str | None, standby: str | None) -> dict[str, str | None]:
    return {
        "name": "pc",
        "equipment_class": "Desktop PC",
        "active_usage_hours_per_week": active,
        "standby_usage_hours_per_week": standby,
    }


def test_hours_summing_to_168_are_fine() -> None:
    entry = validate_entry(T.it, _equipment("40", "128"))
    assert entry["active_usage_hours_per_week"] + entry["standby_usage_hours_per_week"] == 168


def test_hours_summing_to_169_are_rejected() -> None:
    _rejects(
        T.it,
        _equipment("41", "128"),
        "active_usage_hours_per_week + standby_usage_hours_per_week: "
        "hours 41 + 128 exceed 168 a week",
    )


def test_hours_alone_are_bounded_by_a_week() -> None:
    _rejects(
        T.it,
        _equipment("169", None),
        "active_usage_hours_per_week: '169' is out of range: must be between 0 and 168",
    )
    assert "standby_usage_hours_per_week" not in validate_entry(T.it, _equipment("100", None))


@pytest.mark.parametrize(
    ("type_id", "raw", "message"),
    [
        (
            T.train,
            {"origin": "a", "destination": "b", "cabin_class": "eco"},
            "cabin_class: 'eco' is not one of: first, second",
        ),
        (
            T.building,
            {
                "building_name": "BC",
                "room_name": "1",
                "room_type": "kitchen",
                "room_surface_square_meter": "1",
            },
            "room_type: 'kitchen' is not one of: office, laboratories, archives, libraries, "
            "auditoriums, miscellaneous",
        ),
        (
            T.energy_combustion,
            {"fuel": "coal", "quantity": "1", "unit": "kg"},
            "fuel: 'coal' is not one of: natural_gas, heating_oil, biomethane, pellets, "
            "forest_chips, wood_logs, other",
        ),
        (
            T.energy_combustion,
            {"fuel": "pellets", "quantity": "1", "unit": "t"},
            "unit: 't' is not one of: kWh, l, kg, m3",
        ),
        (
            T.external_clouds,
            {"provider": "aws", "service_type": "network", "spent_amount": "1"},
            "service_type: 'network' is not one of: virtualisation, compute, storage",
        ),
        (
            T.external_ai,
            {
                "provider": "x",
                "usage_type": "chat",
                "requests_per_user_per_day": "3",
                "user_count": "1",
            },
            "requests_per_user_per_day: '3' is not one of: 1-5, 5-20, 20-100, >100",
        ),
        (
            T.external_ai,
            {
                "provider": "x",
                "usage_type": "chat",
                "requests_per_user_per_day": "1-5",
                "user_count": "0",
            },
            "user_count: '0' is out of range: must be >= 1",
        ),
        (
            T.process_emissions,
            {"category": "sf6", "quantity_kg": "1"},
            "category: 'sf6' is not one of: ch4, co2, n2o, refrigerants",
        ),
        (
            T.additional_purchases,
            {"name": "helium", "annual_consumption": "1", "unit": "kg"},
            "name: 'helium' is not one of: ln2, other",
        ),
        (
            T.services,
            {
                "name": "x",
                "purchase_institutional_code": "1",
                "total_spent_amount": "1",
                "currency": "ABC",
            },
            "currency: 'ABC' is not a currency with ECB reference rates (e.g. CHF, EUR)",
        ),
        (
            T.plane,
            {"origin_iata": "GENEVA", "destination_iata": "JFK", "cabin_class": "eco"},
            "origin_iata: 'GENEVA' is not an IATA airport code (three letters)",
        ),
    ],
)
def test_vocabularies(type_id: int, raw: dict[str, str], message: str) -> None:
    _rejects(type_id, raw, message)


def test_vocabularies_match_case_insensitively_and_return_the_canonical_spelling() -> None:
    entry = validate_entry(
        T.energy_combustion, {"fuel": "Natural_Gas", "quantity": "5", "unit": "KWH"}
    )
    assert (entry["fuel"], entry["unit"]) == ("natural_gas", "kWh")


def test_purchase_currency_defaults_to_chf_and_cloud_to_eur() -> None:
    purchase = {"name": "x", "purchase_institutional_code": "1", "total_spent_amount": "10"}
    cloud = {"provider": "aws", "service_type": "compute", "spent_amount": "10"}
    assert validate_entry(T.services, purchase)["currency"] == "CHF"
    assert validate_entry(T.external_clouds, cloud)["currency"] == "EUR"
    assert validate_entry(T.services, {**purchase, "currency": "usd"})["currency"] == "USD"


def test_entry_columns_for_header_checks() -> None:
    columns = ENTRY_FIELDS[T.plane].columns
    assert columns.required == ("origin_iata", "destination_iata", "cabin_class")
    assert columns.optional == {"number_of_trips": 1, "kg_co2eq": None}
    assert set(ENTRY_FIELDS) == set(T)


def test_factor_columns_for_header_checks() -> None:
    assert FACTOR_FIELDS[T.train].columns.required == ("ef_kg_co2eq_per_km",)
    assert FACTOR_FIELDS[T.train].columns.optional == {"country_code": "RoW"}
    building = FACTOR_FIELDS[T.building].columns
    assert building.optional == {"building_name": "default"}
    assert building.required[0] == "room_type"
    process = FACTOR_FIELDS[T.process_emissions]
    assert [k.name for k in process.keys] == ["category", "subcategory"]
    assert process.columns.optional == {"subcategory": None}
    assert FACTOR_FIELDS[T.plane].columns.optional == {"cabin_class": None, "rfi_adjustment": 1.0}
    assert set(FACTOR_FIELDS) == set(T)
