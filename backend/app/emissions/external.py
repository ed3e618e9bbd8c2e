"""External cloud services (spend based) and AI assistants (request based)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.domain.emission_types import EmissionTypeEnum as E
from app.emissions.base import EmissionRow
from app.emissions.calculator import row
from app.emissions.index import FactorIndex
from app.emissions.money import spend_in_factor_currency
from app.emissions.reading import read_number, read_text
from app.emissions.specs import (
    CLOUD_CURRENCY,
    EF_G_PER_REQUEST,
    EF_PER_CURRENCY,
    PROVIDER,
    REQUESTS_PER_USER_PER_DAY,
    SERVICE_TYPE,
    SPENT_AMOUNT,
    USAGE_TYPE,
    USER_COUNT,
)
from app.emissions.vocabularies import REQUESTS_PER_USER_PER_DAY as REQUESTS_BY_ANSWER

# A working year as the AI questionnaire counts it.
DAYS_PER_WEEK = 5
WEEKS_PER_YEAR = 46

_AI_CODES = {
    "google": E.external_ai_google,
    "mistral_ai": E.external_ai_mistral_ai,
    "anthropic": E.external_ai_anthropic,
    "openai": E.external_ai_openai,
    "cohere": E.external_ai_cohere,
}


def ai_emission_type(provider: str) -> E:
    """The provider's own code ("Mistral AI" -> mistral_ai), or the "others" code."""
    key = "_".join(provider.casefold().replace("-", " ").split())
    return _AI_CODES.get(key, E.external_ai_others)


def external_cloud(
    type_id: int, data: Mapping[str, Any], year: int, index: FactorIndex
) -> list[EmissionRow]:
    """kg = spend converted to the factor's currency x ef, by provider and service type."""
    service, spent = read_text(data, SERVICE_TYPE), read_number(data, SPENT_AMOUNT)
    currency = read_text(data, CLOUD_CURRENCY)
    factor = index.lookup(
        type_id, year, {PROVIDER.name: read_text(data, PROVIDER), SERVICE_TYPE.name: service}
    )
    amount, meta = spend_in_factor_currency(spent, currency, factor, year)
    kg = amount * factor.number(EF_PER_CURRENCY)
    return [row(E[f"external_cloud_{service}"], kg, factor, **meta)]


def external_ai(
    type_id: int, data: Mapping[str, Any], year: int, index: FactorIndex
) -> list[EmissionRow]:
    """kg = requests per day x 5 days x 46 weeks x users x g per request / 1000."""
    provider = read_text(data, PROVIDER)
    requests = REQUESTS_BY_ANSWER[read_text(data, REQUESTS_PER_USER_PER_DAY)]
    users = read_number(data, USER_COUNT)
    factor = index.lookup(
        type_id, year, {PROVIDER.name: provider, USAGE_TYPE.name: read_text(data, USAGE_TYPE)}
    )
    grams = requests * DAYS_PER_WEEK * WEEKS_PER_YEAR * users * factor.number(EF_G_PER_REQUEST)
    return [row(ai_emission_type(provider), grams / 1000, factor)]
