"""Alembic environment: runs migrations over the app's async engine (SQLite or PostgreSQL)."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from storage.engine import create_engine
from storage.models import Base

config = context.config
target_metadata = Base.metadata


def _foreign_keys_off(connection: Connection) -> None:
    """SQLite: batch mode changes a table by rebuilding it (copy, drop the old one, rename), and with foreign
    keys on, dropping a table deletes the rows that reference it (ON DELETE CASCADE). So, as SQLite's own
    procedure for altering tables says, they are off while migrating; ``storage.migrate.upgrade`` turns them
    on again. The pragma is ignored inside a transaction, which the driver opens only at the first write."""
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    if connection.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError("could not turn SQLite's foreign keys off for migrating: a transaction was open")


def _configure(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        _foreign_keys_off(connection)
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite needs batch mode to alter tables
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("alembic needs sqlalchemy.url: run migrations through storage.migrate")
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_configure)
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    # storage.migrate hands us a live connection when it runs inside the app's event loop.
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
    else:
        asyncio.run(_run_async())


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
