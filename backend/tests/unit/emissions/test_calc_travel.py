from __future__ import annotations

import pytest
from emission_helpers import factor, index_of

from app.domain.modules import DataEntryTypeEnum as T
from app.emissions import EmissionRow, FactorIndex, compute_emissions
from app.emissions.errors import FactorNotFoundError, UnknownAirportError, UnknownCityError
from app.emissions.reference import airport_position, find_city, great_circle_km
from app.emissions.travel import haul_category, train_country

EF, RFI = "ef_kg_co2eq_per_km", "rfi_adjustment"


@pytest.mark.parametrize(
    ("one_trip_km", "category"),
    [
        (0.0, "very_short_haul"),
        (799.9, "very_short_haul"),
        (800.0, "short_haul"),
        (1499.9, "short_haul"),
        (1500.0, "medium_haul"),
        (3999.9, "medium_haul"),
        (4000.0, "long_haul"),
        (15000.0, "long_haul"),
    ],
)
def test_haul_category_thresholds(one_trip_km: float, category: str) -> None:
    assert haul_category(one_trip_km) == category


def _plane_index() -> FactorIndex:
    return index_of(
        factor(T.plane, {EF: 0.15, RFI: 2}, id=1, category="long_haul", cabin_class="eco"),
        factor(T.plane, {EF: 0.2, RFI: 2}, id=2, category="long_haul"),
    )


def test_plane_long_haul_eco() -> None:
    rows = compute_emissions(
        T.plane,
        {
            "origin_iata": "GVA",
            "destination_iata": "JFK",
            "cabin_class": "eco",
            "number_of_trips": 2,
        },
        2024,
        _plane_index(),
    )
    km = great_circle_km(airport_position("GVA"), airport_position("JFK"))  # about 6201 km
    one_trip_km = km + 95  # > 4000: long haul
    assert [(r.emission_type_id, r.factor_id) for r in rows] == [(50203, 1)]
    assert rows[0].kg_co2eq == pytest.approx(one_trip_km * 2 * 0.15 * 2)
    assert rows[0].meta == {"one_trip_km": one_trip_km, "haul": "long_haul"}


def test_plane_cabin_without_its_own_factor_falls_back_to_the_wildcard() -> None:
    rows = compute_emissions(
        T.plane,
        {"origin_iata": "gva", "destination_iata": "jfk", "cabin_class": "business"},
        2024,
        _plane_index(),
    )
    one_trip_km = great_circle_km(airport_position("GVA"), airport_position("JFK")) + 95
    assert (rows[0].emission_type_id, rows[0].factor_id) == (50202, 2)
    assert rows[0].kg_co2eq == pytest.approx(one_trip_km * 1 * 0.2 * 2)


def test_unknown_airport_is_named() -> None:
    with pytest.raises(UnknownAirportError, match='unknown airport code "XYZ"'):
        compute_emissions(
            T.plane,
            {"origin_iata": "XYZ", "destination_iata": "JFK", "cabin_class": "eco"},
            2024,
            _plane_index(),
        )


def test_plane_without_factor_for_the_haul_category() -> None:
    # GVA - ZRH is about 225 km: very short haul, which the index does not have.
    with pytest.raises(FactorNotFoundError, match="very_short_haul"):
        compute_emissions(
            T.plane,
            {"origin_iata": "GVA", "destination_iata": "ZRH", "cabin_class": "eco"},
            2024,
            _plane_index(),
        )


def _train_index() -> FactorIndex:
    return index_of(
        factor(T.train, {EF: 0.007}, id=1, country_code="CH"),
        factor(T.train, {EF: 0.004}, id=2, country_code="FR"),
        factor(T.train, {EF: 0.04}, id=3, country_code="RoW"),
    )


def _train(origin: str, destination: str, trips: int = 1) -> list[EmissionRow]:
    data = {"origin": origin, "destination": destination, "cabin_class": "second"}
    return compute_emissions(T.train, {**data, "number_of_trips": trips}, 2024, _train_index())


def _rail_km(origin: str, destination: str) -> float:
    return great_circle_km(find_city(origin).position, find_city(destination).position) * 1.2


def test_train_abroad_uses_the_foreign_country() -> None:
    (row,) = _train("Lausanne", "Paris", trips=3)
    # one_trip_km = great-circle km x 1.2 (about 412 x 1.2); kg = km x 3 trips x 0.004 (FR)
    assert row.kg_co2eq == pytest.approx(_rail_km("Lausanne", "Paris") * 3 * 0.004)
    assert (row.emission_type_id, row.factor_id, row.meta["country"]) == (50102, 2, "FR")


def test_train_within_switzerland_uses_ch() -> None:
    (row,) = _train("Lausanne", "Zurich")
    assert row.kg_co2eq == pytest.approx(_rail_km("Lausanne", "Zurich") * 0.007)


def test_train_country_without_factor_falls_back_to_row() -> None:
    (row,) = _train("Madrid", "Geneva")  # the foreign end is the origin: ES, no factor
    assert (row.factor_id, row.meta["country"]) == (3, "ES")
    assert row.kg_co2eq == pytest.approx(_rail_km("Madrid", "Geneva") * 0.04)


def test_train_country_rule() -> None:
    assert train_country("CH", "CH") == "CH"
    assert train_country("CH", "DE") == "DE"
    assert train_country("FR", "CH") == "FR"
    assert train_country("FR", "DE") == "DE"  # both abroad: the destination first


def test_unknown_city_is_named() -> None:
    with pytest.raises(UnknownCityError, match='unknown city "Foo"'):
        _train("Foo", "Paris")
