from __future__ import annotations

import pytest
from emission_helpers import factor, index_of

from app.domain.modules import DataEntryTypeEnum as T
from app.emissions import FactorIndex, compute_emissions
from app.emissions.errors import FactorNotFoundError, InvalidFieldError, UnusableFactorError
from app.emissions.reference import yearly_rate

EF = "ef_kg_co2eq_per_currency"


def _index(type_id: int = T.it_equipment) -> FactorIndex:
    return index_of(
        factor(type_id, {EF: 0.45}, id=1, purchase_institutional_code="43211500"),
        factor(type_id, {EF: 0.3, "currency": "CHF"}, id=2, purchase_institutional_code="43201800"),
    )


def _purchase(amount: float, currency: str | None, code: str = "43211500") -> dict[str, object]:
    data: dict[str, object] = {"name": "laptops", "purchase_institutional_code": code}
    return {**data, "total_spent_amount": amount, "currency": currency}


def test_same_currency_needs_no_conversion() -> None:
    rows = compute_emissions(T.it_equipment, _purchase(1000, "EUR"), 2024, _index())
    assert [(r.emission_type_id, r.kg_co2eq, r.factor_id) for r in rows] == [(90200, 450.0, 1)]
    assert rows[0].meta["rate"] == 1.0


def test_chf_is_converted_with_the_yearly_average_rate() -> None:
    rows = compute_emissions(T.it_equipment, _purchase(1000, None), 2024, _index())  # CHF default
    chf_per_eur = yearly_rate("CHF", 2024).rate  # mean of the 2024 ECB daily rates, about 0.953
    assert rows[0].kg_co2eq == pytest.approx(1000 / chf_per_eur * 0.45)
    assert rows[0].meta["currency"] == "CHF"
    assert rows[0].meta["rate_year"] == 2024


def test_factor_in_chf_converts_a_euro_spend() -> None:
    rows = compute_emissions(T.it_equipment, _purchase(1000, "EUR", "43201800"), 2024, _index())
    assert rows[0].kg_co2eq == pytest.approx(1000 * yearly_rate("CHF", 2024).rate * 0.3)


@pytest.mark.parametrize(
    ("type_id", "code"),
    [(60, 90100), (61, 90200), (62, 90300), (63, 90400), (64, 90500), (65, 90600), (66, 90700)],
)
def test_each_purchase_type_has_its_code(type_id: int, code: int) -> None:
    rows = compute_emissions(type_id, _purchase(10, "EUR"), 2024, _index(type_id))
    assert rows[0].emission_type_id == code


def test_a_year_without_ecb_rates_uses_the_latest_year_and_says_so() -> None:
    latest = yearly_rate("CHF", 2100).rate_year
    rows = compute_emissions(T.it_equipment, _purchase(1000, "CHF"), 2099, _index_2099())
    assert rows[0].kg_co2eq == pytest.approx(1000 / yearly_rate("CHF", latest).rate * 0.45)
    assert rows[0].meta["rate_year"] == latest
    assert rows[0].meta["note"] == f"no ECB rate in 2099 for CHF: used the {latest} average"


def _index_2099() -> FactorIndex:
    return index_of(
        factor(T.it_equipment, {EF: 0.45}, year=2099, purchase_institutional_code="43211500")
    )


def test_unknown_currency_is_named() -> None:
    with pytest.raises(InvalidFieldError, match="'XYZ' is not a currency with ECB reference rates"):
        compute_emissions(T.it_equipment, _purchase(10, "XYZ"), 2024, _index())


def test_unknown_factor_currency_is_named() -> None:
    stored = factor(T.it_equipment, {EF: 0.45, "currency": "XYZ"}, purchase_institutional_code="1")
    with pytest.raises(UnusableFactorError, match="'XYZ' is not a currency"):
        compute_emissions(T.it_equipment, _purchase(10, "EUR", "1"), 2024, index_of(stored))


def test_unknown_purchase_code() -> None:
    with pytest.raises(FactorNotFoundError, match="'purchase_institutional_code': '999'"):
        compute_emissions(T.it_equipment, _purchase(10, "EUR", "999"), 2024, _index())


def _additional_index() -> FactorIndex:
    return index_of(
        factor(T.additional_purchases, {"ef_kg_co2eq_per_kg": 0.18}, id=1, name="ln2"),
        factor(T.additional_purchases, {"ef_kg_co2eq_per_kg": 1.0}, id=2, name="other"),
    )


def test_liquid_nitrogen_in_litres() -> None:
    data = {"name": "ln2", "annual_consumption": 5000, "unit": "l", "coef_to_kg": 0.808}
    rows = compute_emissions(T.additional_purchases, data, 2024, _additional_index())
    # 5000 l x 0.808 kg/l x 0.18 = 727.2 kg
    assert [(r.emission_type_id, r.kg_co2eq) for r in rows] == [(90801, pytest.approx(727.2))]


def test_other_additional_purchase_with_default_coefficient() -> None:
    data = {"name": "other", "annual_consumption": 40, "unit": "kg"}
    rows = compute_emissions(T.additional_purchases, data, 2024, _additional_index())
    assert [(r.emission_type_id, r.kg_co2eq) for r in rows] == [(90802, 40.0)]
