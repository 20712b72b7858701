"""INSERT ... ON CONFLICT for the two backends we run on, so concurrent first writes never fail."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def _insert(session: AsyncSession, table: Table) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"no upsert for the {dialect} dialect")  # we support SQLite and PostgreSQL


async def insert_or_ignore(
    session: AsyncSession, table: Table, values: dict[str, Any], conflict_columns: list[str]
) -> bool:
    """Insert a row unless one with the same conflict columns exists; True when this call inserted it."""
    statement = _insert(session, table).values(**values).on_conflict_do_nothing(index_elements=conflict_columns)
    result = await session.execute(statement)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def insert_or_update(
    session: AsyncSession, table: Table, values: dict[str, Any], conflict_columns: list[str], update_columns: list[str]
) -> None:
    """Insert a row, or update ``update_columns`` of the existing one."""
    statement = _insert(session, table).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=conflict_columns,
        set_={column: statement.excluded[column] for column in update_columns},
    )
    await session.execute(statement)
