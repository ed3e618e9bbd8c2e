"""The few generic queries every repository shares: one-or-none, paginate."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from sqlalchemy import Select, Table, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.base import Base

ModelT = TypeVar("ModelT", bound=Base)


class Repository(Generic[ModelT]):
    """Base of the repositories of one model; subclasses add named queries."""

    model: type[ModelT]

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_by_id(self, id_: Any) -> ModelT | None:
        return await self.session.get(self.model, id_)

    async def get_one_or_none(self, statement: Select[ModelT]) -> ModelT | None:
        return (await self.session.execute(statement)).scalars().unique().one_or_none()

    async def get_all(self, statement: Select[ModelT]) -> list[ModelT]:
        return list((await self.session.execute(statement)).scalars().unique().all())

    async def paginate(
        self, statement: Select[ModelT], *, limit: int, offset: int
    ) -> tuple[list[ModelT], int]:
        """One page of `statement` (which must be ordered) and the total row count."""
        count_statement = select(func.count()).select_from(
            statement.order_by(None).options().subquery()
        )
        total = (await self.session.execute(count_statement)).scalar_one()
        items = await self.get_all(statement.limit(limit).offset(offset))
        return items, total

    def add(self, obj: ModelT) -> ModelT:
        self.session.add(obj)
        return obj


def insert_for(session: AsyncSession, table: Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT supporting ON CONFLICT on the session's database (both dialects have it)."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def table_of(model: type[Base]) -> Table:
    """The Core table of a model, for set-based statements (executemany, ON CONFLICT)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table
