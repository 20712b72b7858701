"""Answering or skipping one's own survey: checked against the survey, stored under the respondent key.

Every value comes from a card, so none is trusted: the enrolment must be the sender's (by Entra object id), the
phase open, every outcome rated 1-5 (the polls' confidence scale and rule: ``classroom.polls.ballots.Ratings``),
satisfaction answers from their short lists, and the free text at most ``CHANGE_MAX`` characters. An answer given
again within the window replaces the earlier one (one per enrolment and phase).

The enrolment row is locked (``FOR UPDATE``) before the earlier answer is replaced: two presses at once (Send twice,
or Send and Skip) take turns, the second replacing the first, instead of both deleting nothing and the second
insert breaking the unique (run, respondent key, phase).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from classroom.errors import NotAllowed
from classroom.evaluation.errors import SurveyClosed, SurveyIncomplete
from classroom.evaluation.keys import respondent_key, run_key
from classroom.evaluation.notices import OutcomeItem, SurveyNotice
from classroom.evaluation.planning import first_session, last_session, outcome_items
from classroom.evaluation.policy import EvaluationTiming
from classroom.polls.ballots import Ratings
from classroom.polls.kinds import RATING_SCALE, tidy
from storage.models import (
    Course,
    CourseRun,
    Enrolment,
    EnrolmentStatus,
    EvaluationPhase,
    EvaluationRating,
    EvaluationResponse,
)

CHANGE_MAX = 500
PACE = ("too_slow", "about_right", "too_fast")
RECOMMEND = ("yes", "maybe", "no")
NOW, THEN = "now", "then"


@dataclass(frozen=True)
class SurveyAnswers:
    """What a survey card sent, read but not yet checked. ``now``/``then``: outcome number -> rating."""

    now: Ratings
    then: Ratings = field(default_factory=lambda: Ratings({}))
    relevance: int | None = None
    trainers: int | None = None
    pace: str | None = None
    recommend: str | None = None
    change: str = ""


@dataclass(frozen=True)
class OpenSurvey:
    notice: SurveyNotice
    run_id: int
    key: bytes


def _window(run: CourseRun, phase: EvaluationPhase, timing: EvaluationTiming) -> tuple[datetime, datetime]:
    first, last = first_session(run.sessions), last_session(run.sessions)
    if first is None or last is None:
        raise SurveyClosed("this course has no sessions")
    if phase is EvaluationPhase.BEFORE:
        return datetime.min.replace(tzinfo=first.starts_at.tzinfo), first.ends_at
    return last.starts_at, last.ends_at + timing.after_open


async def open_survey(
    session: AsyncSession,
    aad_object_id: str,
    enrolment_id: int,
    phase: EvaluationPhase,
    *,
    now: datetime,
    timing: EvaluationTiming,
) -> OpenSurvey:
    """The sender's own survey, open now. Raises NotAllowed (not theirs, or no place), SurveyClosed. Holds the
    enrolment's row lock to the end of the transaction, so one person's answers to it are stored one at a time."""
    await session.execute(select(Enrolment.id).where(Enrolment.id == enrolment_id).with_for_update())
    enrolment = await session.scalar(
        select(Enrolment)
        .where(Enrolment.id == enrolment_id)
        .options(joinedload(Enrolment.person), joinedload(Enrolment.run).selectinload(CourseRun.sessions))
    )
    if enrolment is None or enrolment.person.aad_object_id != aad_object_id:
        raise NotAllowed("that survey isn't yours")
    if enrolment.status != EnrolmentStatus.CONFIRMED:
        raise NotAllowed("that survey isn't yours: you have no place on the course")
    run = enrolment.run
    opens, closes = _window(run, phase, timing)
    if not opens <= now < closes:
        raise SurveyClosed("this survey is closed" if now >= closes else "this survey opens at the last session")
    key = await run_key(session, run.id)
    if key is None:
        raise SurveyClosed("this course's evaluation has ended")
    course = await session.get_one(Course, run.course_id)
    notice = SurveyNotice(
        enrolment_id=enrolment.id,
        phase=phase,
        course_title=course.title,
        run_code=run.code,
        outcomes=await outcome_items(session, run.course_id),
        closes_at=closes,
    )
    return OpenSurvey(notice, run.id, key)


def _rated(ratings: Ratings, outcomes: list[OutcomeItem], what: str) -> dict[int, int]:
    numbers = {o.number for o in outcomes}
    rated = dict(ratings.by_option)
    if set(rated) != numbers:
        raise SurveyIncomplete(f"please rate every learning outcome ({what}) from 1 to 5")
    if any(isinstance(v, bool) or v not in RATING_SCALE for v in rated.values()):
        raise SurveyIncomplete("a rating is a whole number from 1 to 5")
    return rated


def _optional_scale(value: int | None) -> int | None:
    if value is not None and (isinstance(value, bool) or value not in RATING_SCALE):
        raise SurveyIncomplete("a rating is a whole number from 1 to 5")
    return value


def _optional_choice(value: str | None, allowed: tuple[str, ...]) -> str | None:
    if value in (None, ""):
        return None
    if value not in allowed:
        raise SurveyIncomplete("that answer is not one of the choices")
    return value


def checked_change(text: str) -> str | None:
    words = tidy(text or "")
    if len(words) > CHANGE_MAX:
        raise SurveyIncomplete(f"what should change is at most {CHANGE_MAX} characters; yours has {len(words)}")
    return words or None


async def _replace(session: AsyncSession, run_id: int, key: str, phase: EvaluationPhase) -> None:
    await session.execute(
        delete(EvaluationResponse).where(
            EvaluationResponse.run_id == run_id,
            EvaluationResponse.respondent_key == key,
            EvaluationResponse.phase == phase,
        )
    )


async def answer(
    session: AsyncSession,
    aad_object_id: str,
    enrolment_id: int,
    phase: EvaluationPhase,
    answers: SurveyAnswers,
    *,
    now: datetime,
    timing: EvaluationTiming,
) -> SurveyNotice:
    survey = await open_survey(session, aad_object_id, enrolment_id, phase, now=now, timing=timing)
    outcomes = survey.notice.outcomes
    rated_now = _rated(answers.now, outcomes, "now")
    rated_then = _rated(answers.then, outcomes, "before the course") if phase is EvaluationPhase.AFTER else {}
    after = phase is EvaluationPhase.AFTER
    response = EvaluationResponse(
        run_id=survey.run_id,
        respondent_key=respondent_key(survey.key, enrolment_id),
        phase=phase,
        skipped=False,
        relevance=_optional_scale(answers.relevance) if after else None,
        trainers=_optional_scale(answers.trainers) if after else None,
        pace=_optional_choice(answers.pace, PACE) if after else None,
        recommend=_optional_choice(answers.recommend, RECOMMEND) if after else None,
        change_text=checked_change(answers.change) if after else None,
        answered_at=now,
    )
    texts = {o.number: o.text[:500] for o in outcomes}
    response.ratings = [
        EvaluationRating(position=n, outcome=texts[n], item=item, rating=rating)
        for item, rated in ((NOW, rated_now), (THEN, rated_then))
        for n, rating in sorted(rated.items())
    ]
    await _replace(session, survey.run_id, response.respondent_key, phase)
    session.add(response)
    await session.flush()
    return survey.notice


async def skip(
    session: AsyncSession,
    aad_object_id: str,
    enrolment_id: int,
    phase: EvaluationPhase,
    *,
    now: datetime,
    timing: EvaluationTiming,
) -> SurveyNotice:
    """Record that the person skipped (never asked again for this phase); an earlier answer is withdrawn."""
    survey = await open_survey(session, aad_object_id, enrolment_id, phase, now=now, timing=timing)
    key = respondent_key(survey.key, enrolment_id)
    await _replace(session, survey.run_id, key, phase)
    session.add(
        EvaluationResponse(run_id=survey.run_id, respondent_key=key, phase=phase, skipped=True, answered_at=now)
    )
    await session.flush()
    return survey.notice


async def own_answers(session: AsyncSession, run_id: int, key: str) -> list[EvaluationResponse]:
    """The responses under one respondent key (the person's own export)."""
    return list(
        await session.scalars(
            select(EvaluationResponse)
            .where(EvaluationResponse.run_id == run_id, EvaluationResponse.respondent_key == key)
            .options(selectinload(EvaluationResponse.ratings))
            .order_by(EvaluationResponse.phase)
        )
    )
