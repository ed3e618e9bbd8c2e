"""The rights the domain routers require: `view` for reads, `edit` for writes."""

from __future__ import annotations

from fastapi import Depends
from fastapi.params import Depends as DependsParam

from app.api.security import require_permission
from app.core.permissions import DATA_MANAGEMENT, Action

VIEW: list[DependsParam] = [Depends(require_permission(DATA_MANAGEMENT, Action.view))]
EDIT: list[DependsParam] = [Depends(require_permission(DATA_MANAGEMENT, Action.edit))]
