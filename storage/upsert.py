"""INSERT ... ON CONFLICT for the two backends we run on, so concurrent first writes never fail."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

_INSERTS: dict[str, Any] = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def dialect_insert(dialect: str, table: Any) -> Any:
    """The dialect's own INSERT (it has ``on_conflict_do_*``) for a table or mapped class."""
    if dialect not in _INSERTS:
        raise ValueError(f"the bot supports SQLite and PostgreSQL, not {dialect}")
    return _INSERTS[dialect](table)


def insert_for(session: AsyncSession, table: Any) -> Any:
    """``dialect_insert`` for the database ``session`` is bound to."""
    return dialect_insert(session.get_bind().dialect.name, table)


async def insert_or_ignore(
    session: AsyncSession, table: Table, values: dict[str, Any], conflict_columns: list[str]
) -> bool:
    """Insert a row unless one with the same conflict columns exists; True when this call inserted it."""
    statement = insert_for(session, table).values(**values).on_conflict_do_nothing(index_elements=conflict_columns)
    result = await session.execute(statement)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def insert_or_update(
    session: AsyncSession, table: Table, values: dict[str, Any], conflict_columns: list[str], update_columns: list[str]
) -> None:
    """Insert a row, or update ``update_columns`` of the existing one."""
    statement = insert_for(session, table).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=conflict_columns,
        set_={column: statement.excluded[column] for column in update_columns},
    )
    await session.execute(statement)
