"""``PollService``: what the poll commands and buttons call. Each method is one transaction, retried on
transient conflicts; who may act is decided inside it from the caller's Entra object id and stored roles."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from classroom.clock import Clock
from classroom.conversations import ConversationInfo
from classroom.periodic import PeriodicJob
from classroom.polls import answers_together, exports, links, notices, polls, prepared, results
from classroom.polls.answers_together import PendingVote, VoteResult
from classroom.polls.ballots import Ballot, Choice
from classroom.polls.exports import ExportFile, ExportLinkIssued
from classroom.polls.jobs import purge_export_links
from classroom.polls.kinds import PollDraft
from classroom.polls.links import LinkView
from classroom.polls.polls import CloseOutcome, VoteOutcome, Voter
from classroom.polls.results import RunPolls
from classroom.polls.views import PollView
from classroom.polls.vote_batches import Recorded, VoteBatches
from classroom.privacy.audit import named_actor, record_audit
from classroom.receipts import ActivityReceipts, receipt_key
from classroom.transactions import SessionFactory, in_transaction

log = logging.getLogger(__name__)
DEFAULT_EXPORT_LINK_TTL = timedelta(hours=1)
# A compose card posted stays posted this long (its claim is an activity receipt: no personal data in it). Its
# answer replaces the Post button at once; this covers presses of a copy of the card left elsewhere.
DRAFT_CLAIMS_KEPT = timedelta(days=30)


def _one_statement_sessions(session_factory: SessionFactory) -> SessionFactory:
    """Sessions for a unit of one statement: on PostgreSQL the statement commits on its own (AUTOCOMMIT), which
    spares a vote two round trips (BEGIN, COMMIT); elsewhere the usual sessions."""
    bind = session_factory.kw.get("bind")
    if type(session_factory) is not async_sessionmaker or not isinstance(bind, AsyncEngine):
        return session_factory
    if bind.dialect.name != "postgresql":
        return session_factory
    options = {name: value for name, value in session_factory.kw.items() if name != "bind"}
    return async_sessionmaker(bind.execution_options(isolation_level="AUTOCOMMIT"), **options)


def _batches_at_once(session_factory: SessionFactory) -> int:
    """Batches of votes for one poll recorded at once (``vote_batches``): on PostgreSQL two (they do not wait for
    each other, and one is sent while the other waits for the database: 10–30% more votes a second at concurrency
    32 than one, in 3 noisy pairs; three: no better in one run); elsewhere one (SQLite has one connection)."""
    bind = session_factory.kw.get("bind")
    return 2 if isinstance(bind, AsyncEngine) and bind.dialect.name == "postgresql" else 1


def _counted_view(results: Sequence[VoteResult]) -> PollView | None:
    """The poll as the batch's counted votes left it (None: none was counted)."""
    return next((r.view for r in results if isinstance(r, polls.VoteOutcome) and r.counted), None)


class PollService:
    """``zone``: the time zone of times in exports; ``export_link_ttl``: how long a download link works."""

    def __init__(
        self,
        session_factory: SessionFactory,
        clock: Clock,
        *,
        zone: ZoneInfo | None = None,
        export_link_ttl: timedelta = DEFAULT_EXPORT_LINK_TTL,
    ) -> None:
        self._session_factory = session_factory
        self._one_statement = _one_statement_sessions(session_factory)
        self._clock = clock
        self._zone = zone or ZoneInfo("Europe/London")
        self._export_link_ttl = export_link_ttl
        self._receipts = ActivityReceipts(session_factory, clock)
        self._drafts = ActivityReceipts(session_factory, clock, keep=DRAFT_CLAIMS_KEPT)
        self._waiting_updates = notices.WaitingUpdates()
        at_once = _batches_at_once(session_factory)
        self._votes = VoteBatches(self._answer_alone, self._answer_together, in_flight=at_once)

    async def aclose(self) -> None:
        """At shutdown, before the engine is disposed: the votes being recorded together finish (``VoteBatches``)."""
        await self._votes.aclose()

    async def link(self, here: ConversationInfo, run_code: str, *, by: Voter) -> LinkView:
        now = self._clock.now()
        return await in_transaction(
            self._session_factory,
            lambda s: links.link_chat(s, here, run_code, by=by.aad_object_id, by_name=by.name, now=now),
        )

    async def link_of(self, conversation_id: str) -> LinkView:
        return await in_transaction(self._session_factory, lambda s: links.show_link(s, conversation_id))

    async def unlink(self, conversation_id: str, *, by: str) -> LinkView:
        return await in_transaction(self._session_factory, lambda s: links.unlink_chat(s, conversation_id, by=by))

    async def launch(
        self, conversation_id: str, draft: PollDraft, *, by: Voter, draft_id: str | None = None
    ) -> PollView:
        """``draft_id``: the compose card's own id, consumed by the launch in the same transaction, so one card
        posts one poll however often its Post is pressed; raises AlreadyTaken (posting nothing) once it has."""
        now = self._clock.now()
        claim = receipt_key("poll-draft", conversation_id, draft_id) if draft_id else None

        async def unit(session: AsyncSession) -> PollView:
            await self._drafts.require_claim_in(session, claim)
            return await polls.launch(session, conversation_id, draft, by=by, now=now)

        return await in_transaction(self._session_factory, unit)

    async def vote(self, poll_id: int, option_id: int, voter: Voter) -> VoteOutcome:
        return await self.answer(poll_id, Choice(option_id), voter)

    async def answer(self, poll_id: int, ballot: Ballot, voter: Voter, *, receipt: str | None = None) -> VoteOutcome:
        """``receipt``: the claim key of the activity carrying the answer, claimed in the same transaction (raises
        AlreadyTaken, changing nothing, when it was claimed before: a redelivery). A refused answer (closed,
        locked, not an option) claims nothing: it changed nothing either. Votes for the poll that arrive together
        share a transaction (``vote_batches``)."""
        return await self._votes.answer(poll_id, PendingVote(ballot, voter, receipt, self._clock.now()))

    async def _answer_alone(self, poll_id: int, vote: PendingVote) -> VoteOutcome:
        ballot, voter, receipt, now = vote.ballot, vote.voter, vote.receipt, vote.now
        marked = False
        waiting = self._waiting_updates
        drawn: dict[str, datetime | None] = {}

        async def unit(session: AsyncSession) -> VoteOutcome:
            nonlocal marked, drawn
            drawn = {}  # what an attempt rolled back marked is not noted
            outcome = await polls.answer(session, poll_id, ballot, voter, now=now)
            # Claimed last, in the same transaction: a redelivery rolls back the vote it repeated. (Claimed first,
            # PostgreSQL took no more votes a second at concurrency 32, and p99 latency was higher.)
            await self._receipts.require_claim_in(session, receipt)
            marked = outcome.counted and session.get_bind().dialect.name == "sqlite"
            if marked:
                # SQLite: this vote holds the database's write lock until it commits, so no dispatcher can claim
                # the card in between; saying so here spares a transaction. Asked at this moment, not when the vote
                # began: it may have waited for the connection while the update it would join was drawn.
                drawn = await notices.card_changed(session, outcome.view, now=self._clock.now(), waiting=waiting)
            return outcome

        outcome = await in_transaction(self._session_factory, unit)
        waiting.note(drawn)  # committed
        if outcome.counted and not marked:
            await self._card_changed(outcome.view)
        return outcome

    async def _answer_together(self, poll_id: int, votes: Sequence[PendingVote]) -> Recorded:
        """Several votes for the poll in one transaction (``answers_together``); the card marked once for them (on
        PostgreSQL once the voters have their answers: ``vote_batches`` runs the step returned)."""
        waiting = self._waiting_updates
        marked: PollView | None = None
        drawn: dict[str, datetime | None] = {}

        async def unit(session: AsyncSession) -> list[VoteResult]:
            nonlocal marked, drawn
            marked, drawn = None, {}
            results = await answers_together.answer_together(session, poll_id, votes, self._receipts)
            counted = _counted_view(results)
            if counted is not None and session.get_bind().dialect.name == "sqlite":
                marked = counted  # as a vote alone: marked while the database's write lock is held
                drawn = await notices.card_changed(session, counted, now=self._clock.now(), waiting=waiting)
            return results

        results = await in_transaction(self._session_factory, unit)
        waiting.note(drawn)  # committed
        counted = _counted_view(results)
        if counted is not None and marked is None:
            view = counted
            return results, lambda: self._card_changed(view)
        return results, None

    async def _card_changed(self, view: PollView) -> None:
        """Once votes have committed (PostgreSQL: votes do not wait for each other, nor for a claim of the card): a
        card drawn before that is then found being sent, and sent again (``card_changed``). An update this process
        made due, not drawn yet, takes them without a transaction."""
        waiting = self._waiting_updates
        marked_at = self._clock.now()
        if notices.update_waiting(view, waiting, marked_at):
            return
        try:
            waiting.note(
                await in_transaction(
                    self._one_statement,
                    lambda s: notices.card_changed(s, view, now=marked_at, waiting=waiting),
                )
            )
        except Exception:  # the vote is stored: the voter is told so; the next vote or the close redraws the card
            log.exception("poll %s: vote counted, but its card could not be marked for an update", view.id)

    async def close(self, poll_id: int, *, by: Voter) -> CloseOutcome:
        now = self._clock.now()
        return await in_transaction(self._session_factory, lambda s: polls.close(s, poll_id, by=by, now=now))

    async def prepare(self, run_code: str, draft: PollDraft, *, by: Voter) -> prepared.PreparedView:
        now = self._clock.now()
        return await in_transaction(
            self._session_factory, lambda s: prepared.prepare(s, run_code, draft, by=by, now=now)
        )

    async def prepared_here(self, conversation_id: str, *, by: str) -> list[prepared.PreparedView]:
        return await in_transaction(self._session_factory, lambda s: prepared.prepared_here(s, conversation_id, by=by))

    async def launch_prepared(self, conversation_id: str, prepared_id: int, *, by: Voter) -> prepared.PreparedLaunch:
        now = self._clock.now()
        return await in_transaction(
            self._session_factory,
            lambda s: prepared.launch_prepared(s, conversation_id, prepared_id, by=by, now=now),
        )

    async def own_view(self, poll_id: int, aad_object_id: str) -> polls.OwnView:
        return await in_transaction(self._session_factory, lambda s: polls.own_view(s, poll_id, aad_object_id))

    async def poll(self, poll_id: int) -> PollView:
        return await in_transaction(self._session_factory, lambda s: polls.poll_for(s, poll_id))

    # -- after the session: results and exports, for the run's trainers and coordinators ----------------------

    async def run_polls(self, run_code: str, *, by: str | None) -> RunPolls:
        """The run's polls with their results. Raises NotFound (no such run, or not the caller's to see)."""
        return await in_transaction(self._session_factory, lambda s: results.run_polls(s, run_code, by))

    async def results(self, poll_id: int, *, by: str | None) -> PollView:
        """One poll's results. Raises NotFound (no such poll, or not the caller's to see)."""
        return await in_transaction(self._session_factory, lambda s: results.poll_results(s, poll_id, by))

    async def export_link(
        self, *, poll_id: int | None = None, run_code: str | None = None, by: str | None
    ) -> ExportLinkIssued:
        """A download link for the answers of one poll or of a run's polls. Raises NotFound (alike for not
        allowed)."""
        now = self._clock.now()
        ttl = self._export_link_ttl

        async def unit(session: AsyncSession) -> ExportLinkIssued:
            issued = await exports.issue_link(session, run_code=run_code, poll_id=poll_id, by=by, now=now, ttl=ttl)
            # An export of people's answers is a privileged action: recorded with who asked, for what.
            actor = await named_actor(session, by, "")
            record_audit(session, now, "polls.export", actor, poll=poll_id, run=run_code)
            return issued

        return await in_transaction(self._session_factory, unit)

    async def export_file(self, token: str) -> ExportFile:
        """The CSV behind a link. Raises NotFound for unknown, expired or no longer entitled links (alike)."""
        now = self._clock.now()
        return await in_transaction(
            self._session_factory, lambda s: exports.export_file(s, token, now=now, zone=self._zone)
        )

    def export_links_job(self) -> PeriodicJob:
        """The hourly job (schedule it as ``EXPORT_LINKS_JOB``): rows of long-expired download links dropped."""
        return purge_export_links(self._clock)

    async def close_due(self) -> int:
        """Close every poll whose time is up (what the periodic job does, in a transaction of its own)."""
        now = self._clock.now()
        return await in_transaction(self._session_factory, lambda s: polls.close_due_polls(s, now=now))

    def closing_job(self) -> PeriodicJob:
        """The minutely job (``CLOSING_JOB``) closing polls whose time is up, in the period's claiming transaction."""

        async def close_due(session: AsyncSession) -> None:
            await polls.close_due_polls(session, now=self._clock.now())

        return close_due
