"""Units: create one or many (codes are unique), list them, find one by code."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import BadRequest, Conflict, NotFound
from app.core.wording import agree
from app.models import Unit
from app.repositories.unit_repo import UnitRepository
from app.schemas.units import UnitCreate


def _duplicate(code: str) -> Conflict:
    return Conflict(
        f"a unit with institutional_code {code!r} already exists; codes are unique",
        institutional_code=code,
    )


def _listed(codes: list[str], shown: int = 10) -> str:
    more = f" and {len(codes) - shown} more" if len(codes) > shown else ""
    return ", ".join(map(repr, codes[:shown])) + more


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

    async def create_many(self, bodies: list[UnitCreate]) -> list[Unit]:
        """Add all these units or none: a code given twice, or one that exists, is refused
        (BadRequest, Conflict) naming the codes."""
        codes = [body.institutional_code for body in bodies]
        repeated = sorted({code for code in codes if codes.count(code) > 1})
        if repeated:
            raise BadRequest(
                f"institutional_code given more than once: {_listed(repeated)}; codes are unique"
            )
        existing = sorted(await self.units.map_ids_by_institutional_codes(codes))
        if existing:
            raise Conflict(
                f"{agree(len(existing), 'unit')} with institutional_code {_listed(existing)} "
                f"already {agree(len(existing), 'exists', 'exist')}; nothing imported",
                institutional_codes=existing,
            )
        units = [self.units.add(Unit(**body.model_dump(), is_active=True)) for body in bodies]
        try:
            await self.session.flush()
        except IntegrityError:
            raise Conflict("a unit of the file was created meanwhile; nothing imported") from None
        return units

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
