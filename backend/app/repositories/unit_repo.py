"""Queries on units."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import delete, insert, select

from app.models import Unit
from app.repositories.base import Repository, table_of

# Codes per IN (...) list when mapping codes to ids.
_CODE_CHUNK = 500


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

    async def map_ids_by_institutional_codes(self, codes: Collection[str]) -> dict[str, int]:
        """Unit id by institutional code, for the codes that exist (no ORM objects loaded)."""
        found: dict[str, int] = {}
        code_list = sorted(set(codes))
        for start in range(0, len(code_list), _CODE_CHUNK):
            rows = await self.session.execute(
                select(Unit.institutional_code, Unit.id).where(
                    Unit.institutional_code.in_(code_list[start : start + _CODE_CHUNK])
                )
            )
            found.update({code: unit_id for code, unit_id in rows})
        return found

    async def insert_many(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert units with one executemany (keys: institutional_code, name, label_fr,
        label_en, parent_institutional_code, is_active)."""
        if rows:
            await self.session.execute(insert(table_of(Unit)), list(rows))

    async def delete_by_ids(self, unit_ids: Collection[int]) -> None:
        """Delete these units; their reports must be gone first (the foreign key restricts)."""
        await self.session.execute(delete(Unit).where(Unit.id.in_(set(unit_ids))))

    async def list_page(
        self, *, limit: int, offset: int, active_only: bool = False
    ) -> tuple[list[Unit], int]:
        statement = select(Unit).order_by(Unit.institutional_code, Unit.id)
        if active_only:
            statement = statement.where(Unit.is_active.is_(True))
        return await self.paginate(statement, limit=limit, offset=offset)
