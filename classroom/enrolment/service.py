"""``EnrolmentService``: what dialogs call. One transaction per call, retried on transient conflicts.

Every method takes the caller's Entra object id (from the authenticated activity) and decides what that
person may do from the database; nothing a card sends back is trusted beyond naming what to act on.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from classroom.clock import Clock
from classroom.enrolment import calendar_links, enrolments, queries
from classroom.enrolment.authorisation import require_coordinator
from classroom.enrolment.enrolments import Clash
from classroom.enrolment.errors import EnrolmentRefused, NoEnrolment
from classroom.enrolment.ics import build_calendar
from classroom.enrolment.jobs import enrolment_housekeeping
from classroom.enrolment.loading import (
    find_enrolment,
    load_enrolment,
    load_person,
    load_run,
    run_id_for_code,
)
from classroom.enrolment.locking import lock_run
from classroom.enrolment.organisations import OrganisationChoice, choose_organisation, organisation_choices
from classroom.enrolment.policy import EnrolmentPolicy
from classroom.enrolment.session_moves import move_session
from classroom.enrolment.views import (
    CalendarFile,
    CalendarLinkIssued,
    EnrolmentView,
    Quote,
    Roster,
    RunChoice,
    SessionMove,
    SessionTime,
    run_details,
    session_time,
)
from classroom.errors import NotAllowed, NotFound
from classroom.people import ensure_person
from classroom.periodic import PeriodicJob
from classroom.transactions import in_transaction
from storage.models import EnrolmentStatus

T = TypeVar("T")

CALENDAR_STATUSES = frozenset({EnrolmentStatus.CONFIRMED, EnrolmentStatus.PENDING_REVIEW})


class EnrolmentService:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Clock,
        policy: EnrolmentPolicy | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._clock = clock
        self.policy = policy or EnrolmentPolicy()

    async def _run(self, unit: Callable[[AsyncSession], Awaitable[T]]) -> T:
        # A refusal is a decision, not a failure: what the unit did before it (passing a lapsed offer on,
        # offering a freed place to the first person waiting) is committed, then the refusal is raised.
        return await in_transaction(self._session_factory, unit, commit_on=(EnrolmentRefused,))

    def housekeeping_job(self) -> PeriodicJob:
        """The minutely job (schedule it as ``HOUSEKEEPING_JOB``): offers lapse, moved sessions are announced,
        trainers' reminders queued, expired calendar links dropped."""
        return enrolment_housekeeping(self._clock, self.policy)

    async def meet(self, aad_object_id: str, name: str = "") -> None:
        """Make sure we know the person (created as a participant on first contact)."""

        async def unit(session: AsyncSession) -> None:
            await ensure_person(session, aad_object_id, name)

        await self._run(unit)

    async def needs_organisation(self, aad_object_id: str) -> bool:
        async def unit(session: AsyncSession) -> bool:
            return (await load_person(session, aad_object_id)).organisation_id is None

        return await self._run(unit)

    async def organisations(self) -> list[OrganisationChoice]:
        return await self._run(organisation_choices)

    async def choose_organisation(self, aad_object_id: str, organisation_id: int) -> str:
        return await self._run(lambda session: choose_organisation(session, aad_object_id, organisation_id))

    async def open_runs(self, code: str) -> list[RunChoice]:
        """Runs of a course (or the run) that take enrolments. Raises NotFound for an unknown code."""
        return await self._run(lambda session: queries.open_runs(session, code, self._clock.now()))

    async def quote(self, aad_object_id: str, run_code: str) -> Quote:
        async def unit(session: AsyncSession) -> Quote:
            run_id = await run_id_for_code(session, run_code)
            return await queries.quote(session, aad_object_id, run_id, self._clock.now())

        return await self._run(unit)

    async def enrol(self, aad_object_id: str, run_code: str, *, clash: Clash | None = None) -> EnrolmentView:
        """Take a place (or a place pending review, with a clash). See ``enrolments.enrol`` for refusals."""
        return await self._change(aad_object_id, run_code, clash=clash, waitlist=False)

    async def join_waitlist(self, aad_object_id: str, run_code: str) -> EnrolmentView:
        """Join a full run's waitlist (or take the place that came free meanwhile, as an offer)."""
        return await self._change(aad_object_id, run_code, clash=None, waitlist=True)

    async def _change(self, aad_object_id: str, run_code: str, *, clash: Clash | None, waitlist: bool) -> EnrolmentView:
        async def unit(session: AsyncSession) -> EnrolmentView:
            now = self._clock.now()
            run_id = await run_id_for_code(session, run_code)
            enrolment = await enrolments.enrol(
                session, aad_object_id, run_id, clash=clash, waitlist=waitlist, now=now, policy=self.policy
            )
            await session.flush()
            return await queries.view_of(
                session, await load_enrolment(session, enrolment.id), await load_run(session, enrolment.run_id)
            )

        return await self._run(unit)

    async def withdraw(self, aad_object_id: str, run_code: str) -> EnrolmentStatus:
        """Give up a place, review, offer or waitlist entry; returns what it was. Raises NoEnrolment."""
        return await self._withdraw(aad_object_id, run_code, only=None)

    async def decline_offer(self, aad_object_id: str, run_code: str) -> EnrolmentStatus:
        """Turn down a place offered from the waitlist (it passes to the next person). Raises NoEnrolment."""
        return await self._withdraw(aad_object_id, run_code, only=frozenset({EnrolmentStatus.OFFERED}))

    async def _withdraw(
        self, aad_object_id: str, run_code: str, *, only: frozenset[EnrolmentStatus] | None
    ) -> EnrolmentStatus:
        async def unit(session: AsyncSession) -> EnrolmentStatus:
            run_id = await run_id_for_code(session, run_code)
            try:
                return await enrolments.withdraw(
                    session, aad_object_id, run_id, now=self._clock.now(), policy=self.policy, only=only
                )
            except NotFound as error:
                raise NoEnrolment(str(error)) from error

        return await self._run(unit)

    async def decide_clash(self, actor_aad_object_id: str, enrolment_id: int, *, accept: bool) -> EnrolmentView:
        """Accept or decline a clash; raises NothingToDecide (no such request, or not theirs to decide: alike) or
        AlreadyDecided."""

        async def unit(session: AsyncSession) -> EnrolmentView:
            enrolment = await enrolments.decide_clash(
                session, actor_aad_object_id, enrolment_id, accept=accept, now=self._clock.now(), policy=self.policy
            )
            await session.flush()
            return await queries.view_of(
                session, await load_enrolment(session, enrolment.id), await load_run(session, enrolment.run_id)
            )

        return await self._run(unit)

    async def my_enrolments(self, aad_object_id: str, code: str | None = None) -> list[EnrolmentView]:
        return await self._run(
            lambda session: queries.current_enrolments(session, aad_object_id, self._clock.now(), code)
        )

    async def rosters(self, actor_aad_object_id: str, code: str) -> list[Roster]:
        return await self._run(lambda session: queries.rosters(session, actor_aad_object_id, code, self._clock.now()))

    async def move_session(
        self, actor_aad_object_id: str, run_code: str, position: int, starts_at: datetime, ends_at: datetime
    ) -> SessionMove:
        """A coordinator moves a session; everyone holding a place is told and their reminders move."""

        async def unit(session: AsyncSession) -> SessionMove:
            try:
                actor = await load_person(session, actor_aad_object_id)
            except NotFound as error:
                raise NotAllowed("only coordinators can do this") from error
            require_coordinator(actor)
            run_id = await run_id_for_code(session, run_code)
            await lock_run(session, run_id)
            run = await load_run(session, run_id)
            moved, old_start, old_end, told = await move_session(
                session, run, position, starts_at, ends_at, self._clock.now(), self.policy
            )
            return SessionMove(
                run=run_details(run),
                position=position,
                old=SessionTime(moved.id, moved.position, old_start, old_end),
                new=session_time(moved),
                participants_told=told,
            )

        return await self._run(unit)

    async def issue_calendar_link(self, aad_object_id: str, run_code: str) -> CalendarLinkIssued:
        """A fresh "Add to calendar" link for the person's place on the run. Raises NoEnrolment."""

        async def unit(session: AsyncSession) -> CalendarLinkIssued:
            run_id = await run_id_for_code(session, run_code)
            person = await load_person(session, aad_object_id)
            enrolment = await find_enrolment(session, run_id, person.id)
            if enrolment is None or enrolment.status not in CALENDAR_STATUSES:
                raise NoEnrolment(f"you have no place on {run_code.upper()}")
            token, expires_at = await calendar_links.issue_link(
                session, enrolment.id, self._clock.now(), self.policy.calendar_link_ttl
            )
            return CalendarLinkIssued(token, expires_at)

        return await self._run(unit)

    async def calendar_file(self, token: str) -> CalendarFile:
        """The .ics behind a link. Raises NotFound for an unknown, expired or given-up link (all alike)."""

        async def unit(session: AsyncSession) -> CalendarFile:
            now = self._clock.now()
            enrolment_id = await calendar_links.enrolment_id_for_token(session, token, now)
            if enrolment_id is None:
                raise NotFound("no such calendar")
            enrolment = await load_enrolment(session, enrolment_id)
            if enrolment.status not in CALENDAR_STATUSES:
                raise NotFound("no such calendar")
            run = run_details(await load_run(session, enrolment.run_id))
            sessions = tuple(s for s in run.sessions if s.id != enrolment.clash_session_id)
            content = build_calendar(run, enrolment.id, sessions, self.policy.zone, now)
            return CalendarFile(f"{run.run_code}.ics", content)

        return await self._run(unit)
