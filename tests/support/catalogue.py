"""The demo catalogue, imported into a test database as of the test clock's day."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from classroom.catalogue.importer import import_catalogue
from classroom.clock import Clock
from classroom.demo.catalogue import demo_catalogue


async def load_demo_catalogue(session_factory: async_sessionmaker[AsyncSession], clock: Clock) -> None:
    async with session_factory.begin() as session:
        await import_catalogue(session, demo_catalogue(clock.now().date()))
