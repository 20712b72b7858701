"""Serialise changes to one run's places: the lock every enrolment change takes before it counts places.

PostgreSQL locks the run's row (``SELECT … FOR UPDATE``): a second transaction changing the same run waits
until the first commits, then counts again and sees its seat. SQLite has one writer at a time and no row
locks; a no-op write to the run takes that write lock for the rest of the transaction, so the count that
follows cannot be overtaken. (The pysqlite driver starts the transaction at the first write, so no read
taken earlier can go stale and turn the lock into a "busy snapshot" error.)
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.errors import NotFound
from storage.direct_statements import DirectStatement
from storage.models import CourseRun

# Built once (every enrolment change takes the lock): on the table, so they run as plain Core statements.
_RUNS = CourseRun.__table__.c
_LOCK_ROW = select(_RUNS.id).where(_RUNS.id == bindparam("run_id")).with_for_update()
_NO_OP_WRITE = (
    update(CourseRun.__table__)  # type: ignore[arg-type]
    .where(_RUNS.id == bindparam("run_id"))
    .values(capacity=_RUNS.capacity)
)
_NO_OP_WRITE_ON = DirectStatement(_NO_OP_WRITE)


async def lock_run(session: AsyncSession, run_id: int) -> None:
    """Take the run's lock in the caller's transaction (held until it commits or rolls back).

    On the session's connection, so objects added to the session and not yet flushed are flushed by the session's
    next query, after the lock, not before: a caller reading them with Core on the connection flushes first."""
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        found = await connection.scalar(_LOCK_ROW, {"run_id": run_id})
    else:
        result = await connection.execute(_NO_OP_WRITE, {"run_id": run_id})
        found = run_id if result.rowcount else None
    if found is None:
        raise NotFound(f"no run with id {run_id}")


def lock_run_on(connection: Connection, run_id: int) -> None:
    """:func:`lock_run` from synchronous code, on the connection of the caller's transaction (SQLite's no-op write
    on sqlite3 directly where it can: ``DirectStatement``)."""
    if connection.dialect.name == "postgresql":
        found = connection.execute(_LOCK_ROW, {"run_id": run_id}).scalar()
    else:
        found = run_id if _NO_OP_WRITE_ON.execute(connection, {"run_id": run_id}).rowcount else None
    if found is None:
        raise NotFound(f"no run with id {run_id}")


def read_under_lock_on(connection: Connection, read: DirectStatement, aad_object_id: str, run_id: int) -> Any:
    """The run's lock taken (:func:`lock_run_on`), then ``read``'s one row of the person (``aad_object_id``) on the
    run (``run_id``): what a step decides on. None when the run was removed since the catalogue was kept in memory,
    or the read finds no row: the caller's other way then."""
    try:
        lock_run_on(connection, run_id)
    except NotFound:
        return None
    rows = read.execute(connection, {"aad_object_id": aad_object_id, "run_id": run_id}).rows
    return rows[0] if rows else None
