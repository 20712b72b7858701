"""The catalogue kept in memory, rebuilt only when the database says it changed.

Every course card reads the whole catalogue, which changes a few times a year and is read on nearly every
turn. Each process keeps one :class:`~classroom.catalogue.views.Catalogue` and checks it against the
database's catalogue version (one row by primary key, bumped by triggers on every change by anyone: migration
0015); only a different number makes it read the catalogue again. So a process never shows a catalogue older
than the transaction it answers in, and several processes need no message to each other.

The check costs no statement of its own on the busy paths: :meth:`CatalogueSnapshot.checked` reads the version
in the same statement as what the turn reads live anyway (places left, the viewer's price band).

A copy read after its transaction bumped the version itself serves that transaction but is not kept: rolled back,
the same number would go to the next real change, which the copy would then pass for.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy import Label, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from classroom.catalogue.views import Catalogue, load_catalogue
from storage.catalogue_version_writes import bumped_here
from storage.models import CatalogueVersion

T = TypeVar("T")
# Where the catalogue is read: a session, or (the busy paths, ``CatalogueService``) a plain connection.
Database = AsyncSession | AsyncConnection
LiveRead = Callable[[Catalogue], Awaitable[tuple[int, T]]]

_VERSION = select(CatalogueVersion.version).where(CatalogueVersion.id == 1)


def version_column() -> Label[int]:
    """The database's catalogue version as a column (``catalogue_version``) of a caller's statement, so checking the
    copy kept in memory (:meth:`CatalogueSnapshot.checked`) costs no statement of its own."""
    return _VERSION.scalar_subquery().label("catalogue_version")


# Rebuilds within one request before its live read is taken as it is: only a catalogue changing faster than it
# can be read gets there, and then the answer is as fresh as the one a separate version read would have given.
_REBUILDS = 3


async def catalogue_version(database: Database) -> int:
    return int(await database.scalar(_VERSION) or 0)


class CatalogueSnapshot:
    """One process's copy of the catalogue. Safe to share between concurrent turns: a copy, once built, is never
    changed, only replaced."""

    def __init__(self) -> None:
        self._catalogue: Catalogue | None = None
        self._building = asyncio.Lock()
        self.builds = 0  # how often it was read whole (for tests and benchmarks)

    @property
    def kept(self) -> Catalogue | None:
        """The copy kept (None: none read yet), not checked against the database: the caller checks its version."""
        return self._catalogue

    async def current(self, session: Database) -> Catalogue:
        """The catalogue as of ``session``'s transaction."""
        return await self._at(session, await catalogue_version(session))

    async def checked(self, session: Database, read: LiveRead[T]) -> tuple[Catalogue, T]:
        """``read(catalogue)`` with this process's copy: a read of what changes by the minute for that copy's
        courses and runs, which returns the database's catalogue version *from the same statement*. When that
        is not the copy's version, the copy is rebuilt and the read repeated, so what is returned is the
        catalogue and the live read made for it, as of ``session``'s transaction."""
        catalogue = self._catalogue or await self.current(session)
        for _rebuild in range(_REBUILDS):
            version, value = await read(catalogue)
            if version == catalogue.version:
                return catalogue, value
            catalogue = await self._at(session, version)
        return catalogue, (await read(catalogue))[1]

    async def _at(self, session: Database, version: int) -> Catalogue:
        cached = self._catalogue
        if cached is not None and cached.version == version:
            return cached
        async with self._building:  # many turns at once after a change: one of them reads it
            cached = self._catalogue
            if cached is None or cached.version != version:
                cached = await _load(session, version)
                self.builds += 1
                if not await bumped_here(session, version):  # see the module's docstring
                    self._catalogue = cached
        return cached


async def _load(database: Database, version: int) -> Catalogue:
    if isinstance(database, AsyncSession):
        return await load_catalogue(database, version)
    # A plain connection: an ORM session on it for the rebuild only, in the connection's transaction.
    session = AsyncSession(bind=database)
    try:
        return await load_catalogue(session, version)
    finally:
        await session.close()
