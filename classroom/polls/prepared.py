"""Prepared polls: a trainer prepares polls for a run before the session (in their 1:1 chat), sees them in the
run's linked chat and launches one with one click; polls prepared for an earlier run of the same course are
offered too, for reuse. Only the run's trainers and coordinators prepare, list and launch them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.errors import NotFound
from classroom.polls import polls
from classroom.polls.authorisation import require_poll_runner, run_by_code
from classroom.polls.drafts import draft_from_json, draft_json
from classroom.polls.kinds import PollDraft
from classroom.polls.links import linked_run
from classroom.polls.polls import Voter
from classroom.polls.views import PollView
from classroom.text import bounded
from storage.models import CourseRun, Poll, PollKind, PollStatus, PreparedPoll

LISTED_MAX = 20  # the newest; a card of more would be long to scan in a live session


@dataclass(frozen=True)
class PreparedView:
    id: int
    run_code: str
    question: str
    kind: PollKind
    prepared_by_name: str
    prepared_at: datetime
    this_run: bool  # False: prepared for an earlier run of the course, offered for reuse


async def prepare(session: AsyncSession, run_code: str, draft: PollDraft, *, by: Voter, now: datetime) -> PreparedView:
    """Keep ``draft`` for the run. Raises NotFound (no such run), NotAllowed, InvalidInput."""
    draft = draft.validated()
    run = await run_by_code(session, run_code)
    await require_poll_runner(session, run, by.aad_object_id)
    prepared = PreparedPoll(
        run_id=run.id,
        question=draft.question,
        draft=draft_json(draft),
        prepared_by_aad_object_id=by.aad_object_id,
        prepared_by_name=bounded(by.name, 200),
        prepared_at=now,
    )
    session.add(prepared)
    await session.flush()
    return PreparedView(prepared.id, run.code, draft.question, draft.spec.kind, prepared.prepared_by_name, now, True)


async def prepared_here(session: AsyncSession, conversation_id: str, *, by: str) -> list[PreparedView]:
    """The polls prepared for the chat's run, then those of earlier runs of the same course, newest first. Raises
    NotLinked, NotAllowed."""
    run = await linked_run(session, conversation_id)
    await require_poll_runner(session, run, by)
    rows = await session.execute(
        select(PreparedPoll, CourseRun.code)
        .join(CourseRun, CourseRun.id == PreparedPoll.run_id)
        .where(CourseRun.course_id == run.course_id)
        .order_by((PreparedPoll.run_id == run.id).desc(), PreparedPoll.prepared_at.desc(), PreparedPoll.id.desc())
        .limit(LISTED_MAX)
    )
    return [
        PreparedView(
            p.id,
            code,
            p.question,
            PollKind(p.draft["kind"]),
            p.prepared_by_name,
            p.prepared_at,
            p.run_id == run.id,
        )
        for p, code in rows.all()
    ]


@dataclass(frozen=True)
class PreparedLaunch:
    view: PollView
    already_open: bool  # a second click: the poll it launched is still open, nothing new was posted


async def launch_prepared(
    session: AsyncSession, conversation_id: str, prepared_id: int, *, by: Voter, now: datetime
) -> PreparedLaunch:
    """Post the prepared poll in the linked chat (its course's runs only). A second click while the poll it
    launched here is open posts nothing. Raises NotFound, NotLinked, NotAllowed, InvalidInput."""
    run = await linked_run(session, conversation_id)
    await require_poll_runner(session, run, by.aad_object_id)
    prepared = await session.get(PreparedPoll, prepared_id, with_for_update=True)
    prepared_run = await session.get(CourseRun, prepared.run_id) if prepared else None
    if prepared is None or prepared_run is None or prepared_run.course_id != run.course_id:
        raise NotFound("no such prepared poll for this course")
    open_one = await session.scalar(
        select(Poll).where(
            Poll.prepared_poll_id == prepared.id,
            Poll.conversation_id == conversation_id,
            Poll.status == PollStatus.OPEN,
        )
    )
    if open_one is not None:
        return PreparedLaunch(await polls.poll_for(session, open_one.id), already_open=True)
    view = await polls.launch(session, conversation_id, draft_from_json(prepared.draft), by=by, now=now)
    launched = await session.get(Poll, view.id)
    assert launched is not None
    launched.prepared_poll_id = prepared.id
    return PreparedLaunch(view, already_open=False)
