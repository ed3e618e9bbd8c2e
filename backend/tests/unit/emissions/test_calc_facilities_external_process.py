from __future__ import annotations

import pytest
from emission_helpers import factor, index_of

from app.domain.modules import DataEntryTypeEnum as T
from app.emissions import FactorIndex, compute_emissions
from app.emissions.errors import FactorNotFoundError, InvalidFieldError
from app.emissions.external import ai_emission_type
from app.emissions.reference import yearly_rate


def _facilities(type_id: int = T.research_facilities) -> FactorIndex:
    values = {"kg_co2eq_sum": 850_000, "total_use": 12_000, "use_unit": "hours"}
    return index_of(
        factor(type_id, values, id=1, researchfacility_id="RF-CMI"),
        factor(type_id, {**values, "total_use": 0}, id=2, researchfacility_id="RF-NEW"),
    )


def _use(facility: str, use: float, unit: str = "hours") -> dict[str, object]:
    return {"researchfacility_id": facility, "use": use, "use_unit": unit}


def test_facility_share_of_the_yearly_footprint() -> None:
    rows = compute_emissions(T.research_facilities, _use("RF-CMI", 600), 2024, _facilities())
    # 600 / 12000 x 850000 = 0.05 x 850000 = 42500
    assert [(r.emission_type_id, r.kg_co2eq, r.factor_id) for r in rows] == [
        (100100, pytest.approx(42_500), 1)
    ]


def test_animal_facility_code() -> None:
    index = _facilities(T.mice_and_fish_animal_facilities)
    rows = compute_emissions(T.mice_and_fish_animal_facilities, _use("RF-CMI", 1), 2024, index)
    assert rows[0].emission_type_id == 100200


def test_facility_without_total_use_gives_zero() -> None:
    rows = compute_emissions(T.research_facilities, _use("RF-NEW", 600), 2024, _facilities())
    assert rows[0].kg_co2eq == 0.0


def test_different_use_unit_is_an_entry_error() -> None:
    with pytest.raises(InvalidFieldError, match=r'use_unit "days" differs .* use_unit "hours"'):
        compute_emissions(T.research_facilities, _use("RF-CMI", 6, "days"), 2024, _facilities())


def test_cloud_spend_by_service_type() -> None:
    ef = "ef_kg_co2eq_per_currency"
    index = index_of(
        factor(T.external_clouds, {ef: 0.12}, id=1, provider="aws", service_type="compute"),
        factor(
            T.external_clouds,
            {ef: 0.04, "currency": "CHF"},
            id=2,
            provider="switch",
            service_type="storage",
        ),
    )
    aws = compute_emissions(
        T.external_clouds,
        {"provider": "AWS", "service_type": "compute", "spent_amount": 2000},  # EUR default
        2024,
        index,
    )
    switch = compute_emissions(
        T.external_clouds,
        {"provider": "switch", "service_type": "storage", "spent_amount": 500, "currency": "EUR"},
        2024,
        index,
    )
    assert [(r.emission_type_id, r.kg_co2eq) for r in aws] == [(110102, pytest.approx(240.0))]
    # 500 EUR in CHF at the 2024 average, x 0.04 kg per CHF
    chf = 500 * yearly_rate("CHF", 2024).rate
    assert [(r.emission_type_id, r.kg_co2eq) for r in switch] == [
        (110103, pytest.approx(chf * 0.04))
    ]


def _ai_index() -> FactorIndex:
    ef = "ef_g_co2eq_per_request"
    return index_of(
        factor(T.external_ai, {ef: 4.0}, id=1, provider="openai", usage_type="chat"),
        factor(T.external_ai, {ef: 2.0}, id=2, provider="Mistral AI", usage_type="code"),
        factor(T.external_ai, {ef: 3.0}, id=3, provider="Acme", usage_type="chat"),
    )


def _ai(provider: str, usage: str, answer: str, users: int) -> dict[str, object]:
    return {
        "provider": provider,
        "usage_type": usage,
        "requests_per_user_per_day": answer,
        "user_count": users,
    }


def test_ai_requests() -> None:
    rows = compute_emissions(T.external_ai, _ai("OpenAI", "chat", "5-20", 3), 2024, _ai_index())
    # 12.5 requests x 5 days x 46 weeks x 3 users x 4 g / 1000 = 34.5 kg
    assert [(r.emission_type_id, r.kg_co2eq, r.factor_id) for r in rows] == [(110204, 34.5, 1)]


@pytest.mark.parametrize(("answer", "requests"), [("1-5", 3), ("20-100", 60), (">100", 100)])
def test_ai_request_buckets(answer: str, requests: float) -> None:
    rows = compute_emissions(T.external_ai, _ai("openai", "chat", answer, 1), 2024, _ai_index())
    assert rows[0].kg_co2eq == pytest.approx(requests * 5 * 46 * 4 / 1000)


def test_ai_provider_codes() -> None:
    mistral = compute_emissions(
        T.external_ai, _ai("mistral ai", "code", "1-5", 1), 2024, _ai_index()
    )
    acme = compute_emissions(T.external_ai, _ai("Acme", "chat", "1-5", 1), 2024, _ai_index())
    assert (mistral[0].emission_type_id, acme[0].emission_type_id) == (110202, 110206)
    assert ai_emission_type("Mistral-AI") == 110202
    assert ai_emission_type("cohere") == 110205


def test_ai_usage_without_factor() -> None:
    with pytest.raises(FactorNotFoundError, match="'usage_type': 'image'"):
        compute_emissions(T.external_ai, _ai("openai", "image", "1-5", 1), 2024, _ai_index())


def _process_index() -> FactorIndex:
    gwp = "gwp_kg_co2eq_per_kg"
    return index_of(
        factor(T.process_emissions, {gwp: 28}, id=1, category="ch4"),
        factor(T.process_emissions, {gwp: 2000}, id=2, category="refrigerants"),
        factor(
            T.process_emissions, {gwp: 1430}, id=3, category="refrigerants", subcategory="R134a"
        ),
    )


def test_process_specific_subcategory() -> None:
    data = {"category": "refrigerants", "subcategory": "R134a", "quantity_kg": 2.5}
    rows = compute_emissions(T.process_emissions, data, 2024, _process_index())
    # 2.5 kg x 1430 = 3575
    assert [(r.emission_type_id, r.kg_co2eq, r.factor_id) for r in rows] == [(70400, 3575.0, 3)]


def test_process_subcategory_falls_back_to_category_only() -> None:
    data = {"category": "refrigerants", "subcategory": "R404A", "quantity_kg": 2.5}
    rows = compute_emissions(T.process_emissions, data, 2024, _process_index())
    assert (rows[0].kg_co2eq, rows[0].factor_id) == (5000.0, 2)


def test_process_methane() -> None:
    rows = compute_emissions(
        T.process_emissions, {"category": "ch4", "quantity_kg": 10}, 2024, _process_index()
    )
    assert [(r.emission_type_id, r.kg_co2eq) for r in rows] == [(70100, 280.0)]


def test_process_category_without_factor() -> None:
    with pytest.raises(FactorNotFoundError, match="'category': 'n2o'"):
        compute_emissions(
            T.process_emissions, {"category": "n2o", "quantity_kg": 1}, 2024, _process_index()
        )
