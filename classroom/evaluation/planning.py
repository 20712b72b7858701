"""Planning each participant's "before" and "after" survey, beside their reminders.

``classroom.enrolment.reminders`` calls these wherever it plans or cancels a place's reminders (a place confirmed,
a session moved, a place given up), so the surveys follow every change of a place as reminders do:
- "before": when the place is confirmed (or at the first session's start, ``EVALUATION_BEFORE``); none when the
  first session has already begun (confirmed late);
- "after": when the last session ends; a moved last session moves it (cancel the waiting row, queue it anew under
  the same key); ``send_after_survey`` sends it now instead (the last meeting ended early) and is idempotent with
  the scheduled one: a card already sent is never sent twice;
- a withdrawn place cancels whatever has not been sent; a phase answered or skipped is never planned again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Connection, bindparam, exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from classroom.catalogue.views import PlannedCourse, PlannedOutcome, PlannedRun, PlannedSession
from classroom.evaluation.keys import respondent_key, run_key, run_key_on
from classroom.evaluation.notices import OutcomeItem, SurveyNotice, survey_key, survey_prefix
from classroom.evaluation.policy import BeforeAt, EvaluationTiming
from classroom.outbox import Queued, cancel_by_dedupe_prefix, cancel_by_dedupe_prefixes_on, enqueue_many
from storage.direct_statements import DirectStatement
from storage.models import (
    Course,
    CourseRun,
    Enrolment,
    EnrolmentStatus,
    EvaluationPhase,
    EvaluationResponse,
    EvaluationRunKey,
    LearningOutcome,
    NotificationStatus,
    OutboxNotification,
)

S = TypeVar("S", bound=PlannedSession)


def first_session(sessions: Sequence[S]) -> S | None:
    return min(sessions, key=lambda s: s.starts_at, default=None)


def last_session(sessions: Sequence[S]) -> S | None:
    return max(sessions, key=lambda s: s.ends_at, default=None)


async def outcome_items(session: AsyncSession, course_id: int) -> list[OutcomeItem]:
    outcomes = (
        await session.scalars(
            select(LearningOutcome).where(LearningOutcome.course_id == course_id).order_by(LearningOutcome.position)
        )
    ).all()
    return [OutcomeItem(number=n, text=o.text) for n, o in enumerate(outcomes, start=1)]


async def survey_rows(
    session: AsyncSession,
    *,
    enrolment_id: int,
    run: PlannedRun,
    recipient: str,
    now: datetime,
    timing: EvaluationTiming,
    outcomes: Sequence[PlannedOutcome] | None = None,
    course: PlannedCourse | None = None,
) -> list[Queued]:
    """The "before" and "after" surveys of a confirmed enrolment (``run.sessions`` loaded), for the caller to queue
    in this transaction with its other rows (``enqueue_many``); a survey still waiting is cancelled here, so
    queueing it again re-plans it. ``outcomes``: the course's learning outcomes in order, when the caller has read
    them; ``course``: the run's course, when the caller has it (else it is looked up)."""
    wanted = _wanted(run, now, timing)
    return await _rows(
        session,
        enrolment_id=enrolment_id,
        run=run,
        wanted=wanted,
        recipient=recipient,
        outcomes=outcomes,
        course=course,
    )


Wanted = list[tuple[EvaluationPhase, datetime, datetime]]  # phase, due, closes at


def _wanted(run: PlannedRun, now: datetime, timing: EvaluationTiming) -> Wanted:
    """The surveys a place confirmed ``now`` is to get, before any was answered or skipped."""
    first, last = first_session(run.sessions), last_session(run.sessions)
    if first is None or last is None:
        return []
    wanted: Wanted = []
    if now < first.starts_at:  # confirmed late: once the course has begun, a "before" is no longer a before
        wanted.append(
            (EvaluationPhase.BEFORE, now if timing.before_at is BeforeAt.CONFIRMED else first.starts_at, first.ends_at)
        )
    closes = last.ends_at + timing.after_open
    if now < closes:
        wanted.append((EvaluationPhase.AFTER, last.ends_at, closes))
    return wanted


async def _rows(
    session: AsyncSession,
    *,
    enrolment_id: int,
    run: PlannedRun,
    wanted: list[tuple[EvaluationPhase, datetime, datetime]],
    recipient: str,
    outcomes: Sequence[PlannedOutcome] | None,
    course: PlannedCourse | None = None,
) -> list[Queued]:
    """The rows of the ``wanted`` surveys (phase, due, closes at) not answered or skipped yet; a survey still waiting
    is cancelled, so queueing it again re-plans it."""
    if not wanted:
        return []
    settled_phases = await _settled_phases(session, run.id, enrolment_id)
    wanted = [w for w in wanted if w[0] not in settled_phases]
    if not wanted:
        return []
    if outcomes is None:
        items = await outcome_items(session, run.course_id)
    else:
        items = [OutcomeItem(number=n, text=o.text) for n, o in enumerate(outcomes, start=1)]
    if not items:
        return []  # a course without learning outcomes has nothing to evaluate against
    if course is None:
        course = await session.get_one(Course, run.course_id)
    # A waiting row is re-planned; a sent one stays sent. Both phases: their common prefix, in one statement.
    for prefix in _waiting_prefixes(enrolment_id, wanted):
        await cancel_by_dedupe_prefix(session, prefix)
    return _queued(enrolment_id, run, wanted, recipient, items, course)


def _waiting_prefixes(enrolment_id: int, wanted: Wanted) -> list[str]:
    """The dedupe key prefixes of the ``wanted`` surveys (both phases: their common prefix)."""
    if len(wanted) == len(EvaluationPhase):
        return [survey_prefix(enrolment_id)]
    return [survey_key(enrolment_id, phase) for phase, _, _ in wanted]


def _queued(
    enrolment_id: int, run: PlannedRun, wanted: Wanted, recipient: str, items: list[OutcomeItem], course: PlannedCourse
) -> list[Queued]:
    return [
        Queued(
            SurveyNotice(
                enrolment_id=enrolment_id,
                phase=phase,
                course_title=course.title,
                run_code=run.code,
                outcomes=items,
                closes_at=closes_at,
            ),
            due_at=due,
            dedupe_key=survey_key(enrolment_id, phase),
            recipient=recipient,
            expires_at=closes_at,
        )
        for phase, due, closes_at in wanted
    ]


@dataclass(frozen=True)
class RunKeyFacts:
    """What a caller read of the run's evaluation in its own statement (:func:`run_key_columns`): whether the run has
    its key's row, the key (None: dropped, or no row), and whether anyone answered or skipped a survey of the run."""

    stored: bool
    hmac_key: bytes | None
    answered: bool

    @classmethod
    def of(cls, row: Any) -> RunKeyFacts:
        """From a row with the columns of :func:`run_key_columns`."""
        return cls(bool(row.run_key_stored), row.run_hmac_key, bool(row.run_answered))


def run_key_columns(run_id: ColumnElement[int]) -> tuple[Any, ...]:
    """Columns for a caller's statement about the run ``run_id``: what :class:`RunKeyFacts` holds, so planning a
    place's surveys reads nothing of its own in the usual case (:func:`survey_rows_on`)."""
    keys, responses = EvaluationRunKey.__table__.c, EvaluationResponse.__table__.c
    return (
        exists().where(keys.run_id == run_id).label("run_key_stored"),
        select(keys.hmac_key).where(keys.run_id == run_id).scalar_subquery().label("run_hmac_key"),
        exists().where(responses.run_id == run_id).label("run_answered"),
    )


def survey_rows_on(
    connection: Connection,
    *,
    enrolment_id: int,
    run: PlannedRun,
    recipient: str,
    now: datetime,
    timing: EvaluationTiming,
    outcomes: Sequence[PlannedOutcome],
    course: PlannedCourse,
    facts: RunKeyFacts,
) -> list[Queued]:
    """:func:`survey_rows` from synchronous code, on the connection of the caller's transaction, given what the caller
    read of the run's evaluation (``facts``, read in this transaction): the enrolment's answers are read only when
    the run has any, the run's key made only when it has none yet. The same rows, and the same surveys cancelled."""
    wanted = _wanted(run, now, timing)
    if not wanted:
        return []
    settled = _settled_phases_on(connection, run.id, enrolment_id, facts)
    wanted = [w for w in wanted if w[0] not in settled]
    items = [OutcomeItem(number=n, text=o.text) for n, o in enumerate(outcomes, start=1)]
    if not wanted or not items:
        return []
    cancel_by_dedupe_prefixes_on(connection, _waiting_prefixes(enrolment_id, wanted))
    return _queued(enrolment_id, run, wanted, recipient, items, course)


def _settled_phases_on(
    connection: Connection, run_id: int, enrolment_id: int, facts: RunKeyFacts
) -> frozenset[EvaluationPhase]:
    """:func:`_settled_phases` given ``facts``."""
    key = facts.hmac_key if facts.stored else run_key_on(connection, run_id)
    if key is None:
        return frozenset(EvaluationPhase)
    if not facts.answered:
        return frozenset()  # nobody has answered on this run, so neither has this enrolment
    parameters = {"run_id": run_id, "respondent_key": respondent_key(key, enrolment_id)}
    return frozenset(EvaluationPhase(phase) for (phase,) in _SETTLED_ON.execute(connection, parameters).rows)


async def _settled_phases(session: AsyncSession, run_id: int, enrolment_id: int) -> frozenset[EvaluationPhase]:
    """The phases this enrolment answered or skipped (every phase once the run's key is gone: it is over)."""
    key = await run_key(session, run_id)
    if key is None:
        return frozenset(EvaluationPhase)
    found = await session.scalars(_SETTLED, {"run_id": run_id, "respondent_key": respondent_key(key, enrolment_id)})
    return frozenset(found.all())


# Built once: read on every place confirmed.
_SETTLED = select(EvaluationResponse.phase).where(
    EvaluationResponse.run_id == bindparam("run_id"), EvaluationResponse.respondent_key == bindparam("respondent_key")
)

_SETTLED_ON = DirectStatement(_SETTLED)


async def _waiting_due(session: AsyncSession, key: str, now: datetime) -> bool:
    due = await session.scalar(
        select(OutboxNotification.due_at).where(
            OutboxNotification.dedupe_key == key, OutboxNotification.status == NotificationStatus.PENDING
        )
    )
    return due is not None and due <= now


async def send_after_survey(
    session: AsyncSession, *, run_id: int, now: datetime, timing: EvaluationTiming | None = None
) -> int:
    """Send every confirmed participant's "after" survey now: the run's last meeting ended (Teams said so), perhaps
    before its scheduled end. Idempotent with the scheduled survey and with itself: a survey already sent, answered
    or skipped is not sent again. Does nothing before the last session has begun (an earlier session's meeting
    ending is no end of the course). Returns how many were queued."""
    timing = timing or EvaluationTiming()
    run = await session.scalar(
        select(CourseRun).where(CourseRun.id == run_id).options(selectinload(CourseRun.sessions))
    )
    last = last_session(run.sessions) if run is not None else None
    if run is None or last is None or now < last.starts_at:
        return 0
    enrolments = (
        await session.scalars(
            select(Enrolment)
            .where(Enrolment.run_id == run_id, Enrolment.status == EnrolmentStatus.CONFIRMED)
            .options(joinedload(Enrolment.person))
            .order_by(Enrolment.id)
        )
    ).all()
    queued = 0
    for enrolment in enrolments:
        if await _waiting_due(session, survey_key(enrolment.id, EvaluationPhase.AFTER), now):
            continue  # already on its way (Teams said so twice, or the scheduled time has come)
        closes_at = max(now, last.ends_at) + timing.after_open
        wanted = [(EvaluationPhase.AFTER, min(now, last.ends_at), closes_at)]
        rows = await _rows(
            session,
            enrolment_id=enrolment.id,
            run=run,
            wanted=wanted,
            recipient=enrolment.person.aad_object_id,
            outcomes=None,
        )
        queued += await enqueue_many(session, rows)
    return queued
