"""Launching, answering and closing a poll: each a unit of one transaction (``PollService`` runs them).

Votes and the close of one poll are serialised on the poll's row (``lock_poll``): a vote either commits before
the close, and is in the final results the close publishes, or finds the poll closed and is refused with them;
two votes never count from the same stale tally, so the card's counts are exact and the last update carries
the newest ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.errors import NotFound
from classroom.polls.authorisation import require_poll_runner, run_by_id
from classroom.polls.errors import AnswerLocked, NotAnOption, PollClosed
from classroom.polls.kinds import PollDraft
from classroom.polls.links import linked_run
from classroom.polls.notices import post_card, refresh_card
from classroom.polls.views import PollView, poll_view
from classroom.polls.voters import new_hmac_key, voter_key
from classroom.text import bounded
from storage.models import CourseRun, Poll, PollOption, PollStatus, PollVote


@dataclass(frozen=True)
class Voter:
    """Someone acting on a poll (answering, launching, closing): their Entra object id and Teams display name."""

    aad_object_id: str
    name: str  # Teams display name: kept for named polls only


@dataclass(frozen=True)
class VoteOutcome:
    view: PollView
    chosen: str  # the option's text
    counted: bool  # False: the same answer again (a double click, a second press): nothing changed
    changed: bool  # True: an earlier answer was replaced


async def lock_poll(session: AsyncSession, poll_id: int) -> Poll:
    """The poll, locked for the rest of the caller's transaction (see ``classroom.enrolment.locking``)."""
    if session.get_bind().dialect.name == "postgresql":
        found = await session.scalar(select(Poll.id).where(Poll.id == poll_id).with_for_update())
    else:
        result = await session.execute(
            update(Poll)
            .where(Poll.id == poll_id)
            .values(status=Poll.status)
            .execution_options(synchronize_session=False)
        )
        found = poll_id if result.rowcount else None  # type: ignore[attr-defined]
    poll = await session.get(Poll, found, populate_existing=True) if found is not None else None
    if poll is None:
        raise NotFound("no such poll")
    return poll


async def _view(session: AsyncSession, poll: Poll) -> PollView:
    code = await session.scalar(select(CourseRun.code).where(CourseRun.id == poll.run_id))  # on every vote: lean
    return await poll_view(session, poll, code or "")


async def launch(
    session: AsyncSession, conversation_id: str, draft: PollDraft, *, by: Voter, now: datetime
) -> PollView:
    """Post a poll in the linked chat (its card goes through the outbox). Raises NotLinked, NotAllowed,
    InvalidInput."""
    draft = draft.validated()
    run = await linked_run(session, conversation_id)
    await require_poll_runner(session, run, by.aad_object_id)
    settings = draft.settings
    poll = Poll(
        run_id=run.id,
        conversation_id=conversation_id,
        kind=draft.spec.kind,
        question=draft.question,
        anonymous=settings.anonymous,
        results=settings.results,
        changeable=settings.changeable,
        status=PollStatus.OPEN,
        hmac_key=new_hmac_key() if settings.anonymous else None,
        launched_by_aad_object_id=by.aad_object_id,
        launched_by_name=bounded(by.name, 200),
        launched_at=now,
        options=[PollOption(position=n, text=text) for n, text in enumerate(draft.spec.options, start=1)],
    )
    session.add(poll)
    await session.flush()
    view = await poll_view(session, poll, run.code)
    await post_card(session, poll, view, now=now)
    return view


async def vote(session: AsyncSession, poll_id: int, option_id: int, voter: Voter, *, now: datetime) -> VoteOutcome:
    """Record ``voter``'s answer (one per person per poll). Raises NotFound, PollClosed (with the final results),
    NotAnOption (the option is not this poll's), AnswerLocked (answered, and the poll allows no change)."""
    poll = await lock_poll(session, poll_id)
    if poll.status is PollStatus.CLOSED:
        raise PollClosed(await _view(session, poll))
    option = next((o for o in poll.options if o.id == option_id), None)
    if option is None:
        raise NotAnOption("that answer is not one of this poll's options")
    key = voter_key(voter.aad_object_id, anonymous=poll.anonymous, hmac_key=poll.hmac_key)
    existing = await session.scalar(select(PollVote).where(PollVote.poll_id == poll.id, PollVote.voter_key == key))
    if existing is not None and existing.option_id == option.id:
        return VoteOutcome(await _view(session, poll), option.text, counted=False, changed=False)
    if existing is not None and not poll.changeable:
        chosen = next(o.text for o in poll.options if o.id == existing.option_id)
        raise AnswerLocked(await _view(session, poll), chosen)
    named = not poll.anonymous
    if existing is None:
        session.add(
            PollVote(
                poll_id=poll.id,
                option_id=option.id,
                voter_key=key,
                voter_name=bounded(voter.name, 200) if named else None,
                answered_at=now if named else None,
            )
        )
    else:
        existing.option_id = option.id
        if named:
            existing.answered_at = now
    await session.flush()
    view = await _view(session, poll)
    await refresh_card(session, poll, view, now=now)
    return VoteOutcome(view, option.text, counted=True, changed=existing is not None)


@dataclass(frozen=True)
class CloseOutcome:
    view: PollView
    already_closed: bool


async def close(session: AsyncSession, poll_id: int, *, by: Voter, now: datetime) -> CloseOutcome:
    """Close the poll and publish its final results; an anonymous poll's key and voter hashes are destroyed.
    Raises NotFound, NotAllowed (nothing changes)."""
    poll = await lock_poll(session, poll_id)
    run = await run_by_id(session, poll.run_id)
    await require_poll_runner(session, run, by.aad_object_id)
    if poll.status is PollStatus.CLOSED:
        return CloseOutcome(await poll_view(session, poll, run.code), already_closed=True)
    poll.status = PollStatus.CLOSED
    poll.closed_at = now
    poll.closed_by_aad_object_id = by.aad_object_id
    poll.closed_by_name = bounded(by.name, 200)
    if poll.anonymous:
        poll.hmac_key = None
        await session.execute(
            update(PollVote)
            .where(PollVote.poll_id == poll.id)
            .values(voter_key=None)
            .execution_options(synchronize_session=False)
        )
    await session.flush()
    view = await poll_view(session, poll, run.code)
    await refresh_card(session, poll, view, now=now)  # the final update, always queued
    return CloseOutcome(view, already_closed=False)


async def poll_for(session: AsyncSession, poll_id: int) -> PollView:
    poll = await session.get(Poll, poll_id)
    if poll is None:
        raise NotFound("no such poll")
    return await _view(session, poll)
