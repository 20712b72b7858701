"""Taking a free place in the common case decides on the catalogue kept in memory, checked against the catalogue
version read under the run's lock, and writes with plain statements (``common_places``); every other case is
taken as before (``enrolments.enrol``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import delete, event, select, update

from classroom.enrolment import notices
from classroom.enrolment.enrolments import Clash
from classroom.enrolment.errors import AlreadyEnrolled, CourseFull, NotEligible
from classroom.enrolment.loading import load_enrolment, load_run
from classroom.enrolment.reminders import cancel_reminders, plan_reminders
from classroom.evaluation.notices import SURVEY
from classroom.reflection.notices import PROMPT
from classroom.reflection.questions import LEARNT
from storage.models import (
    AnnouncedSessionTime,
    Course,
    CourseRun,
    Enrolment,
    EnrolmentStatus,
    LearningOutcome,
    OutboxNotification,
    RunSession,
)
from tests.classroom.enrolment.conftest import ALEX, ISAIAH, LYNNE, PATTI
from tests.support.enrolment import BHCC, MULTI, MULTI_RUN, ONE_DAY_RUN, outbox
from tests.support.statements import statements, through_execute

_NOT_FOR_PLANNING = ("FROM run_prices", "FROM run_trainers", "FROM run_eligible_organisations")


async def test_a_free_place_loads_only_what_planning_needs(service, engine, session_factory) -> None:
    await service.quote(ALEX, MULTI_RUN)  # the catalogue kept in memory is built on first use
    with statements(engine) as seen:
        view = await service.enrol(ALEX, MULTI_RUN, calendar_link=True)
    assert not [s for s in seen if any(table in s for table in _NOT_FOR_PLANNING)], seen
    assert view.status == EnrolmentStatus.CONFIRMED and view.calendar_link is not None
    assert (view.person_name, view.organisation_name, view.organisation_confirmed) == ("Alex Wilber", BHCC, True)
    assert view.price_pence is not None and [s.position for s in view.run.sessions] == [1, 2, 3, 4]
    assert len(await outbox(session_factory, notices.REMINDER)) > 0
    # The view built from what was written is the view read back.
    assert [replace(view, calendar_link=None)] == await service.my_enrolments(ALEX, MULTI_RUN)


async def test_taken_again_after_giving_it_up_is_a_new_round_with_no_clash_left(service, session_factory) -> None:
    pending = await service.enrol(ALEX, MULTI_RUN, clash=Clash((2,), "Court date"))
    await service.withdraw(ALEX, MULTI_RUN)
    again = await service.enrol(ALEX, MULTI_RUN)
    assert again.id == pending.id and again.status == EnrolmentStatus.CONFIRMED and again.clash_sessions == ()
    async with session_factory() as session:
        row = await session.scalar(select(Enrolment).where(Enrolment.id == again.id))
        assert row is not None and (row.round, row.clash_reason, row.ended_at) == (2, None, None)
    with pytest.raises(AlreadyEnrolled):  # a redelivered press
        await service.enrol(ALEX, MULTI_RUN)


async def test_the_kept_catalogue_is_checked_and_refusals_stand(service, session_factory, clock) -> None:
    await service.quote(ALEX, MULTI_RUN)
    async with session_factory.begin() as session:  # someone else's plain UPDATE
        await session.execute(update(Course).where(Course.code == MULTI).values(title="Renamed by hand"))
    assert (await service.enrol(ALEX, MULTI_RUN)).run.course_title == "Renamed by hand"
    with pytest.raises(NotEligible):
        await service.enrol(LYNNE, MULTI_RUN)  # Southcoast: not one of the run's organisations
    await service.enrol(PATTI, ONE_DAY_RUN)  # its only place
    with pytest.raises(CourseFull):
        await service.enrol(ISAIAH, ONE_DAY_RUN)


async def test_a_moved_session_is_announced_before_a_place_is_taken(service, session_factory) -> None:
    await service.enrol(ALEX, MULTI_RUN)  # the session times people were told are recorded
    async with session_factory.begin() as session:  # an import moves the first session by an hour
        first = await session.scalar(select(RunSession).order_by(RunSession.starts_at).limit(1))
        assert first is not None
        await session.execute(
            update(RunSession)
            .where(RunSession.id == first.id)
            .values(starts_at=first.starts_at.replace(hour=first.starts_at.hour + 1))
        )
    await service.enrol(ISAIAH, MULTI_RUN)
    assert len(await outbox(session_factory, notices.SESSION_MOVED)) == 1  # Alex hears of it


def _planned(rows: list[OutboxNotification]) -> list[tuple[object, ...]]:
    """What each row will say, to whom and when (not its id or bookkeeping)."""
    return sorted(
        (r.dedupe_key, r.kind, r.payload, r.due_at, r.expires_at, r.recipient_aad_object_id, r.status) for r in rows
    )


async def test_what_is_planned_from_the_kept_catalogue_is_what_the_full_path_plans(
    service, engine, session_factory, clock
) -> None:
    """The common case plans the reminders, reflection prompts and surveys from the catalogue kept in memory (its
    sessions, the course's outcomes and wording): the rows are those the ORM path plans for the same place."""
    async with session_factory.begin() as session:  # the course words a reflection question its own way
        await session.execute(update(Course).where(Course.code == MULTI).values(reflection_questions={LEARNT: "Mine"}))
    await service.quote(ALEX, MULTI_RUN)  # the catalogue kept in memory is built on first use
    with statements(engine) as seen:
        view = await service.enrol(ALEX, MULTI_RUN)
    assert not [s for s in seen if "SELECT run_sessions." in s or "FROM learning_outcomes" in s], seen
    kept = _planned(await outbox(session_factory, status=None))
    assert {row[1] for row in kept} == {notices.REMINDER, PROMPT, SURVEY}, kept
    assert "Mine" in str([row[2] for row in kept if row[1] == PROMPT])

    async with session_factory.begin() as session:  # given up and planned again through the ORM path
        await cancel_reminders(session, view.id)
        enrolment = await load_enrolment(session, view.id)
        run = await load_run(session, enrolment.run_id)
        await plan_reminders(session, enrolment, run, ALEX, clock.now(), service.policy)
    assert _planned(await outbox(session_factory, status=None)) == kept


async def test_reminders_follow_a_catalogue_changed_since_the_copy_was_kept(service, session_factory) -> None:
    """A copy kept before the course's outcomes, title or wording changed is not what the reminders are planned from."""
    await service.quote(ALEX, MULTI_RUN)  # the copy kept
    async with session_factory.begin() as session:  # someone else's plain UPDATEs
        course_id = await session.scalar(select(Course.id).where(Course.code == MULTI))
        await session.execute(
            update(Course).where(Course.id == course_id).values(title="Renamed", reflection_questions={LEARNT: "New"})
        )
        await session.execute(
            update(LearningOutcome).where(LearningOutcome.course_id == course_id).values(text="Outcome rewritten")
        )
    await service.enrol(ALEX, MULTI_RUN)
    rows = await outbox(session_factory)
    for kind in (notices.REMINDER, PROMPT, SURVEY):
        payloads = str([r.payload for r in rows if r.kind == kind])
        assert "Renamed" in payloads, kind
    assert "Outcome rewritten" in str([r.payload for r in rows if r.kind in (PROMPT, SURVEY)])
    assert "New" in str([r.payload for r in rows if r.kind == PROMPT])


async def test_reminders_follow_a_course_whose_reflection_wording_alone_changed(service, session_factory) -> None:
    """The wording is part of what the kept copy holds, so a change to it alone makes the copy stale (0024)."""
    await service.quote(ALEX, MULTI_RUN)  # the copy kept
    async with session_factory.begin() as session:
        await session.execute(
            update(Course).where(Course.code == MULTI).values(reflection_questions={LEARNT: "Reworded"})
        )
    await service.enrol(ALEX, MULTI_RUN)
    assert "Reworded" in str([r.payload for r in await outbox(session_factory) if r.kind == PROMPT])


async def test_a_session_with_no_time_recorded_as_told_gets_one_when_a_place_is_taken(
    service, engine, session_factory
) -> None:
    """The times people are told are recorded when a place is taken, for the sessions that have none yet (a session
    added since the last place); when every session has one, nothing is written."""
    await service.enrol(ALEX, MULTI_RUN)
    async with session_factory.begin() as session:  # as if the run's last session were added since
        sessions = (
            await session.scalars(
                select(RunSession).join(CourseRun).where(CourseRun.code == MULTI_RUN).order_by(RunSession.starts_at)
            )
        ).all()
        recorded = (await session.scalars(select(AnnouncedSessionTime.session_id))).all()
        assert len(sessions) == 4 and set(recorded) >= {s.id for s in sessions}
        await session.execute(delete(AnnouncedSessionTime).where(AnnouncedSessionTime.session_id == sessions[-1].id))
    await service.enrol(ISAIAH, MULTI_RUN)
    with statements(engine) as seen:
        await service.enrol(PATTI, MULTI_RUN)
    async with session_factory() as session:
        assert sessions[-1].id in (await session.scalars(select(AnnouncedSessionTime.session_id))).all()
    assert not [s for s in seen if "INSERT INTO announced_session_times" in s], seen
    assert len(await outbox(session_factory, notices.SESSION_MOVED)) == 0  # nothing moved


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_on_sqlite_the_enrolment_steps_run_their_statements_on_sqlite3_directly(service) -> None:
    """``enrol CODE``'s reads, the quote, the place taken (reminders, prompts, surveys, calendar link), the places
    read before giving one up, and the place given up (its overseers told) skip ``Connection.execute``
    (``storage/direct_statements.py``), whose per-statement work cost more than SQLite's own; what they do is the
    same (the tests above)."""
    await service.quote(ALEX, MULTI_RUN)  # the catalogue kept in memory is built on first use
    await service.enrol(ALEX, MULTI_RUN)
    await service.withdraw(ALEX, MULTI_RUN)  # the run's survey key made, its sessions' times recorded
    with through_execute() as executed:
        for _round in range(2):  # a new place, then the same row taken again
            start = await service.begin(ISAIAH, "Isaiah Langer", MULTI_RUN)
            quote = await service.quote(ISAIAH, MULTI_RUN)
            view = await service.enrol(ISAIAH, MULTI_RUN, calendar_link=True)
            [held] = await service.my_enrolments(ISAIAH, MULTI_RUN)
            withdrawal = await service.withdraw(ISAIAH, MULTI_RUN)
    assert executed == [], [str(s)[:80] for s in executed]
    assert start.runs[0].places_left == 3 and quote.places_left == 3 and quote.existing is None
    assert view.status == EnrolmentStatus.CONFIRMED and view.calendar_link is not None and held.id == view.id
    assert withdrawal.previous == EnrolmentStatus.CONFIRMED and withdrawal.calendar_link is not None


async def test_a_step_not_the_common_case_commits_once(service, engine, session_factory) -> None:
    """Tried whole on a pooled connection first, a step that is not the common case (people waiting for the place)
    rolls that try back (it took the run's lock only) and commits once, the ORM way; so does giving up a place
    someone is waiting for."""
    await service.quote(ALEX, ONE_DAY_RUN)  # the catalogue kept in memory
    await service.enrol(ALEX, ONE_DAY_RUN)  # its only place
    await service.join_waitlist(ISAIAH, ONE_DAY_RUN)
    commits: list[int] = []
    listener = lambda _connection: commits.append(1)  # noqa: E731
    event.listen(engine.sync_engine, "commit", listener)
    try:
        withdrawal = await service.withdraw(ALEX, ONE_DAY_RUN)  # the place offered to Isaiah
        assert len(commits) == 1 and withdrawal.previous == EnrolmentStatus.CONFIRMED
        taken = await service.enrol(ISAIAH, ONE_DAY_RUN)  # an offer taken up
        assert len(commits) == 2 and taken.status == EnrolmentStatus.CONFIRMED
    finally:
        event.remove(engine.sync_engine, "commit", listener)


@pytest.mark.parametrize("step", ["enrol", "withdraw"])
async def test_a_retried_step_decides_on_the_time_it_runs_at(service, engine, session_factory, clock, step) -> None:  # type: ignore[no-untyped-def]
    """A transient conflict at commit runs the step again, later: what it stores (and checks: has the run begun?)
    is of the time of the try that commits, as the ORM way reads the clock in its unit."""
    if engine.dialect.name != "sqlite":
        pytest.skip("the conflict is SQLite's busy error, made here at the commit")
    import sqlite3

    dialect = engine.sync_engine.dialect
    commit = dialect.do_commit
    failed: list[bool] = []

    def busy_once(dbapi_connection) -> None:  # type: ignore[no-untyped-def]
        if not failed:
            failed.append(True)
            clock.advance(timedelta(minutes=30))  # the retry runs later than the try that failed
            raise sqlite3.OperationalError("database is locked")
        commit(dbapi_connection)

    await service.quote(ALEX, MULTI_RUN)  # the catalogue kept: the common way
    if step == "withdraw":
        await service.enrol(ALEX, MULTI_RUN)
    dialect.do_commit = busy_once
    try:
        await (service.enrol if step == "enrol" else service.withdraw)(ALEX, MULTI_RUN)
    finally:
        dialect.do_commit = commit
    assert failed == [True]
    async with session_factory() as session:
        stored = await session.scalar(select(Enrolment.confirmed_at if step == "enrol" else Enrolment.ended_at))
    assert stored == clock.now()
