"""`GET /modules`: module types with their data entry types (ids and names), for the page."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.security import AUTH_RESPONSES
from app.api.v1._access import VIEW
from app.schemas.common import Page
from app.schemas.modules import ModuleTypeRead
from app.services.module_catalog_service import list_module_types

router = APIRouter(prefix="/modules", tags=["modules"], responses=AUTH_RESPONSES)


@router.get("", dependencies=VIEW)
async def list_modules() -> Page[ModuleTypeRead]:
    """The 8 module types by id, each with its data entry types; the ids never change."""
    modules = list_module_types()
    return Page[ModuleTypeRead](items=modules, total=len(modules))
