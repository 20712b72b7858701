"""Launching, answering and closing a poll (by a runner, or by its timer): each a unit of one transaction
(``PollService`` runs them).

Each vote and the close of a poll take the poll's lock: votes a shared one (``snapshot.locked_for_answer``: on
PostgreSQL votes for one poll do not wait for each other), the close an exclusive one (``lock_poll``). So a
vote either commits before the close, and is in the final results the close publishes, or finds the poll closed
and is refused with them. A vote writes nothing shared with other votes: the card is drawn from the tallies when
it is sent, and the vote only makes it due again once it has committed (``notices.card_changed``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BindParameter, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from classroom.errors import InvalidInput, NotFound
from classroom.polls.answer_rows import earlier_answer, record_answer
from classroom.polls.authorisation import require_poll_runner, run_by_id
from classroom.polls.ballots import Ballot, Choice, answer_text, checked, same_answer
from classroom.polls.errors import AnswerLocked, PollClosed
from classroom.polls.kinds import Confidence, MultipleChoice, PollDraft, PollKindSpec, Quiz, Rating
from classroom.polls.links import linked_run
from classroom.polls.notices import launcher_gets_results, post_card, refresh_card
from classroom.polls.snapshot import locked_for_answer, poll_gate
from classroom.polls.views import PollView, poll_view, poll_views
from classroom.polls.voters import new_hmac_key, voter_key
from classroom.text import bounded
from storage.models import CourseRun, LearningOutcome, Poll, PollOption, PollStatus, PollVote

OUTCOME_MAX = 500  # a learning outcome as a confidence poll's option (``poll_options.text``)


@dataclass(frozen=True)
class Voter:
    """Someone acting on a poll (answering, launching, closing): their Entra object id and Teams display name."""

    aad_object_id: str
    name: str  # Teams display name: kept for named polls only
    teams_id: str | None = None  # the Bot Framework user id ("29:..."): kept for named polls' per-user views


@dataclass(frozen=True)
class VoteOutcome:
    view: PollView
    chosen: str  # the answer as plain text (``ballots.answer_text``)
    counted: bool  # False: the same answer again (a double click, a second press): nothing changed
    changed: bool  # True: an earlier answer was replaced


# Built once (a vote runs them on every turn). The poll comes with its options and its run's code in one statement.
_POLL_ID: BindParameter[int] = bindparam("poll_id")
_TAKE_SQLITE_WRITE_LOCK = (
    update(Poll.__table__).where(Poll.__table__.c.id == _POLL_ID).values(status=Poll.__table__.c.status)  # type: ignore[arg-type]
)
_LOCKED_POLL = (
    select(Poll, CourseRun.code)
    .join(CourseRun, CourseRun.id == Poll.run_id)
    .where(Poll.id == _POLL_ID)
    .options(joinedload(Poll.options))
    .with_for_update(of=Poll)
    .execution_options(populate_existing=True)
)


async def lock_poll(session: AsyncSession, poll_id: int) -> tuple[Poll, str]:
    """The poll (with its options) and its run's code, the poll locked for the rest of the caller's transaction
    (on PostgreSQL ``snapshot.poll_gate`` exclusively, then the row ``FOR UPDATE``; on SQLite the database's write
    lock, taken first: see ``classroom.enrolment.locking``)."""
    if session.get_bind().dialect.name != "postgresql":
        await (await session.connection()).execute(_TAKE_SQLITE_WRITE_LOCK, {"poll_id": poll_id})
    else:
        await poll_gate(session, poll_id)  # after the votes in flight, before the ones that come meanwhile
    found = (await session.execute(_LOCKED_POLL, {"poll_id": poll_id})).unique().one_or_none()
    if found is None:
        raise NotFound("no such poll")
    poll, code = found
    return poll, code or ""


async def _run_code(session: AsyncSession, poll: Poll) -> str:
    return await session.scalar(select(CourseRun.code).where(CourseRun.id == poll.run_id)) or ""


async def _view(session: AsyncSession, poll: Poll, code: str | None = None) -> PollView:
    """What everyone sees."""
    return await poll_view(session, poll, code if code is not None else await _run_code(session, poll))


async def _views(session: AsyncSession, poll: Poll, code: str) -> tuple[PollView, PollView | None]:
    """(what everyone sees, what the poll's runners see when the launcher gets a copy of their own)."""
    return await poll_views(session, poll, code, runners=launcher_gets_results(poll))


async def _options(session: AsyncSession, run: CourseRun, spec: PollKindSpec) -> list[PollOption]:
    """The poll's options: typed ones, a rating's 1-5, or a confidence poll's learning outcomes of the course."""
    texts = list(spec.options)
    if isinstance(spec, Confidence):
        outcomes = await session.scalars(
            select(LearningOutcome.text)
            .where(LearningOutcome.course_id == run.course_id)
            .order_by(LearningOutcome.position)
        )
        texts = [bounded(" ".join(text.split()), OUTCOME_MAX) for text in outcomes.all()]
        if not texts:
            raise InvalidInput(f"the course of {run.code} lists no learning outcomes to rate")
    correct = spec.correct if isinstance(spec, Quiz) else None
    return [PollOption(position=n, text=text, correct=n - 1 == correct) for n, text in enumerate(texts, start=1)]


async def launch(
    session: AsyncSession, conversation_id: str, draft: PollDraft, *, by: Voter, now: datetime
) -> PollView:
    """Post a poll in the linked chat (its card goes through the outbox). Raises NotLinked, NotAllowed,
    InvalidInput."""
    draft = draft.validated()
    run = await linked_run(session, conversation_id)
    await require_poll_runner(session, run, by.aad_object_id)
    settings, spec = draft.settings, draft.spec
    closes_after = settings.closes_after
    poll = Poll(
        run_id=run.id,
        conversation_id=conversation_id,
        kind=spec.kind,
        question=draft.question,
        anonymous=settings.anonymous,
        results=settings.results,
        changeable=settings.changeable,
        status=PollStatus.OPEN,
        hmac_key=new_hmac_key() if settings.anonymous else None,
        launched_by_aad_object_id=by.aad_object_id,
        launched_by_name=bounded(by.name, 200),
        launched_at=now,
        max_picks=spec.max_picks if isinstance(spec, MultipleChoice) else None,
        low_label=spec.low_label if isinstance(spec, Rating) else None,
        high_label=spec.high_label if isinstance(spec, Rating) else None,
        closes_at=now + closes_after if closes_after else None,
        options=await _options(session, run, spec),
    )
    session.add(poll)
    await session.flush()
    shared, runners = await _views(session, poll, run.code)
    await post_card(session, poll, shared, runners, now=now)
    return shared


async def answer(session: AsyncSession, poll_id: int, ballot: Ballot, voter: Voter, *, now: datetime) -> VoteOutcome:
    """Record ``voter``'s answer (one per person per poll), checked against the poll. Raises NotFound, PollClosed
    (with the final results), NotAnOption or AnswerRefused (the answer does not fit; both InvalidInput),
    AnswerLocked (answered, and the poll allows no change)."""
    poll, code = await locked_for_answer(session, poll_id)
    if poll.status is PollStatus.CLOSED:
        raise PollClosed(await _view(session, poll, code))
    checked_answer = checked(poll, ballot)
    key = voter_key(voter.aad_object_id, anonymous=poll.anonymous, hmac_key=poll.hmac_key)
    existing = await earlier_answer(session, poll, key)
    while True:
        if existing is not None and same_answer(existing, checked_answer):
            return VoteOutcome(
                await _view(session, poll, code), answer_text(poll, existing), counted=False, changed=False
            )
        if existing is not None and not poll.changeable:
            raise AnswerLocked(await _view(session, poll, code), answer_text(poll, existing))
        stored = await record_answer(session, poll, key, checked_answer, voter.name, voter.teams_id, existing, now=now)
        if stored is not None:
            break
        existing = await earlier_answer(session, poll, key)  # their other press stored a first answer meanwhile
    return VoteOutcome(
        await _view(session, poll, code), answer_text(poll, stored), counted=True, changed=existing is not None
    )


async def vote(session: AsyncSession, poll_id: int, option_id: int, voter: Voter, *, now: datetime) -> VoteOutcome:
    """An answer of one option (single choice, quiz, rating; one pick of multiple choice): see ``answer``."""
    return await answer(session, poll_id, Choice(option_id), voter, now=now)


@dataclass(frozen=True)
class CloseOutcome:
    view: PollView  # what everyone sees now
    runners_view: PollView  # every result (open-text answers, results shown to the launcher only)
    already_closed: bool


async def close(session: AsyncSession, poll_id: int, *, by: Voter | None, now: datetime) -> CloseOutcome:
    """Close the poll and publish its final results; an anonymous poll's key and voter hashes are destroyed.
    ``by`` None: its timer closes it (nobody to authorise). Raises NotFound, NotAllowed (nothing changes)."""
    poll, code = await lock_poll(session, poll_id)
    run = await run_by_id(session, poll.run_id)
    if by is not None:
        await require_poll_runner(session, run, by.aad_object_id)
    if poll.status is PollStatus.CLOSED:
        shared, runners = await poll_views(session, poll, code, runners=True)
        assert runners is not None
        return CloseOutcome(shared, runners, already_closed=True)
    poll.status = PollStatus.CLOSED
    poll.closed_at = now
    poll.closed_by_aad_object_id = by.aad_object_id if by else None
    poll.closed_by_name = bounded(by.name, 200) if by else None
    if poll.anonymous:
        poll.hmac_key = None
        await session.execute(
            update(PollVote)
            .where(PollVote.poll_id == poll.id)
            .values(voter_key=None)
            .execution_options(synchronize_session=False)
        )
    await session.flush()
    shared, runners = await poll_views(session, poll, code, runners=True)
    assert runners is not None
    await refresh_card(session, poll, shared, runners, now=now)  # the final update, always queued
    return CloseOutcome(shared, runners, already_closed=False)


async def close_due_polls(session: AsyncSession, *, now: datetime, limit: int = 50) -> int:
    """Close the open polls whose time is up (the periodic job). Each is locked and checked again by ``close``,
    so however many processes run this at once, a poll closes once and its final card is queued once. A vote in
    progress is waited for (not skipped), so it is counted in the final results and the poll closes on time."""
    due = (
        select(Poll.id)
        .where(Poll.status == PollStatus.OPEN, Poll.closes_at.is_not(None), Poll.closes_at <= now)
        .order_by(Poll.closes_at)
        .limit(limit)
    )
    closed = 0
    for poll_id in (await session.scalars(due)).all():
        closed += not (await close(session, poll_id, by=None, now=now)).already_closed
    return closed


@dataclass(frozen=True)
class OwnView:
    """The poll as one person sees it: the shared view and their answer, if the poll can still tell it."""

    view: PollView
    chosen: str | None


async def own_view(session: AsyncSession, poll_id: int, aad_object_id: str) -> OwnView:
    """For a per-user refresh of the card. A closed anonymous poll no longer knows anyone's answer."""
    poll = await session.get(Poll, poll_id)
    if poll is None:
        raise NotFound("no such poll")
    view = await _view(session, poll)
    if poll.anonymous and poll.hmac_key is None:
        return OwnView(view, None)
    key = voter_key(aad_object_id, anonymous=poll.anonymous, hmac_key=poll.hmac_key)
    mine = await earlier_answer(session, poll, key, lock=False)
    return OwnView(view, answer_text(poll, mine) if mine is not None else None)


async def poll_for(session: AsyncSession, poll_id: int) -> PollView:
    poll = await session.get(Poll, poll_id)
    if poll is None:
        raise NotFound("no such poll")
    return await _view(session, poll)
