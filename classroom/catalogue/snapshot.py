"""The catalogue kept in memory, rebuilt only when the database says it changed.

Every course card reads the whole catalogue, which changes a few times a year and is read on nearly every
turn. Each process keeps one :class:`~classroom.catalogue.views.Catalogue` and, per request, reads the
database's catalogue version (one row by primary key, bumped by triggers on every change by anyone: migration
0015); only a different number makes it read the catalogue again. So a process never shows a catalogue older
than the transaction it answers in, and several processes need no message to each other.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.catalogue.views import Catalogue, load_catalogue
from storage.models import CatalogueVersion

_VERSION = select(CatalogueVersion.version).where(CatalogueVersion.id == 1)


async def catalogue_version(session: AsyncSession) -> int:
    return int(await session.scalar(_VERSION) or 0)


class CatalogueSnapshot:
    """One process's copy of the catalogue. Safe to share between concurrent turns: a copy, once built, is never
    changed, only replaced."""

    def __init__(self) -> None:
        self._catalogue: Catalogue | None = None
        self._building = asyncio.Lock()
        self.builds = 0  # how often it was read whole (for tests and benchmarks)

    async def current(self, session: AsyncSession) -> Catalogue:
        """The catalogue as of ``session``'s transaction."""
        version = await catalogue_version(session)
        cached = self._catalogue
        if cached is not None and cached.version == version:
            return cached
        async with self._building:  # many turns at once after a change: one of them reads it
            cached = self._catalogue
            if cached is None or cached.version != version:
                cached = self._catalogue = await load_catalogue(session, version)
                self.builds += 1
        return cached
