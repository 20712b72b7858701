"""``CatalogueService``: what people browse, search and look up, and the catalogue import, each in its own
transaction (browsing on a plain connection: ``classroom.transactions.in_read``; with the catalogue kept in memory
current, synchronously in one greenlet: ``in_read_on``)."""

from __future__ import annotations

import asyncio
from pathlib import Path

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


class CatalogueService:
    def __init__(self, session_factory: SessionFactory, clock: Clock) -> None:
        self._session_factory = session_factory
        self._reads = read_sessions(session_factory)  # browsing, searching and look-ups only read
        self._clock = clock
        self.snapshot = CatalogueSnapshot()  # this process's copy, checked against the database per request

    async def courses(self) -> list[CourseOverview]:
        """Every course with its upcoming runs, those with a run coming up first."""
        if self.snapshot.kept is not None:  # nearly always: one greenlet, one statement
            now = self._clock.now()
            kept = await in_read_on(self._reads, lambda c: queries.list_courses_kept(c, now, self.snapshot))
            if kept is not None:
                return kept

        async def read(connection: AsyncConnection) -> list[CourseOverview]:
            return await queries.list_courses(connection, self._clock.now(), self.snapshot)

        return await in_read(self._reads, read)

    async def course(self, code: str, viewer_aad_object_id: str | None = None) -> CourseOverview:
        """One course with everything its details card shows, with the viewer's price band when we know their
        organisation; raises NotFound for an unknown code."""
        if self.snapshot.kept is not None:
            now = self._clock.now()
            found = await in_read_on(
                self._reads, lambda c: queries.course_by_code_kept(c, code, now, viewer_aad_object_id, self.snapshot)
            )
            if found is not None:
                return found

        async def read(connection: AsyncConnection) -> CourseOverview:
            now = self._clock.now()
            return await queries.course_by_code(connection, code, now, viewer_aad_object_id, self.snapshot)

        return await in_read(self._reads, read)

    async def search(self, query: str) -> list[CourseOverview]:
        """Courses where every telling word of ``query`` appears (none when it has no telling word)."""
        if not queries.search_words(query):
            return []
        if self.snapshot.kept is not None:
            now = self._clock.now()
            kept = await in_read_on(self._reads, lambda c: queries.search_courses_kept(c, query, now, self.snapshot))
            if kept is not None:
                return kept

        async def read(connection: AsyncConnection) -> list[CourseOverview]:
            return await queries.search_courses(connection, query, self._clock.now(), self.snapshot)

        return await in_read(self._reads, read)

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
