"""The report card at the end of a run: to each of its trainers (1:1) and to the coordinators, once.

A periodic job looks for runs whose last session ended ``report_delay`` ago, and never before the "after" survey
has closed (``after_open``: until then the report has no figures), and queues the report as it stands then, once
per run and person (the dedupe key). The free text is not carried in the stored card (only counted): outbox rows
outlive a ``forget me``, so it is read live with ``evaluation RUN``. Runs that ended more
than ``LOOK_BACK`` before that are left alone, so a first start never floods people with old runs' reports.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from classroom.coordinators import notify_coordinators
from classroom.evaluation.notices import ReportNotice, report_key
from classroom.evaluation.policy import EvaluationTiming
from classroom.evaluation.report import build_report
from classroom.outbox import enqueue
from storage.models import CourseRun, Person, RunSession, RunTrainer

LOOK_BACK = timedelta(days=2)


async def queue_due_reports(session: AsyncSession, *, now: datetime, timing: EvaluationTiming) -> int:
    """Queue the report of every run that has just become due; returns how many copies were queued."""
    latest = now - max(timing.report_delay, timing.after_open)
    last_end = func.max(RunSession.ends_at)
    due_runs = (
        select(RunSession.run_id).group_by(RunSession.run_id).having(last_end <= latest, last_end > latest - LOOK_BACK)
    )
    runs = (
        await session.scalars(
            select(CourseRun).where(CourseRun.id.in_(due_runs)).options(selectinload(CourseRun.trainers))
        )
    ).all()
    queued = 0
    for run in runs:
        report = await build_report(session, run, now=now, timing=timing, carry_changes=False)
        notice = ReportNotice(report=report)
        trainers = await session.scalars(
            select(Person.aad_object_id)
            .join(RunTrainer, RunTrainer.person_id == Person.id)
            .where(RunTrainer.run_id == run.id)
        )
        for aad_object_id in trainers.all():
            queued += int(
                await enqueue(
                    session,
                    notice,
                    due_at=now,
                    dedupe_key=f"{report_key(run.id)}:trainer:{aad_object_id}",
                    recipient=aad_object_id,
                )
            )
        queued += len(await notify_coordinators(session, notice, dedupe_key=report_key(run.id), due_at=now))
    return queued
