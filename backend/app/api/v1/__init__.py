"""Version 1 routers, collected under /api/v1."""

from fastapi import APIRouter

from app.api.responses import error_responses
from app.api.v1 import (
    auth,
    carbon_reports,
    data_entries,
    data_sync,
    factors,
    health,
    modules,
    reports,
    sync_imports,
    units,
    years,
)

# Every operation validates its request: 422 with the field errors when it does not match.
api_router = APIRouter(responses=error_responses(422))
api_router.include_router(health.router)
api_router.include_router(auth.router)
api_router.include_router(data_sync.router)
api_router.include_router(sync_imports.router)
api_router.include_router(units.router)
api_router.include_router(carbon_reports.router)
api_router.include_router(data_entries.router)
api_router.include_router(factors.router)
api_router.include_router(modules.router)
api_router.include_router(reports.router)
api_router.include_router(years.router)
