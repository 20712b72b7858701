"""Bring a database to the newest schema with Alembic, from code or from the command line.

The bot checks the schema on every start, but migrates rarely (once per release), and Alembic with its migration
scripts would stay resident for the life of the process (about 10 MB of a bot meant to stay under 150 MB). So
:func:`bring_to_head` reads the schema's revision, and only when it is behind runs the upgrade in a short-lived
child process (``python -m storage.migrate``); Alembic is imported only where an upgrade actually runs.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import create_engine, is_sqlite, sqlite_file

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# The newest revision in migrations/versions (tests/storage/test_migrations.py checks it is Alembic's head).
HEAD = "0025"
# How the parent hands the database URL to the child: the environment, not the command line others can read.
_URL_VARIABLE = "CLASSROOM_MIGRATE_URL"


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.set_main_option(
        "file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d-%%(rev)s_%%(slug)s"
    )
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Migrate the database behind ``engine`` to ``revision`` in this process; safe to call on every start."""
    from alembic import command

    def _upgrade(connection) -> None:  # type: ignore[no-untyped-def]
        config = alembic_config(engine.url.render_as_string(hide_password=False))
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with engine.connect() as connection:
        await connection.run_sync(_upgrade)
        await connection.commit()
        if connection.dialect.name == "sqlite":
            # Off while migrating (see migrations/env.py); on again for this connection, which the bot keeps.
            await connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            await connection.commit()


async def current_revision(engine: AsyncEngine) -> str | None:
    """The schema's revision; None for a database never migrated."""
    async with engine.connect() as connection:
        try:
            return await connection.scalar(text("SELECT version_num FROM alembic_version"))
        except DBAPIError:  # no such table yet
            return None


class MigrationFailed(RuntimeError):
    pass


async def bring_to_head(engine: AsyncEngine) -> bool:
    """Migrate the database behind ``engine`` to :data:`HEAD` unless it is there already, in a child process so that
    Alembic never loads into this one (in this one for an in-memory database); returns whether it migrated. Raises
    MigrationFailed (with the child's last words) when the upgrade failed."""
    if await current_revision(engine) == HEAD:
        return False
    if is_sqlite(engine.url) and sqlite_file(engine.url) is None:
        await upgrade(engine)  # an in-memory database: a child would migrate its own, not this process's
        return True
    environment = {**os.environ, _URL_VARIABLE: engine.url.render_as_string(hide_password=False)}
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "storage.migrate", env=environment, stderr=asyncio.subprocess.PIPE
    )
    _, errors = await child.communicate()
    if child.returncode != 0:
        last = errors.decode(errors="replace").strip().splitlines()[-1:] or [f"exit status {child.returncode}"]
        raise MigrationFailed(f"migrating the database failed: {last[0]}")
    return True


async def _upgrade_from_environment() -> None:
    engine = create_engine(os.environ[_URL_VARIABLE])
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(_upgrade_from_environment())
