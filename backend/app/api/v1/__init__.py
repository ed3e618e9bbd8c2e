"""Version 1 routers, collected under /api/v1."""

from fastapi import APIRouter

from app.api.responses import document_request_errors
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
    sync_preview,
    units,
    years,
)

api_router = APIRouter()
for _module in (
    health,
    auth,
    data_sync,
    sync_imports,
    sync_preview,
    units,
    carbon_reports,
    data_entries,
    factors,
    modules,
    reports,
    years,
):
    # Every operation validates its request and says what its parameters and body can get.
    document_request_errors(_module.router)
    api_router.include_router(_module.router)
