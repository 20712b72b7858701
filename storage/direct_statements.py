"""Core statements of the busiest turns, run by sqlite3 itself on the bot's SQLite connection.

A turn's statements are indexed look-ups and single-row writes that SQLite runs in a few microseconds, but each
``Connection.execute`` also builds an execution context, looks its compiled form up in the cache, makes the
parameter dictionary, processes it, makes a cursor and a ``CursorResult`` with its metadata: 50-70 us a statement,
most of an install turn's database CPU (its four statements cost 48 us in sqlite3, 330 us through ``execute``).

:class:`DirectStatement` wraps a statement built once. On the loop-thread SQLite connection
(``storage/sqlite_on_loop.py``) it compiles the statement once per set of parameter names, then each run binds
the parameters in order through the statement's own types' processors, calls sqlite3, and converts the rows
through the result columns' processors: the same SQL, the same values in and out as ``execute``. Errors go
through the connection's own handling (wrapped as ``DBAPIError``, so ``classroom.transactions`` retries a busy
database as before). Anything else runs through ``connection.execute``: PostgreSQL, a connection, engine or
dialect with event listeners (tests that count statements), echo or a schema map, and statements the shortcut does
not cover (Python-side column defaults, expanding ``IN`` parameters or literal ones the caller gives, implicit
RETURNING). Statements written with mapped classes' attributes are covered: on a ``Connection`` their rows are
plain rows either way. Built ``named``, a statement's rows are named tuples of its columns' keys (attribute
access, as ``Row``'s), either way.

Written against SQLAlchemy 2.1.9: ``tests/storage/test_direct_statements.py`` fails loudly if the compiled form's
attributes read here (``binds``, ``insert_prefetch``, ``_result_columns``...) or the private ``Connection`` calls
(``_has_events``, ``_echo``, ``_execution_options``, ``_handle_dbapi_exception``) change.
"""

from __future__ import annotations

import sqlite3
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.compiler import SQLCompiler

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
        driver = direct_driver(connection)
        if driver is None:
            return self._through_sqlalchemy(connection, parameters)
        dialect = connection.dialect
        shapes = _compiled_on(dialect).get(self)
        if shapes is None:
            shapes = _compiled_on(dialect)[self] = {}
        names = frozenset(parameters)
        if names in shapes:
            compiled = shapes[names]
        else:
            compiled = shapes[names] = _compile(self.statement, dialect, sorted(names))
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

    def _through_sqlalchemy(self, connection: Connection, parameters: Mapping[str, Any]) -> DirectResult:
        result = connection.execute(self.statement, dict(parameters))
        rows = list(map(self._row or tuple, result)) if result.returns_rows else []
        return DirectResult(rows, result.rowcount)


def direct_driver(connection: Connection) -> sqlite3.Connection | None:
    """The sqlite3 connection a :class:`DirectStatement` runs on directly over ``connection``; None when it runs
    through ``connection.execute`` instead (see the module's notes: PostgreSQL, event listeners, echo, a schema map).
    For a caller choosing between a statement only this shortcut runs cheaply (one SQLAlchemy cannot cache) and one
    it can."""
    driver = loop_thread_sqlite(connection)
    if driver is None or connection._has_events or connection.engine._has_events or connection.dialect._has_events:
        return None
    if connection._echo or connection._execution_options.get("schema_translate_map"):
        return None
    return driver


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


def _compile(statement: Executable, dialect: Dialect, names: Sequence[str]) -> _Compiled | None:
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
    # The result columns' types, as ``CursorResult`` converts them (sqlite3 describes no column types: None).
    processors = tuple(
        column.type.dialect_impl(dialect).result_processor(dialect, None) for column in compiled._result_columns
    )
    return _Compiled(expanded.statement, tuple(binds), processors if any(processors) else None)


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
