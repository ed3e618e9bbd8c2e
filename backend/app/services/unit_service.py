"""Units: create one (its code is unique), list them, find one by code."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Conflict, NotFound
from app.models import Unit
from app.repositories.unit_repo import UnitRepository
from app.schemas.units import UnitCreate


def _duplicate(code: str) -> Conflict:
    return Conflict(
        f"a unit with institutional_code {code!r} already exists; codes are unique",
        institutional_code=code,
    )


class UnitService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.units = UnitRepository(session)

    async def create(self, body: UnitCreate) -> Unit:
        """Add a unit; Conflict naming the code when it is taken (also by a concurrent create)."""
        if await self.units.get_by_institutional_code(body.institutional_code) is not None:
            raise _duplicate(body.institutional_code)
        unit = self.units.add(Unit(**body.model_dump(), is_active=True))
        try:
            await self.session.flush()
        except IntegrityError:
            # Lost a race against another request creating the same code.
            raise _duplicate(body.institutional_code) from None
        return unit

    async def list_page(self, *, limit: int, offset: int) -> tuple[list[Unit], int]:
        return await self.units.list_page(limit=limit, offset=offset)

    async def get_by_code(self, code: str) -> Unit:
        """The unit with this institutional code; NotFound naming the code otherwise."""
        unit = await self.units.get_by_institutional_code(code)
        if unit is None:
            raise NotFound(
                f"no unit has institutional_code {code!r}; create it with POST /api/v1/units",
                institutional_code=code,
            )
        return unit
