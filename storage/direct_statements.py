"""Core statements of the busiest turns, run by the driver itself: sqlite3 on the bot's SQLite connection, asyncpg's
prepared statements on PostgreSQL.

A turn's statements are indexed look-ups and single-row writes that SQLite runs in a few microseconds, but each
``Connection.execute`` also builds an execution context, looks its compiled form up in the cache, makes the
parameter dictionary, processes it, makes a cursor and a ``CursorResult`` with its metadata: 50-70 us a statement,
most of an install turn's database CPU (its four statements cost 48 us in sqlite3, 330 us through ``execute``).

:class:`DirectStatement` wraps a statement built once. On the loop-thread SQLite connection
(``storage/sqlite_on_loop.py``) it compiles the statement once per set of parameter names, then each run binds
the parameters in order through the statement's own types' processors, calls sqlite3, and converts the rows
through the result columns' processors: the same SQL, the same values in and out as ``execute``. Errors go
through the connection's own handling (wrapped as ``DBAPIError``, so ``classroom.transactions`` retries a busy
database as before).

On PostgreSQL (SQLAlchemy's asyncpg dialect) each run does what the dialect's cursor does for ``execute``, without
the rest of ``execute``'s work (its context, parameter dictionaries, ``CursorResult``, ``Row``s: about half of a
statement's CPU in the bot): under the adapted connection's lock, BEGIN if the transaction has not begun (as the
cursor begins it), the statement prepared once per connection (the dialect's own cache of prepared statements,
shared with ``execute``), fetched with the values bound in order, the rows converted by the result columns'
processors for the column types the server describes; its errors translated and wrapped as the cursor's and
``execute``'s are (so a deadlock is retried, and a connection the server dropped is invalidated). INSERTs compile
without the implicit RETURNING of the new primary key (``DirectResult`` has none to give).

Anything else runs through ``connection.execute``: another driver, listeners for statements on the connection, its
engine or dialect (tests that count statements), echo or a schema map (on PostgreSQL, any execution option but the
isolation level), and statements the shortcut does not cover (Python-side column defaults, expanding ``IN``
parameters or literal ones the caller gives; on SQLite, implicit RETURNING). Statements written with mapped classes'
attributes are covered: on a ``Connection`` their rows are plain rows either way. Built ``named``, a statement's rows
are named tuples of its columns' keys (attribute access, as ``Row``'s), either way.

Written against SQLAlchemy 2.1.9: ``tests/storage/test_direct_statements.py`` fails loudly if the compiled form's
attributes read here (``binds``, ``insert_prefetch``, ``_result_columns``...), the private ``Connection`` calls
(``_has_events``, ``_echo``, ``_execution_options``, ``_handle_dbapi_exception``) or the asyncpg dialect's (its
connection's ``_execute_mutex``, ``_start_transaction``, ``_prepare``, ``_handle_exception``) change.
"""

from __future__ import annotations

import re
import sqlite3
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import Connection, Insert
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_connection
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.types import TypeEngine
from sqlalchemy.util.concurrency import await_

from storage.sqlite_on_loop import loop_thread_sqlite

Processor = Callable[[Any], Any]


class DirectResult(NamedTuple):
    """What a statement returned: its rows as tuples, named ones for a statement built ``named`` (none for a
    statement without RETURNING), and the rows it changed (the driver's ``rowcount``: -1 for a read)."""

    rows: list[Any]
    rowcount: int


@dataclass(frozen=True)
class _Compiled:
    """A statement compiled for one dialect and one set of parameter names: what each run needs, worked out once."""

    sql: str
    # Per ``?`` in order: the caller's parameter name, the statement's value otherwise, its bind processor.
    binds: tuple[tuple[str, Any, Processor | None], ...]
    results: tuple[Processor | None, ...] | None  # per result column; None when no column needs converting
    # PostgreSQL: the result columns' types, and their processors per column types (oids) the server describes.
    result_types: tuple[TypeEngine[Any], ...] = ()
    results_by_oids: dict[tuple[int, ...], tuple[Processor | None, ...] | None] = field(default_factory=dict)


class DirectStatement:
    """A Core statement (built once, at import) that runs on sqlite3 directly where it can (see the module's
    notes); ``execute`` returns the same rows and row count as ``connection.execute`` would."""

    __slots__ = ("_row", "statement")

    def __init__(self, statement: Executable, *, named: bool = False) -> None:
        """``named``: rows as named tuples of the statement's column keys (each a name a tuple's field can have)."""
        self.statement = statement
        self._row: Callable[[Any], tuple[Any, ...]] | None = None
        if named:
            keys = statement.exported_columns.keys()  # type: ignore[attr-defined]
            try:
                self._row = namedtuple("Row", keys)._make  # type: ignore[attr-defined]
            except ValueError as error:  # an anonymous label (``_no_label``), a keyword: say which statement
                raise ValueError(f"label the columns of a named DirectStatement: {list(keys)}") from error

    def execute(self, connection: Connection, parameters: Mapping[str, Any]) -> DirectResult:
        if not _runs_directly(connection):
            return self._through_sqlalchemy(connection, parameters)
        dialect = connection.dialect
        dbapi_connection = connection.connection.dbapi_connection
        if isinstance(dbapi_connection, AsyncAdapt_asyncpg_connection):
            return self._on_asyncpg(connection, dbapi_connection, parameters)
        driver = loop_thread_sqlite(connection)
        if driver is None:
            return self._through_sqlalchemy(connection, parameters)
        compiled = self._compiled(dialect, parameters)
        if compiled is None:
            return self._through_sqlalchemy(connection, parameters)
        if not connection.in_transaction():
            connection.begin()  # as ``execute`` begins one (SQLAlchemy's autobegin; SQLite itself waits for a write)
        try:
            cursor = driver.execute(compiled.sql, _bound(compiled, parameters))
            rows = cursor.fetchall() if cursor.description else []
        except Exception as error:  # noqa: BLE001 - wrapped (or raised as it is) exactly as ``execute`` does
            connection._handle_dbapi_exception(error, compiled.sql, parameters, None, None)
        if compiled.results is not None and rows:
            rows = [_converted(row, compiled.results) for row in rows]
        if self._row is not None and rows:
            rows = list(map(self._row, rows))
        return DirectResult(rows, cursor.rowcount)

    def _on_asyncpg(
        self, connection: Connection, adapted: AsyncAdapt_asyncpg_connection, parameters: Mapping[str, Any]
    ) -> DirectResult:
        if connection._execution_options.keys() - _PLAIN_OPTIONS:  # server-side cursors, ...: ``execute``'s own
            return self._through_sqlalchemy(connection, parameters)
        dialect = connection.dialect
        compiled = self._compiled(dialect, parameters)
        if compiled is None:
            return self._through_sqlalchemy(connection, parameters)
        if not connection.in_transaction():
            connection.begin()  # SQLAlchemy's autobegin, as ``execute``'s (the driver's BEGIN comes with the statement)
        try:
            values = _bound(compiled, parameters)
            attributes, records, status = await_(
                _fetch(adapted, compiled.sql, values, dialect._invalidate_schema_cache_asof)  # type: ignore[attr-defined]
            )
        except BaseException as error:  # noqa: BLE001 - a cancelled turn too: ``execute`` invalidates the connection then
            dbapi = dialect.loaded_dbapi
            if isinstance(error, (dbapi.InvalidCachedStatementError, dbapi.InternalServerError)):
                dialect._invalidate_schema_cache()  # type: ignore[attr-defined] # as the dialect's execution context does
            connection._handle_dbapi_exception(error, compiled.sql, parameters, None, None)
        rows: list[Any] = []
        if records:
            processors = _processors_for(compiled, dialect, attributes)
            converted = records if processors is None else [_converted(record, processors) for record in records]
            rows = list(map(self._row or tuple, converted))
        matched = _ROW_COUNT.match(status or "")
        return DirectResult(rows, int(matched.group(1)) if matched else -1)

    def _compiled(self, dialect: Dialect, parameters: Mapping[str, Any]) -> _Compiled | None:
        shapes = _compiled_on(dialect).get(self)
        if shapes is None:
            shapes = _compiled_on(dialect)[self] = {}
        names = frozenset(parameters)
        if names in shapes:
            return shapes[names]
        compiled = shapes[names] = _compile(self.statement, dialect, sorted(names))
        return compiled

    def _through_sqlalchemy(self, connection: Connection, parameters: Mapping[str, Any]) -> DirectResult:
        result = connection.execute(self.statement, dict(parameters))
        rows = list(map(self._row or tuple, result)) if result.returns_rows else []
        return DirectResult(rows, result.rowcount)


def _compiled_on(dialect: Dialect) -> dict[DirectStatement, dict[frozenset[str], _Compiled | None]]:
    """The statements compiled for ``dialect`` (an engine's: its JSON serialiser is in the processors), each per set
    of parameter names (an INSERT compiles to the columns given); None: that shape runs through ``execute``.

    Kept on the dialect, so they go with its engine: the processors hold the dialect, so a cache beside it, even
    a weak one, would keep every engine's dialect alive.
    """
    compiled: dict[DirectStatement, dict[frozenset[str], _Compiled | None]] | None = getattr(dialect, _ON_DIALECT, None)
    if compiled is None:
        compiled = {}
        setattr(dialect, _ON_DIALECT, compiled)
    return compiled


_ON_DIALECT = "_classroom_direct_statements"


# The connection events ``execute`` fires for a statement (``handle_error`` fires here too, through the connection's
# own error handling; ``begin`` and ``commit`` fire as they do anyway).
_EXECUTION_EVENTS = ("before_execute", "after_execute", "before_cursor_execute", "after_cursor_execute")


def direct_driver(connection: Connection) -> sqlite3.Connection | None:
    """The sqlite3 connection a :class:`DirectStatement` runs on directly over ``connection``; None when it does not
    (PostgreSQL's path, or through ``connection.execute``: see the module's notes). For a caller choosing between a
    statement only this shortcut runs cheaply (one SQLAlchemy cannot cache) and one it can."""
    return loop_thread_sqlite(connection) if _runs_directly(connection) else None


def _runs_directly(connection: Connection) -> bool:
    """Whether nothing ``execute`` would add is asked for: no listener for statements, no echo, no schema map, and
    no transaction that ``execute`` would refuse to run in (one whose savepoint failed: PendingRollbackError)."""
    if connection.dialect._has_events or _execution_listened(connection):
        return False
    for transaction in (connection._transaction, connection._nested_transaction):  # both, as ``execute`` checks
        if transaction is not None and not transaction.is_active:
            return False
    return not (connection._echo or connection._execution_options.get("schema_translate_map"))


def _execution_listened(connection: Connection) -> bool:
    """Whether anything listens for ``connection``'s statements (on it, its engine, or the engine it was made from).

    Not the engine's ``_has_events`` alone: an engine made with ``execution_options(isolation_level=...)`` (the
    AUTOCOMMIT reads of ``classroom.transactions.read_sessions``) has a listener of its own, which sets the level
    when a connection is made and sees no statement; by that flag every read on it would run through ``execute``.
    """
    if not (connection._has_events or connection.engine._has_events):
        return False
    dispatch = connection.dispatch  # joined with the engine's (and an option engine's with the engine's it copies)
    return any(getattr(dispatch, name) for name in _EXECUTION_EVENTS)


# Execution options that change nothing ``_on_asyncpg`` does (AUTOCOMMIT reads set the isolation level).
_PLAIN_OPTIONS = frozenset({"isolation_level"})
# The row count in a command's status, read as the dialect's cursor reads it.
_ROW_COUNT = re.compile(r"(?:SELECT|UPDATE|DELETE|INSERT \d+) (\d+)")


async def _fetch(
    adapted: AsyncAdapt_asyncpg_connection, sql: str, values: tuple[Any, ...], invalidated_at: float
) -> tuple[Any, list[Any], str | None]:
    """What the dialect's cursor does for one statement (``AsyncAdapt_asyncpg_cursor._prepare_and_execute``): the
    column attributes, the rows and the command's status."""
    async with adapted._execute_mutex:
        if adapted._transaction is None:
            await adapted._start_transaction()  # nothing for AUTOCOMMIT; errors translated there
        try:
            prepared, attributes = await adapted._prepare(sql, invalidated_at)
            records = await prepared.fetch(*values)
        except Exception as error:  # noqa: BLE001 - raised translated to the dialect's DBAPI errors
            adapted._handle_exception(error)
        return attributes, records, prepared.get_statusmsg()


def _processors_for(compiled: _Compiled, dialect: Dialect, attributes: Any) -> tuple[Processor | None, ...] | None:
    """The result processors for the column types the server described, as ``CursorResult`` picks them."""
    if not compiled.result_types:  # textual SQL: no column types to convert by, as ``CursorResult`` has none
        return None
    oids = tuple(attribute.type.oid for attribute in attributes)
    try:
        return compiled.results_by_oids[oids]
    except KeyError:
        pass
    if len(oids) != len(compiled.result_types):
        raise RuntimeError(f"{len(oids)} columns came back for {len(compiled.result_types)}: {compiled.sql}")
    processors = tuple(
        kind._cached_result_processor(dialect, oid) for kind, oid in zip(compiled.result_types, oids, strict=True)
    )
    found = compiled.results_by_oids[oids] = processors if any(processors) else None
    return found


def _compile(statement: Executable, dialect: Dialect, names: Sequence[str]) -> _Compiled | None:
    if dialect.name == "postgresql" and isinstance(statement, Insert) and not statement._returning:
        statement = statement.inline()  # no implicit RETURNING of the new key: a DirectResult has none to give
    compiled = statement.compile(dialect=dialect, column_keys=list(names))  # type: ignore[attr-defined]
    if not _covered(statement, compiled, names):
        return None
    # Literal parameters the statement fixes (``aggregate_strings``' separator) rendered into the SQL once, as
    # ``execute`` renders them on every run; the caller's values are placeholders here, still ``?`` in the SQL.
    expanded = compiled.construct_expanded_state(dict.fromkeys(names))
    binds = []
    for name in expanded.positiontup or ():
        bind = compiled.binds[name]
        binds.append((bind.key, bind.value, bind.type.dialect_impl(dialect).bind_processor(dialect)))
    types = tuple(column.type for column in compiled._result_columns)
    if dialect.name != "sqlite":  # PostgreSQL's are chosen by the column types the server reports (``_on_asyncpg``)
        return _Compiled(expanded.statement, tuple(binds), None, types)
    # The result columns' types, as ``CursorResult`` converts them (sqlite3 describes no column types: None).
    processors = tuple(
        column.type.dialect_impl(dialect).result_processor(dialect, None) for column in compiled._result_columns
    )
    return _Compiled(expanded.statement, tuple(binds), processors if any(processors) else None, types)


def _covered(statement: Executable, compiled: Any, names: Sequence[str]) -> bool:
    """Whether running the compiled string with bound values is all ``execute`` would do for its statement."""
    literal = compiled.literal_execute_params | compiled.post_compile_params
    return (
        isinstance(compiled, SQLCompiler)
        and compiled.positional
        and not statement._execution_options
        and not compiled.insert_prefetch  # Python-side column defaults, computed per execution
        and not compiled.update_prefetch
        and not any(bind.expanding or bind.key in names for bind in literal)  # rendered per execution
        and not compiled.implicit_returning  # RETURNING added for the primary key
        and not compiled.for_executemany
        # a value computed per run, or one missing (``execute`` refuses it with its own error)
        and not any(bind.callable or (bind.required and bind.key not in names) for bind in compiled.binds.values())
    )


def _bound(compiled: _Compiled, parameters: Mapping[str, Any]) -> tuple[Any, ...]:
    values = []
    for key, default, process in compiled.binds:
        value = parameters.get(key, default)
        values.append(value if process is None else process(value))
    return tuple(values)


def _converted(row: tuple[Any, ...], processors: tuple[Processor | None, ...]) -> tuple[Any, ...]:
    return tuple(value if process is None else process(value) for value, process in zip(row, processors, strict=True))
