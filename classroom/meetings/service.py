"""``MeetingService``: what the meeting events, the register card and ``attendance RUN`` call. Each method is one
transaction, retried on transient conflicts; who may see or correct a register is decided inside it from the
caller's Entra object id and stored roles (the run's trainers, coordinators, admins)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from classroom.clock import Clock
from classroom.conversations import ConversationInfo
from classroom.meetings import corrections, ending, events, exports, reports, stale
from classroom.meetings.events import MeetingLinked, Participant, SessionRef
from classroom.meetings.policy import MeetingPolicy
from classroom.meetings.register import SessionRegister, load_register
from classroom.meetings.reports import RunAttendance
from classroom.periodic import PeriodicJob
from classroom.polls.exports import ExportFile, ExportLinkIssued
from classroom.transactions import SessionFactory, in_transaction
from storage.models import AttendanceStatus, ParticipantEvent

TRUSTED_SKEW = timedelta(hours=12)  # an event time further than this from our clock is not believed
DEFAULT_EXPORT_LINK_TTL = timedelta(hours=1)


class MeetingService:
    def __init__(
        self,
        session_factory: SessionFactory,
        clock: Clock,
        policy: MeetingPolicy | None = None,
        *,
        export_link_ttl: timedelta = DEFAULT_EXPORT_LINK_TTL,
    ) -> None:
        self._session_factory = session_factory
        self._clock = clock
        self.policy = policy or MeetingPolicy()
        self._export_link_ttl = export_link_ttl

    def _when(self, at: datetime | None) -> tuple[datetime, datetime]:
        """(the event's time, now): Teams' time when it is plausible, else ours."""
        now = self._clock.now()
        if at is None or at.tzinfo is None or abs(at - now) > TRUSTED_SKEW:
            return now, now
        return at, now

    async def started(
        self, here: ConversationInfo, meeting_id: str, *, join_url: str | None, at: datetime | None
    ) -> SessionRef | None:
        when, now = self._when(at)
        return await in_transaction(
            self._session_factory,
            lambda s: events.meeting_started(s, here, meeting_id, join_url=join_url, at=when, now=now),
        )

    async def link_meeting(self, here: ConversationInfo, join_url: str, *, at: datetime | None) -> MeetingLinked | None:
        """``at``: the meeting's scheduled start (a meeting is often set up days ahead), else now."""
        now = self._clock.now()
        when = at if at is not None and at.tzinfo is not None else now
        return await in_transaction(
            self._session_factory, lambda s: events.link_meeting(s, here, join_url, at=when, now=now)
        )

    async def participants(
        self,
        conversation_id: str,
        meeting_id: str,
        kind: ParticipantEvent,
        people: list[Participant],
        *,
        at: datetime | None,
    ) -> int:
        when, _now = self._when(at)
        return await in_transaction(
            self._session_factory,
            lambda s: events.participants_moved(s, conversation_id, meeting_id, kind, people, at=when),
        )

    async def ended(self, conversation_id: str, meeting_id: str, *, at: datetime | None) -> SessionRegister | None:
        """Record the end and set off its effects, once; None when it was recorded already or fits no session."""
        when, now = self._when(at)

        async def unit(session):  # type: ignore[no-untyped-def]
            run_session = await events.record_end(session, conversation_id, meeting_id, at=when)
            if run_session is None:
                return None
            return await ending.session_ended(session, run_session, now=now, policy=self.policy)

        return await in_transaction(self._session_factory, unit)

    async def register(self, run_code: str, position: int, *, by: str) -> SessionRegister:
        now = self._clock.now()

        async def unit(session):  # type: ignore[no-untyped-def]
            _run, run_session = await reports.run_and_session(session, run_code, position, by)
            return await load_register(session, run_session, share_percent=self.policy.attended_percent, now=now)

        return await in_transaction(self._session_factory, unit)

    async def correct(
        self, run_code: str, position: int, statuses: Mapping[int, AttendanceStatus], *, by: str, by_name: str
    ) -> corrections.Corrected:
        now = self._clock.now()
        return await in_transaction(
            self._session_factory,
            lambda s: corrections.correct_register(
                s, run_code, position, statuses, by=by, by_name=by_name, now=now, policy=self.policy
            ),
        )

    async def attendance(self, run_code: str, *, by: str) -> RunAttendance:
        now = self._clock.now()
        return await in_transaction(
            self._session_factory, lambda s: reports.run_attendance(s, run_code, by, now=now, policy=self.policy)
        )

    async def export_link(self, run_code: str, *, by: str) -> ExportLinkIssued:
        """A download link for the run's attendance (CSV), for ``by`` alone. Raises NotFound (also: not theirs)."""
        now = self._clock.now()
        return await in_transaction(
            self._session_factory,
            lambda s: exports.issue_link(s, run_code, by=by, now=now, ttl=self._export_link_ttl),
        )

    async def export_file(self, token: str) -> ExportFile:
        now = self._clock.now()
        return await in_transaction(
            self._session_factory, lambda s: exports.export_file(s, token, now=now, policy=self.policy)
        )

    def export_links_job(self) -> PeriodicJob:
        """Deletes download links a day after they expired."""

        async def purge(session: AsyncSession) -> None:
            await exports.purge_expired_links(session, self._clock.now())

        return purge

    def stale_sessions_job(self) -> PeriodicJob:
        """Closes sessions whose end event never came, once past their scheduled end plus ``LATE``, and sets off
        the end's effects for them."""

        async def close(session: AsyncSession) -> None:
            await stale.close_stale_sessions(session, now=self._clock.now(), policy=self.policy)

        return close
