"""A run's evaluation report, and the comparison of a course's runs: numbers only, nobody named.

Per learning outcome: the matched pairs (respondents who gave both ratings) for "before" vs "after", and for the
then-test ("thinking back to before the course" vs "now", both from the "after" card), each with the figures of
``statistics.paired_summary``. A comparison with fewer than ``MIN_GROUP`` matched pairs shows only its n, and the
satisfaction counts and free text need as many "after" answers: in a small group they could identify people.

While the "after" answers are still being taken (until the last session's end + ``after_open``) they can come and
change at any time, so two reports a few minutes apart would tell one person's answers apart: until then the report
gives only how many have answered and when its figures are published (``RunReport.published_at``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from classroom.errors import NotAllowed, NotFound
from classroom.evaluation.answers import NOW, PACE, RECOMMEND, THEN
from classroom.evaluation.planning import outcome_items
from classroom.evaluation.policy import MIN_GROUP, EvaluationTiming
from classroom.evaluation.statistics import Pair, paired_summary
from classroom.evaluation.views import CourseComparison, Measure, OutcomeResult, RunReport, Satisfaction
from classroom.polls.authorisation import may_run_polls, require_poll_runner, run_by_code
from classroom.polls.kinds import RATING_SCALE
from storage.models import (
    Course,
    CourseRun,
    Enrolment,
    EnrolmentStatus,
    EvaluationPhase,
    EvaluationResponse,
    RunSession,
)

RatingsByKey = dict[str, dict[int, dict[str, int]]]  # respondent key -> outcome number -> item -> rating


def _pairs(baseline: RatingsByKey, baseline_item: str, now: RatingsByKey, number: int) -> list[Pair]:
    pairs = []
    for key, by_outcome in now.items():
        after = by_outcome.get(number, {}).get(NOW)
        before = baseline.get(key, {}).get(number, {}).get(baseline_item)
        if after is not None and before is not None:
            pairs.append((before, after))
    return pairs


def _counts(values: list[str | None], keys: tuple[str, ...]) -> dict[str, int]:
    counted = Counter(v for v in values if v is not None)
    return {key: counted.get(key, 0) for key in keys}


def _satisfaction(after: list[EvaluationResponse], *, carry_changes: bool) -> Satisfaction:
    scale = tuple(str(n) for n in RATING_SCALE)
    changes = sorted((r.change_text for r in after if r.change_text), key=str.casefold)
    return Satisfaction(
        relevance=_counts([str(r.relevance) if r.relevance else None for r in after], scale),
        trainers=_counts([str(r.trainers) if r.trainers else None for r in after], scale),
        pace=_counts([r.pace for r in after], PACE),
        recommend=_counts([r.recommend for r in after], RECOMMEND),
        changes=changes if carry_changes else [],
        changes_not_carried=0 if carry_changes else len(changes),
    )


async def _last_end(session: AsyncSession, run_id: int) -> datetime | None:
    return await session.scalar(select(func.max(RunSession.ends_at)).where(RunSession.run_id == run_id))


async def build_report(
    session: AsyncSession,
    run: CourseRun,
    *,
    now: datetime,
    timing: EvaluationTiming,
    min_group: int = MIN_GROUP,
    carry_changes: bool = True,
) -> RunReport:
    """The report of one run as it may be seen ``now`` (the caller has checked who may see it). ``carry_changes``
    False: the free text is left out (only counted), for a report that is stored (the outbox) rather than shown."""
    course = await session.get_one(Course, run.course_id)
    last_end = await _last_end(session, run.id)
    published_at = last_end + timing.after_open if last_end is not None else None
    withheld = published_at is not None and now < published_at
    responses = (
        await session.scalars(
            select(EvaluationResponse)
            .where(EvaluationResponse.run_id == run.id, EvaluationResponse.skipped.is_(False))
            .options(selectinload(EvaluationResponse.ratings))
        )
    ).all()
    by_phase: dict[EvaluationPhase, RatingsByKey] = {EvaluationPhase.BEFORE: {}, EvaluationPhase.AFTER: {}}
    for response in responses:
        table: dict[int, dict[str, int]] = defaultdict(dict)
        for rating in response.ratings:
            table[rating.position][rating.item] = rating.rating
        by_phase[response.phase][response.respondent_key] = dict(table)
    before, after = by_phase[EvaluationPhase.BEFORE], by_phase[EvaluationPhase.AFTER]
    confirmed = await session.scalar(
        select(func.count(Enrolment.id)).where(
            Enrolment.run_id == run.id, Enrolment.status == EnrolmentStatus.CONFIRMED
        )
    )
    counted = RunReport(
        run_code=run.code,
        course_code=course.code,
        course_title=course.title,
        last_session_ends_at=last_end,
        confirmed=int(confirmed or 0),
        before_answers=len(before),
        after_answers=len(after),
        min_group=min_group,
        outcomes=[],
        satisfaction=None,
        published_at=published_at if withheld else None,
    )
    if withheld:
        return counted
    outcomes = [
        OutcomeResult(
            number=item.number,
            text=item.text,
            pre_post=Measure.of(paired_summary(_pairs(before, NOW, after, item.number)), min_group),
            then_now=Measure.of(paired_summary(_pairs(after, THEN, after, item.number)), min_group),
        )
        for item in await outcome_items(session, run.course_id)
    ]
    after_answers = [r for r in responses if r.phase is EvaluationPhase.AFTER]
    enough = len(after_answers) >= min_group
    satisfaction = _satisfaction(after_answers, carry_changes=carry_changes) if enough else None
    return counted.model_copy(update={"outcomes": outcomes, "satisfaction": satisfaction})


async def run_report(
    session: AsyncSession, aad_object_id: str, run_code: str, *, now: datetime, timing: EvaluationTiming
) -> RunReport:
    """For the run's trainers, coordinators and admins. Raises NotFound, NotAllowed."""
    run = await run_by_code(session, run_code)
    await require_poll_runner(session, run, aad_object_id)
    return await build_report(session, run, now=now, timing=timing)


async def course_comparison(
    session: AsyncSession, aad_object_id: str, course_code: str, *, now: datetime, timing: EvaluationTiming
) -> CourseComparison:
    """Every run of the course the caller may see (coordinators and admins: all; a trainer: their own runs), in
    date order. Raises NotFound, NotAllowed (no run of the course is theirs)."""
    course = await session.scalar(select(Course).where(Course.code == course_code.strip().upper()))
    if course is None:
        raise NotFound(f"no course or run {course_code}")
    first_start = select(func.min(RunSession.starts_at)).where(RunSession.run_id == CourseRun.id).scalar_subquery()
    runs = (
        await session.scalars(
            select(CourseRun)
            .where(CourseRun.course_id == course.id)
            .options(selectinload(CourseRun.trainers))
            .order_by(first_start, CourseRun.code)
        )
    ).all()
    visible = [run for run in runs if await may_run_polls(session, run, aad_object_id)]
    if not visible:
        raise NotAllowed(f"only the trainers of {course.code} and coordinators can see its evaluation")
    return CourseComparison(
        course_code=course.code,
        course_title=course.title,
        runs=[await build_report(session, run, now=now, timing=timing) for run in visible],
    )


async def report_for_code(
    session: AsyncSession, aad_object_id: str, code: str, *, now: datetime, timing: EvaluationTiming
) -> RunReport | CourseComparison:
    """``evaluation CODE``: a run's report when CODE is a run, the comparison of its runs when it is a course."""
    run = await session.scalar(select(CourseRun.id).where(CourseRun.code == code.strip().upper()))
    if run is not None:
        return await run_report(session, aad_object_id, code, now=now, timing=timing)
    return await course_comparison(session, aad_object_id, code, now=now, timing=timing)
