"""Queries on units."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select

from app.models import Unit
from app.repositories.base import Repository


class UnitRepository(Repository[Unit]):
    model = Unit

    async def get_by_institutional_code(self, code: str) -> Unit | None:
        return await self.get_one_or_none(select(Unit).where(Unit.institutional_code == code))

    async def map_by_institutional_codes(self, codes: Collection[str]) -> dict[str, Unit]:
        """Units of the given codes, by code (an import resolves a whole file in one query)."""
        if not codes:
            return {}
        units = await self.get_all(select(Unit).where(Unit.institutional_code.in_(set(codes))))
        return {unit.institutional_code: unit for unit in units}

    async def list_page(
        self, *, limit: int, offset: int, active_only: bool = False
    ) -> tuple[list[Unit], int]:
        statement = select(Unit).order_by(Unit.institutional_code, Unit.id)
        if active_only:
            statement = statement.where(Unit.is_active.is_(True))
        return await self.paginate(statement, limit=limit, offset=offset)
