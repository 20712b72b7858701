"""``CatalogueService``: what people browse, search and look up, and the catalogue import, each in its own
transaction (browsing on a plain connection: ``classroom.transactions.in_read``; with the catalogue kept in memory
current, synchronously in one greenlet: ``in_read_on``)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from classroom.catalogue import queries
from classroom.catalogue.file_format import CatalogueDocument, load_catalogue
from classroom.catalogue.importer import ImportReport, import_catalogue
from classroom.catalogue.queries import CourseOverview
from classroom.catalogue.snapshot import CatalogueSnapshot
from classroom.clock import Clock
from classroom.privacy.audit import CLI, Actor, record_audit
from classroom.transactions import SessionFactory, in_read, in_read_on, in_transaction, read_sessions

CLI_IMPORT = Actor(None, "classroom-bot catalogue import", CLI)
T = TypeVar("T")


class CatalogueService:
    def __init__(self, session_factory: SessionFactory, clock: Clock) -> None:
        self._session_factory = session_factory
        self._reads = read_sessions(session_factory)  # browsing, searching and look-ups only read
        self._clock = clock
        self.snapshot = CatalogueSnapshot()  # this process's copy, checked against the database per request

    async def courses(self) -> list[CourseOverview]:
        """Every course with its upcoming runs, those with a run coming up first."""
        now = self._clock.now()
        return await self._browse(
            lambda connection: queries.list_courses_kept(connection, now, self.snapshot),
            lambda connection: queries.list_courses(connection, now, self.snapshot),
        )

    async def course(self, code: str, viewer_aad_object_id: str | None = None) -> CourseOverview:
        """One course with everything its details card shows, with the viewer's price band when we know their
        organisation; raises NotFound for an unknown code."""
        now = self._clock.now()
        return await self._browse(
            lambda connection: queries.course_by_code_kept(connection, code, now, viewer_aad_object_id, self.snapshot),
            lambda connection: queries.course_by_code(connection, code, now, viewer_aad_object_id, self.snapshot),
        )

    async def search(self, query: str) -> list[CourseOverview]:
        """Courses where every telling word of ``query`` appears (none when it has no telling word)."""
        if not queries.search_words(query):
            return []
        now = self._clock.now()
        return await self._browse(
            lambda connection: queries.search_courses_kept(connection, query, now, self.snapshot),
            lambda connection: queries.search_courses(connection, query, now, self.snapshot),
        )

    async def _browse(
        self, kept: Callable[[Connection], T | None], live: Callable[[AsyncConnection], Awaitable[T]]
    ) -> T:
        """``kept(connection)`` with the catalogue kept in memory, in one greenlet (nearly always: one statement);
        when no copy is kept or it is not the database's version (``kept`` gives None), ``live``, which rebuilds it."""
        if self.snapshot.kept is not None:
            found = await in_read_on(self._reads, kept)
            if found is not None:
                return found
        return await in_read(self._reads, live)

    async def codes(self) -> list[str]:
        """Every course code, in order."""

        async def read(connection: AsyncConnection) -> list[str]:
            return sorted(course.code for course in (await self.snapshot.current(connection)).courses)

        return await in_read(self._reads, read)

    async def import_document(self, document: CatalogueDocument, *, by: Actor = CLI_IMPORT) -> ImportReport:
        """Upsert a validated catalogue in one transaction (nothing changes if any part is refused); recorded in
        the audit log with what changed."""

        async def unit(session: AsyncSession) -> ImportReport:
            report = await import_catalogue(session, document)
            record_audit(
                session,
                self._clock.now(),
                "catalogue.import",
                by,
                courses_created=report.courses_created,
                courses_updated=report.courses_updated,
                runs_created=report.runs_created,
                runs_updated=report.runs_updated,
            )
            return report

        return await in_transaction(self._session_factory, unit)

    async def import_file(self, path: Path) -> ImportReport:
        """Validate the file completely, then import it in one transaction.

        Raises:
            CatalogueFileError: the file is invalid, or (``CatalogueConflictError``) contradicts the database.
        """
        return await self.import_document(await asyncio.to_thread(load_catalogue, path))
