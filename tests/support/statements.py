"""The SQL statements a piece of code runs, for tests that pin how many it takes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.ext.asyncio import AsyncEngine


@contextmanager
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """Every statement ``engine`` runs while inside, in order."""
    seen: list[str] = []

    def on_statement(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", on_statement)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", on_statement)


@contextmanager
def through_execute() -> Iterator[list[Any]]:
    """Every statement run through ``Connection.execute`` while inside (none, for ``DirectStatement``'s shortcut)."""
    seen: list[Any] = []
    execute = Connection.execute

    def recorded(self: Connection, statement: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(statement)
        return execute(self, statement, *args, **kwargs)

    Connection.execute = recorded  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        Connection.execute = execute  # type: ignore[method-assign]
