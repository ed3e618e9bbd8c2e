"""`GET /factors?year=[&data_entry_type_id=][&module_type_id=]`: stored factors, paginated."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.deps import SessionDep
from app.api.params import PaginationQuery, TypeFilterQuery, YearQuery
from app.api.responses import error_responses
from app.api.security import AUTH_RESPONSES
from app.api.v1._access import VIEW
from app.schemas.common import Page
from app.schemas.factors import FactorRead
from app.services.factor_service import FactorService

router = APIRouter(prefix="/factors", tags=["factors"], responses=AUTH_RESPONSES)


@router.get("", dependencies=VIEW, responses=error_responses(400))
async def list_factors(
    session: SessionDep, year: YearQuery, types: TypeFilterQuery, page: PaginationQuery
) -> Page[FactorRead]:
    """Factors of the year by type and classification; of one type, or of every type of a
    module, when given."""
    factors, total = await FactorService(session).list_page(
        year,
        module_type=types.module_type,
        data_entry_type=types.data_entry_type,
        limit=page.limit,
        offset=page.offset,
    )
    return Page[FactorRead](items=[FactorRead.model_validate(f) for f in factors], total=total)
