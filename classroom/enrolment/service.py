"""``EnrolmentService``: what dialogs call. One transaction per call, retried on transient conflicts.

Every method takes the caller's Entra object id (from the authenticated activity) and decides what that
person may do from the database; nothing a card sends back is trusted beyond naming what to act on.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from classroom.catalogue.snapshot import CatalogueSnapshot
from classroom.catalogue.views import Catalogue
from classroom.clock import Clock
from classroom.enrolment import calendar_links, enrolments, queries, withdrawals
from classroom.enrolment.authorisation import may_oversee, require_coordinator
from classroom.enrolment.common_places import take_common_place_on
from classroom.enrolment.enrolments import Clash
from classroom.enrolment.errors import EnrolmentRefused, NoEnrolment, NothingToDecide
from classroom.enrolment.ics import build_calendar, build_cancellation
from classroom.enrolment.jobs import enrolment_housekeeping
from classroom.enrolment.loading import (
    find_enrolment,
    load_actor,
    load_enrolment,
    load_person,
    load_run,
    normalise_code,
    run_id_for_code,
    waitlist_position,
)
from classroom.enrolment.locking import lock_run
from classroom.enrolment.notices import ClashReviewNotice, OrganisationCheckNotice, WaitlistOfferNotice
from classroom.enrolment.offer_cards import offer_notice, offer_outcome
from classroom.enrolment.organisations import (
    OrganisationChoice,
    OrganisationStanding,
    choose_organisation,
    decide_organisation,
    organisation_check,
    organisation_choices,
    resolve_organisation,
    standing_and_catalogue_version,
    standing_by_id,
)
from classroom.enrolment.policy import EnrolmentPolicy
from classroom.enrolment.review_cards import review_card, review_outcome
from classroom.enrolment.session_moves import move_session, preview_move
from classroom.enrolment.starts import kept_start_on
from classroom.enrolment.views import (
    CalendarFile,
    CalendarLinkIssued,
    EnrolmentView,
    MyCourses,
    Quote,
    Roster,
    RunChoice,
    SessionMove,
    SessionMovePreview,
    Withdrawal,
    enrolment_view_with,
    run_details,
    run_details_of,
)
from classroom.errors import InvalidInput, NotAllowed, NotFound
from classroom.people import meet
from classroom.periodic import PeriodicJob
from classroom.privacy.audit import named_actor, record_audit
from classroom.transactions import in_read_on, in_transaction, in_transaction_on, read_sessions
from storage.models import Enrolment, EnrolmentStatus, Organisation, Person

T = TypeVar("T")

CALENDAR_STATUSES = frozenset({EnrolmentStatus.CONFIRMED, EnrolmentStatus.PENDING_REVIEW})
# A person's enrolment on a run, as plain values: all a calendar link needs (its id and status).
_PLACE = (
    select(Enrolment.id, Enrolment.status)
    .join(Person, Person.id == Enrolment.person_id)
    .where(Enrolment.run_id == bindparam("run_id"), Person.aad_object_id == bindparam("aad_object_id"))
)


@dataclass(frozen=True)
class EnrolmentStart:
    """What :meth:`EnrolmentService.begin` read: the runs open for enrolment, what we know of the person's
    organisation (None when no run is open), and ``unknown`` when the code names no course or run."""

    runs: list[RunChoice]
    standing: OrganisationStanding | None
    unknown: NotFound | None = None


def _utc(moment: datetime) -> datetime:
    # Aware datetimes sharing one tzinfo compare by wall clock, not by instant: in UTC every comparison is true.
    if moment.tzinfo is None:
        raise InvalidInput("times must be timezone-aware")
    return moment.astimezone(UTC)


async def _require_coordinator(session: AsyncSession, aad_object_id: str) -> None:
    try:
        actor = await load_actor(session, aad_object_id)
    except NotFound as error:
        raise NotAllowed("only coordinators can do this") from error
    require_coordinator(actor)


class EnrolmentService:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Clock,
        policy: EnrolmentPolicy | None = None,
        catalogue: CatalogueSnapshot | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._clock = clock
        self.policy = policy or EnrolmentPolicy()
        # The catalogue kept in memory: the catalogue service's, when the host shares it (one copy per process).
        self._catalogue = catalogue or CatalogueSnapshot()
        self._recent_links = calendar_links.RecentLinks()
        self._reads = read_sessions(session_factory)

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
            await meet(session, aad_object_id, name)  # someone we know costs one read

        await self._run(unit)

    async def begin(self, aad_object_id: str, name: str, code: str) -> EnrolmentStart:
        """``enrol CODE``'s first reads in one transaction: meet the person (as :meth:`meet`), the runs the code
        names that take enrolments (as :meth:`open_runs`) and what we know of their organisation (as
        :meth:`organisation_standing`). A code naming nothing is ``unknown`` rather than raised, so the person is
        met all the same."""

        if self._catalogue.kept is not None:  # the usual turn: one statement (``starts.kept_start_on``)
            # The clock read inside the step: a retried step decides on the time it runs at.
            kept = await in_transaction_on(
                self._reads, lambda c: kept_start_on(c, aad_object_id, name, code, self._clock.now(), self._catalogue)
            )
            if kept is not None:
                return EnrolmentStart(*kept)

        async def unit(session: AsyncSession) -> EnrolmentStart:
            await meet(session, aad_object_id, name)

            async def read(_kept: Catalogue) -> tuple[int, OrganisationStanding]:
                standing, version = await standing_and_catalogue_version(session, aad_object_id)
                return version, standing

            catalogue, standing = await self._catalogue.checked(session, read)
            try:
                runs = await queries.open_runs(session, code, self._clock.now(), catalogue)
            except NotFound as error:
                return EnrolmentStart([], None, unknown=error)
            return EnrolmentStart(runs, standing if runs else None)

        return await self._run(unit)

    async def needs_organisation(self, aad_object_id: str) -> bool:
        async def unit(session: AsyncSession) -> bool:
            return (await load_person(session, aad_object_id)).organisation_id is None

        return await self._run(unit)

    async def organisations(self) -> list[OrganisationChoice]:
        return await self._run(organisation_choices)

    async def organisation_standing(self, aad_object_id: str) -> OrganisationStanding:
        """What we know of the person's organisation, and how (nothing is changed)."""

        return await self._run(lambda session: standing_by_id(session, aad_object_id))

    async def resolve_organisation(
        self, aad_object_id: str, *, tenant_id: str | None, email: str | None
    ) -> OrganisationStanding:
        """Settle the person's organisation from their Teams tenant and email when the catalogue lists either
        (see ``organisations.resolve_organisation``); both are untrusted values from Teams."""
        return await self._run(
            lambda session: resolve_organisation(
                session, aad_object_id, tenant_id=tenant_id, email=email, now=self._clock.now()
            )
        )

    async def choose_organisation(self, aad_object_id: str, organisation_id: int) -> str:
        """Record the person's own answer, pending a coordinator's confirmation (who gets a card)."""
        return await self._run(
            lambda session: choose_organisation(session, aad_object_id, organisation_id, self._clock.now())
        )

    async def decide_organisation(
        self, actor_aad_object_id: str, person_id: int, organisation_id: int | None = None, *, where: str = ""
    ) -> OrganisationCheckNotice:
        """A coordinator confirms a person's own choice (``organisation_id`` None) or corrects it. Raises
        NotAllowed (not a coordinator), NotFound, or OrganisationAlreadySettled. Recorded in the audit log."""

        async def unit(session: AsyncSession) -> OrganisationCheckNotice:
            now = self._clock.now()
            notice = await decide_organisation(session, actor_aad_object_id, person_id, organisation_id, now)
            person = await session.get(Person, person_id)
            organisation = (
                await session.get(Organisation, person.organisation_id) if person and person.organisation_id else None
            )
            record_audit(
                session,
                now,
                "enrolment.organisation_correct" if organisation_id is not None else "enrolment.organisation_confirm",
                await named_actor(session, actor_aad_object_id, where),
                subject_aad_object_id=person.aad_object_id if person else None,
                subject_name=person.name if person else "",
                organisation=organisation.name if organisation else None,
            )
            return notice

        return await self._run(unit)

    async def organisation_check(self, actor_aad_object_id: str, person_id: int) -> OrganisationCheckNotice:
        """The coordinators' card about a person's organisation as it stands. Raises NotAllowed, NotFound."""
        return await self._run(lambda session: organisation_check(session, actor_aad_object_id, person_id))

    async def open_runs(self, code: str) -> list[RunChoice]:
        """Runs of a course (or the run) that take enrolments. Raises NotFound for an unknown code."""

        async def unit(session: AsyncSession) -> list[RunChoice]:
            return await queries.open_runs(session, code, self._clock.now(), await self._catalogue.current(session))

        return await self._run(unit)

    async def quote(self, aad_object_id: str, run_code: str) -> Quote:
        if self._catalogue.kept is not None:  # the usual quote: one statement (``queries.kept_quote_on``)
            kept = await in_read_on(
                self._reads,
                lambda c: queries.kept_quote_on(c, aad_object_id, run_code, self._clock.now(), self._catalogue),
            )
            if kept is not None:
                return kept

        async def unit(session: AsyncSession) -> Quote:
            return await queries.quote(session, aad_object_id, run_code, self._clock.now(), self._catalogue)

        return await self._run(unit)

    async def enrol(
        self, aad_object_id: str, run_code: str, *, clash: Clash | None = None, calendar_link: bool = False
    ) -> EnrolmentView:
        """Take a place (or a place pending review, with a clash). See ``enrolments.enrol`` for refusals.

        ``calendar_link``: a place confirmed comes with a fresh "Add to calendar" link (``view.calendar_link``),
        issued in the same transaction (what the person is shown next has one)."""
        return await self._change(aad_object_id, run_code, clash=clash, waitlist=False, calendar_link=calendar_link)

    async def join_waitlist(self, aad_object_id: str, run_code: str) -> EnrolmentView:
        """Join a full run's waitlist (or take the place that came free meanwhile, as an offer)."""
        return await self._change(aad_object_id, run_code, clash=None, waitlist=True, calendar_link=False)

    async def _change(
        self, aad_object_id: str, run_code: str, *, clash: Clash | None, waitlist: bool, calendar_link: bool
    ) -> EnrolmentView:
        if clash is None and not waitlist and self._catalogue.kept is not None:
            # The common case whole in one step on a pooled connection, no ORM session (``common_places``);
            # anything else in a transaction of its own (this one rolled back: it took the run's lock only).
            try:
                return await in_transaction_on(
                    self._session_factory,
                    lambda connection: _common(  # the clock read in the step, as a retry runs later
                        self._common_place_on(connection, aad_object_id, run_code, self._clock.now(), calendar_link)
                    ),
                )
            except _NotCommon:
                pass

        async def unit(session: AsyncSession) -> EnrolmentView:
            now = self._clock.now()
            run_id = await run_id_for_code(session, run_code)
            enrolment = await enrolments.enrol(
                session, aad_object_id, run_id, clash=clash, waitlist=waitlist, now=now, policy=self.policy
            )
            await session.flush()
            return await self._view(session, enrolment, calendar_link=calendar_link)

        return await self._run(unit)

    def _common_place_on(
        self, connection: Connection, aad_object_id: str, run_code: str, now: datetime, calendar_link: bool
    ) -> EnrolmentView | None:
        """:meth:`enrol`'s common case from synchronous code (``in_transaction_on``), with its calendar link."""
        view = take_common_place_on(connection, aad_object_id, run_code, self._catalogue, now=now, policy=self.policy)
        if view is None or not calendar_link:
            return view
        token, expires_at = calendar_links.issue_link_on(connection, view.id, now, self.policy.calendar_link_ttl)
        return replace(view, calendar_link=CalendarLinkIssued(token, expires_at))

    async def _view(self, session: AsyncSession, enrolment: Enrolment, *, calendar_link: bool) -> EnrolmentView:
        """The enrolment as changed in this transaction, built from what is in memory: the enrolment as the change
        left it (flushed), its person, organisation and reviewer from the session (read by the change already, so
        looked up without a statement), its run's details from the catalogue kept in memory (an enrolment changes
        nothing of the run's); with ``calendar_link``, for a confirmed place a fresh "Add to calendar" link (issued
        here rather than in a transaction of its own)."""
        person = await session.get_one(Person, enrolment.person_id)
        organisation = await session.get(Organisation, enrolment.organisation_id) if enrolment.organisation_id else None
        reviewer_id = enrolment.reviewed_by_person_id
        reviewer = await session.get(Person, reviewer_id) if reviewer_id is not None else None
        course, run = (await self._catalogue.current(session)).runs_by_id[enrolment.run_id]
        position = await waitlist_position(session, enrolment)
        view = enrolment_view_with(enrolment, run_details_of(course, run), person, organisation, reviewer, position)
        return await self._with_calendar_link(session, view, calendar_link=calendar_link)

    async def _with_calendar_link(
        self, session: AsyncSession, view: EnrolmentView, *, calendar_link: bool
    ) -> EnrolmentView:
        """``view``, with ``calendar_link`` and a confirmed place a fresh "Add to calendar" link (issued here rather
        than in a transaction of its own)."""
        if not calendar_link or view.status != EnrolmentStatus.CONFIRMED:
            return view
        token, expires_at = await calendar_links.issue_link(
            session, view.id, self._clock.now(), self.policy.calendar_link_ttl
        )
        return replace(view, calendar_link=CalendarLinkIssued(token, expires_at))

    async def accept_offer(self, aad_object_id: str, run_code: str, *, calendar_link: bool = False) -> EnrolmentView:
        """Take the place held for the person, attending every date. Raises OfferNotOpen, OfferExpired, ...
        ``calendar_link``: as ``enrol``."""

        async def unit(session: AsyncSession) -> EnrolmentView:
            run_id = await run_id_for_code(session, run_code)
            enrolment = await enrolments.accept_offer(
                session, aad_object_id, run_id, now=self._clock.now(), policy=self.policy
            )
            await session.flush()
            return await self._view(session, enrolment, calendar_link=calendar_link)

        return await self._run(unit)

    async def offer_card(self, aad_object_id: str, run_code: str) -> WaitlistOfferNotice:
        """The person's latest offer of a place on the run as its card shows it now (open, or what became of it).

        Raises NoEnrolment when they have never been on the run's waitlist."""

        async def unit(session: AsyncSession) -> WaitlistOfferNotice:
            run_id = await run_id_for_code(session, run_code)
            person = await load_person(session, aad_object_id)
            enrolment = await find_enrolment(session, run_id, person.id)
            if enrolment is None:
                raise NoEnrolment(f"you have no place or offer on {run_code.upper()}")
            run = await load_run(session, run_id)
            outcome = offer_outcome(enrolment)
            expires_at = enrolment.offer_expires_at if outcome is None else None
            return offer_notice(run, person.organisation, expires_at, outcome)

        return await self._run(unit)

    async def withdraw(self, aad_object_id: str, run_code: str, *, reason: str | None = None) -> Withdrawal:
        """Give up a place, review, offer or waitlist entry, saying why if they like (the run's trainers and the
        coordinators hear of a place given up). A place that had a calendar comes with a link whose file
        cancels its events. Raises NoEnrolment, EnrolmentClosed, or InvalidInput (a reason too long)."""
        return await self._withdraw(aad_object_id, run_code, only=None, reason=reason)

    async def decline_offer(self, aad_object_id: str, run_code: str) -> Withdrawal:
        """Turn down a place offered from the waitlist (it passes to the next person). Raises NoEnrolment."""
        return await self._withdraw(aad_object_id, run_code, only=frozenset({EnrolmentStatus.OFFERED}), reason=None)

    async def _withdraw(
        self, aad_object_id: str, run_code: str, *, only: frozenset[EnrolmentStatus] | None, reason: str | None
    ) -> Withdrawal:
        if self._catalogue.kept is not None:
            # The common case whole in one step on a pooled connection, no ORM session (``withdraw_common_on``);
            # anything else in a transaction of its own (this one rolled back: it took the run's lock only).
            try:
                return await in_transaction_on(
                    self._session_factory,
                    lambda connection: _common(  # the clock read in the step, as a retry runs later
                        self._withdraw_common_on(connection, aad_object_id, run_code, self._clock.now(), only, reason)
                    ),
                )
            except _NotCommon:
                pass

        async def unit(session: AsyncSession) -> Withdrawal:
            now = self._clock.now()
            withdrawn = await withdrawals.withdraw_by_code(
                session, aad_object_id, run_code, self._catalogue, now=now, policy=self.policy, only=only, reason=reason
            )
            code, previous = withdrawn.run_code, withdrawn.previous
            if previous not in CALENDAR_STATUSES:
                return Withdrawal(code, previous)
            token, expires_at = await calendar_links.issue_link(
                session, withdrawn.enrolment_id, now, self.policy.calendar_link_ttl
            )
            return Withdrawal(code, previous, CalendarLinkIssued(token, expires_at))

        return await self._run(unit)

    def _withdraw_common_on(
        self,
        connection: Connection,
        aad_object_id: str,
        run_code: str,
        now: datetime,
        only: frozenset[EnrolmentStatus] | None,
        reason: str | None,
    ) -> Withdrawal | None:
        """:meth:`_withdraw`'s common case from synchronous code (``in_transaction_on``), with its calendar link."""
        withdrawn = withdrawals.withdraw_common_on(
            connection, aad_object_id, run_code, self._catalogue, now=now, only=only, reason=reason
        )
        if withdrawn is None:
            return None
        code, previous = withdrawn.run_code, withdrawn.previous
        if previous not in CALENDAR_STATUSES:
            return Withdrawal(code, previous)
        ttl = self.policy.calendar_link_ttl
        token, expires_at = calendar_links.issue_link_on(connection, withdrawn.enrolment_id, now, ttl)
        return Withdrawal(code, previous, CalendarLinkIssued(token, expires_at))

    async def decide_clash(
        self,
        actor_aad_object_id: str,
        enrolment_id: int,
        *,
        accept: bool,
        round_: int | None = None,
        where: str = "",
    ) -> EnrolmentView:
        """Accept or decline a clash (``round_``: the request a review card was about); raises NothingToDecide
        (no such request, or not theirs to decide: alike) or AlreadyDecided. Recorded in the audit log."""

        async def unit(session: AsyncSession) -> EnrolmentView:
            enrolment = await enrolments.decide_clash(
                session,
                actor_aad_object_id,
                enrolment_id,
                accept=accept,
                now=self._clock.now(),
                policy=self.policy,
                round_=round_,
            )
            await session.flush()
            loaded, run = await load_enrolment(session, enrolment.id), await load_run(session, enrolment.run_id)
            record_audit(
                session,
                self._clock.now(),
                "enrolment.clash_accept" if accept else "enrolment.clash_decline",
                await named_actor(session, actor_aad_object_id, where),
                subject_aad_object_id=loaded.person.aad_object_id,
                subject_name=loaded.person.name,
                run=run.code,
                sessions=[s.position for s in loaded.clash_sessions],
            )
            return await queries.view_of(session, loaded, run)

        return await self._run(unit)

    async def clash_review(
        self, actor_aad_object_id: str, enrolment_id: int, *, round_: int | None = None
    ) -> ClashReviewNotice:
        """A clash review as its card shows it now (waiting, or what was decided), for a trainer of the run or a
        coordinator. Raises NothingToDecide (no such request, or not theirs to see: alike), or NotFound when the
        enrolment has no clash (any more), or when ``round_`` names an earlier request than its current one."""

        async def unit(session: AsyncSession) -> ClashReviewNotice:
            try:
                enrolment = await load_enrolment(session, enrolment_id)
                run = await load_run(session, enrolment.run_id)
                actor = await load_actor(session, actor_aad_object_id)
            except NotFound as error:
                raise NothingToDecide() from error
            if not may_oversee(run, actor):
                raise NothingToDecide()
            if not enrolment.clash_sessions or round_ not in (None, enrolment.round):
                raise NotFound(f"enrolment {enrolment_id} has no clash to review")
            return review_card(enrolment, run, review_outcome(enrolment))

        return await self._run(unit)

    async def my_enrolments(self, aad_object_id: str, code: str | None = None) -> list[EnrolmentView]:
        """The person's places, reviews, offers and waitlist entries on runs not yet finished (those of a course or
        run ``code`` names), read as ``my courses`` reads them: in one statement that checks the catalogue kept in
        memory by the version it reads (a person's current enrolments are a handful, so all are read)."""

        if self._catalogue.kept is not None:  # the usual read: one statement (``queries.kept_current_enrolments_on``)
            kept = await in_read_on(
                self._reads,
                lambda c: queries.kept_current_enrolments_on(c, aad_object_id, self._clock.now(), self._catalogue),
            )
            if kept is not None:
                return _of_code(kept[0], code)

        async def unit(session: AsyncSession) -> list[EnrolmentView]:
            now = self._clock.now()
            views, _stored = await queries.all_current_enrolments(session, aad_object_id, now, self._catalogue)
            return _of_code(views, code)

        return await self._run(unit)

    async def my_courses(self, aad_object_id: str) -> MyCourses:
        """``my courses``: where the person stands on each run not yet finished, and an "Add to calendar" link
        for each confirmed place (the one shown lately, or a new one: ``calendar_links.links_for_view``). One read
        (the places, the catalogue's version and whether the links shown lately are still stored) and at most one
        insert, so on PostgreSQL each statement commits on its own (``read_sessions``)."""
        now = self._clock.now()
        hashes = self._recent_links.reusable_hashes(aad_object_id, now, self.policy.calendar_link_ttl)
        if self._catalogue.kept is not None:
            kept = await in_transaction_on(
                self._reads, lambda c: self._my_courses_kept_on(c, aad_object_id, now, hashes)
            )
            if kept is not None:
                return kept

        async def unit(session: AsyncSession) -> MyCourses:
            views, stored = await queries.all_current_enrolments(session, aad_object_id, now, self._catalogue, hashes)
            return await self._with_links(session, aad_object_id, views, stored, now)

        return await in_transaction(self._reads, unit)

    async def _with_links(
        self, session: AsyncSession, holder: str, views: list[EnrolmentView], stored: set[int], now: datetime
    ) -> MyCourses:
        """``my courses`` of the places ``views``, each confirmed one with its link (``stored``: those whose link
        shown lately is still stored)."""
        confirmed = [view.id for view in views if view.status == EnrolmentStatus.CONFIRMED]
        issued = await calendar_links.links_for_view(
            session,
            confirmed,
            now,
            self.policy.calendar_link_ttl,
            self._recent_links,
            holder=holder,
            still_stored=stored,
        )
        return MyCourses(views, _links(issued))

    def _my_courses_kept_on(
        self, connection: Connection, aad_object_id: str, now: datetime, hashes: dict[str, int]
    ) -> MyCourses | None:
        """:meth:`my_courses` with the catalogue kept in memory, run whole from synchronous code on a pooled
        connection (``in_transaction_on``): the ORM session's transaction and the driver hand-overs cost more than
        its statement (and its insert, when a link is to be issued). None when the copy is not the database's
        catalogue or a waitlist position is to be counted: then the async way, which rebuilds or counts."""
        found = queries.kept_current_enrolments_on(connection, aad_object_id, now, self._catalogue, hashes)
        if found is None:
            return None
        views, stored = found
        confirmed = [view.id for view in views if view.status == EnrolmentStatus.CONFIRMED]
        ttl, recent = self.policy.calendar_link_ttl, self._recent_links
        issued = calendar_links.links_for_view_on(
            connection, confirmed, now, ttl, recent, holder=aad_object_id, still_stored=stored
        )
        return MyCourses(views, _links(issued))

    async def rosters(self, actor_aad_object_id: str, code: str) -> list[Roster]:
        return await self._run(lambda session: queries.rosters(session, actor_aad_object_id, code, self._clock.now()))

    async def preview_session_move(
        self, actor_aad_object_id: str, run_code: str, position: int, starts_at: datetime, ends_at: datetime
    ) -> SessionMovePreview:
        """What moving a session would do and whom it would tell, for the coordinator to confirm; changes nothing.

        Raises NotAllowed (not a coordinator), NotFound (no such run) or InvalidInput (see ``check_move``).
        """
        starts_at, ends_at = _utc(starts_at), _utc(ends_at)

        async def unit(session: AsyncSession) -> SessionMovePreview:
            await _require_coordinator(session, actor_aad_object_id)
            run = await load_run(session, await run_id_for_code(session, run_code))
            return await preview_move(session, run, position, starts_at, ends_at, self._clock.now(), self.policy.zone)

        return await self._run(unit)

    async def move_session(
        self,
        actor_aad_object_id: str,
        run_code: str,
        position: int,
        starts_at: datetime,
        ends_at: datetime,
        *,
        was: tuple[datetime, datetime],
        where: str = "",
    ) -> SessionMove:
        """A coordinator confirms moving a session from ``was`` (the time they were shown); everyone holding a
        place and the run's trainers are told, reminders move, and a clash with the old time is cleared.

        Checked again as it happens: the caller must be a coordinator now, and the session still at ``was``.
        Raises NotAllowed, NotFound, SessionChanged or InvalidInput.
        """
        starts_at, ends_at, was = _utc(starts_at), _utc(ends_at), (_utc(was[0]), _utc(was[1]))

        async def unit(session: AsyncSession) -> SessionMove:
            await _require_coordinator(session, actor_aad_object_id)
            run_id = await run_id_for_code(session, run_code)
            await lock_run(session, run_id)
            run = await load_run(session, run_id)
            moved = await move_session(
                session, run, position, starts_at, ends_at, self._clock.now(), self.policy, was=was
            )
            record_audit(
                session,
                self._clock.now(),
                "enrolment.reschedule",
                await named_actor(session, actor_aad_object_id, where),
                run=run.code,
                session_number=position,
                was=[was[0].isoformat(), was[1].isoformat()],
                now=[starts_at.isoformat(), ends_at.isoformat()],
            )
            return moved

        return await self._run(unit)

    async def issue_calendar_link(self, aad_object_id: str, run_code: str) -> CalendarLinkIssued:
        """A fresh "Add to calendar" link for the person's place on the run. Raises NoEnrolment."""

        async def unit(session: AsyncSession) -> CalendarLinkIssued:
            run_id = await run_id_for_code(session, run_code)
            found = (await session.execute(_PLACE, {"run_id": run_id, "aad_object_id": aad_object_id})).first()
            if found is None or found.status not in CALENDAR_STATUSES:
                await load_person(session, aad_object_id)  # someone we have not met: NotFound, as before
                raise NoEnrolment(f"you have no place on {run_code.upper()}")
            token, expires_at = await calendar_links.issue_link(
                session, found.id, self._clock.now(), self.policy.calendar_link_ttl
            )
            return CalendarLinkIssued(token, expires_at)

        return await self._run(unit)

    async def calendar_file(self, token: str) -> CalendarFile:
        """The .ics behind a link: the sessions of the place (less those they miss), or, once the place is given
        up, the cancellation of those events. Raises NotFound for an unknown or expired link (alike)."""

        async def unit(session: AsyncSession) -> CalendarFile:
            now = self._clock.now()
            enrolment_id = await calendar_links.enrolment_id_for_token(session, token, now)
            if enrolment_id is None:
                raise NotFound("no such calendar")
            enrolment = await load_enrolment(session, enrolment_id)
            run = run_details(await load_run(session, enrolment.run_id))
            zone, round_ = self.policy.zone, enrolment.round
            if enrolment.status not in CALENDAR_STATUSES:
                # Links are only issued for places, so this place was given up since (or is waiting again). Sessions
                # that had begun by then stay in the diary: they happened, and the person may have been there.
                given_up = enrolment.ended_at or now
                ahead = tuple(s for s in run.sessions if s.starts_at >= given_up)
                content = build_cancellation(run, enrolment.id, ahead, zone, now, round_)
                return CalendarFile(f"{run.run_code}-cancelled.ics", content)
            missed = {s.id for s in enrolment.clash_sessions}
            sessions = tuple(s for s in run.sessions if s.id not in missed)
            return CalendarFile(f"{run.run_code}.ics", build_calendar(run, enrolment.id, sessions, zone, now, round_))

        return await self._run(unit)


class _NotCommon(Exception):
    """Not the common case of a step run whole on a pooled connection: its transaction is rolled back (it took the
    run's lock, nothing else), and the step runs the ORM way."""


def _common(found: T | None) -> T:
    """``found``, the common case's result; raises :class:`_NotCommon` for None."""
    if found is None:
        raise _NotCommon()
    return found


def _of_code(views: list[EnrolmentView], code: str | None) -> list[EnrolmentView]:
    """The views on the runs ``code`` names (every view for None)."""
    if code is None:
        return views
    normalised = normalise_code(code)  # as ``runs_for_code``: a course's runs, or a run by its own code
    return [view for view in views if normalised in (view.run.course_code, view.run.run_code)]


def _links(links: dict[int, tuple[str, datetime]]) -> dict[int, CalendarLinkIssued]:
    return {id_: CalendarLinkIssued(token, expires_at) for id_, (token, expires_at) in links.items()}
