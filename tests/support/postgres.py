"""An empty PostgreSQL schema, for the test suite and the benchmarks that run on a shared database."""

from __future__ import annotations

from sqlalchemy import text

from storage.engine import create_engine
from storage.migrate import upgrade


async def fresh_schema(url: str, *, migrate: bool = True) -> None:
    """Drop everything in ``url``'s public schema (it is WIPED), then migrate to the newest schema (or not)."""
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
        if migrate:
            await upgrade(engine)
    finally:
        await engine.dispose()
