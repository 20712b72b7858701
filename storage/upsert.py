"""INSERT ... ON CONFLICT for the two backends we run on, so concurrent first writes never fail."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.direct_statements import DirectStatement

_INSERTS: dict[str, Any] = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def dialect_insert(dialect: str, table: Any) -> Any:
    """The dialect's own INSERT (it has ``on_conflict_do_*``) for a table or mapped class."""
    if dialect not in _INSERTS:
        raise ValueError(f"the bot supports SQLite and PostgreSQL, not {dialect}")
    return _INSERTS[dialect](table)


def insert_for(session: AsyncSession, table: Any) -> Any:
    """``dialect_insert`` for the database ``session`` is bound to."""
    return dialect_insert(session.get_bind().dialect.name, table)


# Insert-or-ignore statements by (dialect, table, inserted columns, conflict columns), their values bound as
# parameters: built once per shape rather than on every call (a reminder planned, a person met, a run's key made).
_IGNORES: dict[tuple[str, Table, tuple[str, ...], tuple[str, ...]], Any] = {}


def _ignore_statement(dialect: str, table: Table, columns: tuple[str, ...], conflict_columns: tuple[str, ...]) -> Any:
    key = (dialect, table, columns, conflict_columns)
    statement = _IGNORES.get(key)
    if statement is None:
        values = {column: bindparam(column, type_=table.c[column].type) for column in columns}
        insert = dialect_insert(dialect, table).values(values)
        statement = insert.on_conflict_do_nothing(index_elements=conflict_columns)
        _IGNORES[key] = statement
    return statement


async def insert_or_ignore(
    session: AsyncSession, table: Table, values: dict[str, Any], conflict_columns: list[str]
) -> bool:
    """Insert a row unless one with the same conflict columns exists; True when this call inserted it."""
    statement = _ignore_statement(session.get_bind().dialect.name, table, tuple(values), tuple(conflict_columns))
    result = await session.execute(statement, values)
    return bool(result.rowcount)  # type: ignore[attr-defined]


def insert_or_ignore_on(
    connection: Connection, table: Table, values: dict[str, Any], conflict_columns: list[str]
) -> bool:
    """:func:`insert_or_ignore` from synchronous code, on the connection of a caller's transaction."""
    statement = _ignore_statement(connection.dialect.name, table, tuple(values), tuple(conflict_columns))
    return bool(connection.execute(statement, values).rowcount)


# Upsert statements by (dialect, table, conflict columns, updated columns): building one anew on every call cost
# more than running it (``excluded`` builds an alias of the table, column by column).
_UPSERTS: dict[tuple[str, Table, tuple[str, ...], tuple[str, ...]], DirectStatement] = {}


def direct_upsert(
    dialect: str, table: Table, conflict_columns: list[str], update_columns: list[str]
) -> DirectStatement:
    """The dialect's upsert of ``table`` (built once per shape), to run from synchronous code on a transaction's
    connection (``storage/direct_statements.py``); :func:`insert_or_update` runs it in a session."""
    key = (dialect, table, tuple(conflict_columns), tuple(update_columns))
    statement = _UPSERTS.get(key)
    if statement is None:
        insert = dialect_insert(dialect, table)
        statement = DirectStatement(
            insert.on_conflict_do_update(
                index_elements=conflict_columns,
                set_={column: insert.excluded[column] for column in update_columns},
            )
        )
        _UPSERTS[key] = statement
    return statement


async def insert_or_update(
    session: AsyncSession, table: Table, values: dict[str, Any], conflict_columns: list[str], update_columns: list[str]
) -> None:
    """Insert a row, or update ``update_columns`` of the existing one."""
    upsert = direct_upsert(session.get_bind().dialect.name, table, conflict_columns, update_columns)
    await session.execute(upsert.statement, values)
