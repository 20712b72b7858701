"""Shared fixtures: a migrated database per test, on SQLite and (when configured) on PostgreSQL.

Every test that asks for ``db_url``/``engine``/``session_factory`` runs once per backend. PostgreSQL runs
when ``TEST_DATABASE_URL`` points at one (CI: postgresql+asyncpg://postgres@127.0.0.1:5432/test);
otherwise those cases skip with the reason. Schema always comes from the Alembic migrations.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.engine import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.models import Base
from tests.support.postgres import fresh_schema

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
BACKENDS = ["sqlite", "postgresql"]


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self, now: datetime | None = None) -> None:
        self._now = now or datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, now: datetime) -> None:
        self._now = now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def _postgres_url() -> str:
    if not TEST_DATABASE_URL:
        pytest.skip("PostgreSQL case: set TEST_DATABASE_URL=postgresql+asyncpg://… to run it")
    return TEST_DATABASE_URL


_sqlite_template: dict[str, Path] = {}
_postgres_migrated: set[str] = set()


async def _fresh_sqlite(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    # Migrate once per test session, then hand each test a copy of the migrated file.
    if "template" not in _sqlite_template:
        template = tmp_path_factory.mktemp("sqlite-template") / "template.sqlite3"
        engine = create_engine(f"sqlite+aiosqlite:///{template}")
        await upgrade(engine)
        await engine.dispose()
        _sqlite_template["template"] = template
    target = tmp_path / "classroom.sqlite3"
    shutil.copyfile(_sqlite_template["template"], target)
    return f"sqlite+aiosqlite:///{target}"


async def _fresh_postgres() -> str:
    url = _postgres_url()
    if url not in _postgres_migrated:
        await fresh_schema(url)
        _postgres_migrated.add(url)
    else:
        engine = create_engine(url)
        try:
            # The catalogue version only ever goes up (processes compare it with the one they read before).
            kept = {"catalogue_version"}
            tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables if t.name not in kept)
            async with engine.begin() as connection:
                await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        finally:
            await engine.dispose()
    return url


@pytest.fixture(params=BACKENDS)
async def db_url(request: pytest.FixtureRequest, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated, empty database URL; parametrised over SQLite and PostgreSQL."""
    if request.param == "sqlite":
        return await _fresh_sqlite(tmp_path, tmp_path_factory)
    return await _fresh_postgres()


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(db_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(engine)
