"""``ReflectionService``: what the reflection and CPD commands and buttons call. Each method is one transaction,
retried on transient conflicts; every method that returns someone's words checks they are the caller's own."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.clock import Clock
from classroom.errors import NotFound
from classroom.people import find_person
from classroom.reflection import cpd, documents, export_links, on_demand, reflections, summary
from classroom.reflection.errors import ReflectionsNotSetUp
from classroom.reflection.on_demand import PromptsSent
from classroom.reflection.policy import ReflectionTiming
from classroom.reflection.registration_year import registration_year_at
from classroom.reflection.sealing import Sealer
from classroom.reflection.views import CpdEntryView, CpdFields, CpdLogView, PromptView, SessionReflectionSummary
from classroom.transactions import SessionFactory, in_transaction
from storage.models import CpdEntry


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content_type: str
    content: bytes


class ReflectionService:
    def __init__(
        self,
        session_factory: SessionFactory,
        clock: Clock,
        zone: ZoneInfo,
        sealer: Sealer | None,
        timing: ReflectionTiming | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._clock = clock
        self._zone = zone
        self._sealer_or_none = sealer
        self._timing = timing or ReflectionTiming()

    @property
    def _sealer(self) -> Sealer:
        if self._sealer_or_none is None:
            raise ReflectionsNotSetUp("no REFLECTION_KEYS configured")
        return self._sealer_or_none

    def registration_year_now(self) -> int:
        return registration_year_at(self._clock.now())

    async def prompt(self, aad_object_id: str, enrolment_id: int, session_id: int) -> PromptView:
        sealer = self._sealer
        return await in_transaction(
            self._session_factory,
            lambda s: reflections.open_prompt(s, aad_object_id, enrolment_id, session_id, sealer),
        )

    async def save(
        self,
        aad_object_id: str,
        enrolment_id: int,
        session_id: int,
        answers: Mapping[str, object],
        outcome_ids: Sequence[int],
        *,
        finish: bool,
    ) -> PromptView:
        sealer, now = self._sealer, self._clock.now()
        return await in_transaction(
            self._session_factory,
            lambda s: reflections.save(
                s,
                aad_object_id,
                enrolment_id,
                session_id,
                answers,
                outcome_ids,
                finish=finish,
                sealer=sealer,
                zone=self._zone,
                now=now,
            ),
        )

    async def skip(self, aad_object_id: str, enrolment_id: int, session_id: int) -> PromptView:
        sealer, now = self._sealer, self._clock.now()
        return await in_transaction(
            self._session_factory,
            lambda s: reflections.skip(s, aad_object_id, enrolment_id, session_id, sealer=sealer, now=now),
        )

    async def prompt_now(self, conversation_id: str, aad_object_id: str) -> PromptsSent:
        """``reflect`` in a linked chat: the latest begun session's prompt, now, to each participant's 1:1 chat."""
        now = self._clock.now()
        return await in_transaction(
            self._session_factory,
            lambda s: on_demand.prompt_now(s, conversation_id, aad_object_id, now=now, timing=self._timing),
        )

    async def session_summary(self, aad_object_id: str, run_code: str, position: int) -> SessionReflectionSummary:
        sealer = self._sealer
        return await in_transaction(
            self._session_factory, lambda s: summary.session_summary(s, aad_object_id, run_code, position, sealer)
        )

    async def cpd_log(self, aad_object_id: str, year: int | None = None) -> CpdLogView:
        sealer, year_ = self._sealer, year if year is not None else self.registration_year_now()
        return await in_transaction(self._session_factory, lambda s: cpd.cpd_log(s, aad_object_id, year_, sealer))

    async def cpd_entry(self, aad_object_id: str, entry_id: int) -> CpdEntryView:
        sealer = self._sealer
        return await in_transaction(self._session_factory, lambda s: cpd.cpd_entry(s, aad_object_id, entry_id, sealer))

    async def add_cpd(
        self, aad_object_id: str, *, activity_date: date, cpd_type: str, minutes: int, fields: CpdFields
    ) -> CpdEntryView:
        sealer, now = self._sealer, self._clock.now()
        return await in_transaction(
            self._session_factory,
            lambda s: cpd.add_entry(
                s,
                aad_object_id,
                activity_date=activity_date,
                cpd_type=cpd_type,
                minutes=minutes,
                fields=fields,
                sealer=sealer,
                now=now,
            ),
        )

    async def edit_cpd(
        self, aad_object_id: str, entry_id: int, *, activity_date: date, cpd_type: str, minutes: int, fields: CpdFields
    ) -> CpdEntryView:
        sealer, now = self._sealer, self._clock.now()
        return await in_transaction(
            self._session_factory,
            lambda s: cpd.edit_entry(
                s,
                aad_object_id,
                entry_id,
                activity_date=activity_date,
                cpd_type=cpd_type,
                minutes=minutes,
                fields=fields,
                sealer=sealer,
                now=now,
            ),
        )

    async def issue_export_link(self, aad_object_id: str, year: int) -> tuple[str, datetime] | None:
        """A fresh download link for the caller's log of ``year`` (token, expiry); None for someone unknown."""
        now = self._clock.now()

        async def unit(session: AsyncSession) -> tuple[str, datetime] | None:
            person = await find_person(session, aad_object_id)
            return None if person is None else await export_links.issue_link(session, person.id, year, now)

        return await in_transaction(self._session_factory, unit)

    async def export_file(self, token: str, kind: str) -> ExportFile:
        """The Word or CSV file behind a live link. Raises NotFound (unknown, expired or malformed: alike)."""
        sealer, now = self._sealer, self._clock.now()

        async def unit(session: AsyncSession) -> ExportFile:
            found = await export_links.resolve(session, token, now)
            if found is None or kind not in ("docx", "csv"):
                raise NotFound("no such download")
            person_id, year = found
            entries = (
                await session.scalars(
                    select(CpdEntry)
                    .where(CpdEntry.person_id == person_id, CpdEntry.registration_year == year)
                    .order_by(CpdEntry.activity_date, CpdEntry.id)
                )
            ).all()
            views = [cpd.entry_view(e, sealer) for e in entries]
            name = f"cpd-{year}-{year + 1}"
            if kind == "docx":
                return ExportFile(f"{name}.docx", documents.WORD_TYPE, documents.word_document(year, views))
            return ExportFile(f"{name}.csv", documents.CSV_TYPE, documents.csv_document(views))

        return await in_transaction(self._session_factory, unit)

    async def delete_cpd(self, aad_object_id: str, entry_id: int) -> None:
        await in_transaction(self._session_factory, lambda s: cpd.delete_entry(s, aad_object_id, entry_id))
