"""Version 1 routers, collected under /api/v1."""

from fastapi import APIRouter

from app.api.v1 import auth, data_sync, health

api_router = APIRouter()
api_router.include_router(health.router)
api_router.include_router(auth.router)
api_router.include_router(data_sync.router)
