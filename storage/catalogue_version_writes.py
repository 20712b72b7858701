"""Whether the current transaction has bumped the catalogue version itself.

A transaction sees its own writes before anyone else, and they may never be committed: rolled back, the version
number it read goes to the next real change. So a copy of the catalogue read there must not outlive it
(``classroom/catalogue/snapshot.py``). Asked only when a copy is built, so its cost is no concern.

PostgreSQL: the version row's ``xmin`` is this transaction's id (assigned at its first write). The bot opens no
savepoints; a row changed under one would carry the savepoint's id and pass for committed.
SQLite: pysqlite opens a transaction at the first write (SQLAlchemy's dialect keeps that), so a connection with
none open has written nothing; one with a transaction open holds the file's only write lock, so the number
another connection reads is the committed one, and a different one here is this transaction's own.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage.engine import sqlite_file
from storage.sqlite_on_loop import BUSY_TIMEOUT_SECONDS

_WRITTEN_HERE = text("SELECT xmin = pg_current_xact_id_if_assigned()::xid FROM catalogue_version WHERE id = 1")
_COMMITTED = "SELECT version FROM catalogue_version WHERE id = 1"


async def bumped_here(database: AsyncSession | AsyncConnection, version: int) -> bool:
    """True when ``version``, read in ``database``'s transaction, may be this transaction's own (uncommitted)."""
    connection = await database.connection() if isinstance(database, AsyncSession) else database
    if connection.dialect.name == "postgresql":
        return bool(await connection.scalar(_WRITTEN_HERE))
    driver = (await connection.get_raw_connection()).driver_connection
    if not getattr(driver, "in_transaction", True):
        return False
    path = sqlite_file(connection.engine.url)
    if path is None:  # in memory: no other connection sees it, so assume the worst
        return True
    with closing(sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS)) as other:
        committed = other.execute(_COMMITTED).fetchone()
    return committed is None or int(committed[0]) != version
