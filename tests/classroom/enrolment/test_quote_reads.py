"""The terms shown before enrolling (``EnrolmentService.quote``): a read-only turn, so one statement once the
catalogue is kept in memory, and that statement checks the kept copy against the catalogue's version."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from classroom.errors import NotFound
from storage.models import Course, CourseRun, EnrolmentStatus, Person, RunPrice
from tests.classroom.enrolment.conftest import ALEX, ISAIAH, LYNNE
from tests.support.enrolment import MULTI, MULTI_RUN, ONE_DAY_RUN
from tests.support.statements import statements


async def test_a_quote_is_one_statement_that_reads_the_catalogue_version(service, engine) -> None:
    await service.quote(ALEX, MULTI_RUN)  # the catalogue kept in memory is built on first use
    with statements(engine) as seen:
        quote = await service.quote(ALEX, MULTI_RUN)
    assert len(seen) == 1 and "catalogue_version" in seen[0] and "FROM people" in seen[0], seen
    assert quote.places_left == 3 and quote.existing is None and quote.price_pence is not None


async def test_a_quote_sees_a_catalogue_change_made_by_anyone(service, session_factory) -> None:
    before = await service.quote(ISAIAH, MULTI_RUN)
    async with session_factory.begin() as session:  # someone else's plain UPDATEs
        await session.execute(update(Course).where(Course.code == MULTI).values(title="Renamed by hand"))
        run_id = await session.scalar(select(CourseRun.id).where(CourseRun.code == MULTI_RUN))
        await session.execute(update(CourseRun).where(CourseRun.code == MULTI_RUN).values(capacity=5))
        await session.execute(update(RunPrice).where(RunPrice.run_id == run_id).values(amount_pence=4242))
    after = await service.quote(ISAIAH, MULTI_RUN)
    assert before.run.course_title != "Renamed by hand" and after.run.course_title == "Renamed by hand"
    assert (before.places_left, after.places_left) == (3, 5)
    assert before.price_pence != 4242 and after.price_pence == 4242


async def test_a_quote_shows_the_place_held_and_the_places_taken(service) -> None:
    await service.enrol(ALEX, MULTI_RUN)
    await service.join_waitlist(ISAIAH, ONE_DAY_RUN)  # its only place free: taken rather than waiting
    mine = await service.quote(ALEX, MULTI_RUN)
    assert mine.existing is not None and mine.existing.status == EnrolmentStatus.CONFIRMED
    assert mine.places_left == 2 and mine.waitlist_length == 0
    await service.withdraw(ALEX, MULTI_RUN)
    assert (await service.quote(ALEX, MULTI_RUN)).existing is None  # a place given up is not shown as held
    full = await service.quote(LYNNE, ONE_DAY_RUN)
    assert full.places_left == 0 and full.full


async def test_an_unknown_run_or_person_is_not_found(service) -> None:
    await service.quote(ALEX, MULTI_RUN)
    with pytest.raises(NotFound, match="no run with code NOPE-1"):
        await service.quote(ALEX, "nope-1")
    with pytest.raises(NotFound, match="no run with code NOPE-1"):
        await service.quote("aad-never-met", "nope-1")
    with pytest.raises(NotFound, match="not met"):
        await service.quote("aad-never-met", MULTI_RUN)


async def test_enrol_codes_first_reads_check_the_catalogue_with_the_standing(service, engine, session_factory) -> None:
    """``enrol CODE`` (``begin``): meeting the person, their organisation standing, the run's places and the catalogue
    version in one statement (``starts.kept_start_on``); a change to the catalogue by anyone is still seen."""
    await service.begin(ALEX, "Alex Wilber", MULTI_RUN)  # the catalogue kept in memory is built on first use
    with statements(engine) as seen:
        start = await service.begin(ALEX, "Alex Wilber", MULTI_RUN)
    assert [choice.run.run_code for choice in start.runs] == [MULTI_RUN] and start.standing is not None
    assert len(seen) == 1 and "catalogue_version" in seen[0] and "count(" in seen[0], seen
    async with session_factory.begin() as session:  # someone else's plain UPDATE
        await session.execute(update(Course).where(Course.code == MULTI).values(title="Renamed by hand"))
    [renamed] = (await service.begin(ALEX, "Alex Wilber", MULTI_RUN)).runs
    assert renamed.run.course_title == "Renamed by hand"


async def test_enrol_codes_first_reads_meet_rename_and_count_as_before(service, session_factory) -> None:
    """The one-statement ``begin`` gives what the reads it replaced gave: a new name stored, someone not met yet met,
    a code naming nothing ``unknown``, a course code its runs with their places and waitlists."""
    await service.enrol(ALEX, ONE_DAY_RUN)  # its only place
    await service.join_waitlist(ISAIAH, ONE_DAY_RUN)
    renamed = await service.begin(ALEX, "Alex W.", MULTI)
    assert [(c.run.run_code, c.places_left, c.waitlist_length) for c in renamed.runs] == [(MULTI_RUN, 3, 0)]
    assert renamed.standing is not None and renamed.standing.confirmed
    full = await service.begin(LYNNE, "Lynne Robbins", ONE_DAY_RUN)
    assert [(c.places_left, c.waitlist_length) for c in full.runs] == [(0, 1)]
    unknown = await service.begin(ALEX, "Alex W.", "NOPE-1")
    assert unknown.runs == [] and unknown.standing is None and unknown.unknown is not None
    first = await service.begin("aad-new", "Newly Met", MULTI_RUN)
    assert [c.run.run_code for c in first.runs] == [MULTI_RUN] and first.standing is not None
    assert first.standing.organisation is None
    async with session_factory() as session:
        names = dict((await session.execute(select(Person.aad_object_id, Person.name))).all())
    assert names[ALEX] == "Alex W." and names["aad-new"] == "Newly Met"
