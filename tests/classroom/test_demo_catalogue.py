"""The demo catalogue: faithful to the two source course pages, and always in the future."""

from __future__ import annotations

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.demo_people import DEMO_PEOPLE
from classroom.catalogue.file_format import CatalogueDocument, CourseSpec, RunSpec
from classroom.catalogue.importer import import_catalogue
from classroom.demo import demo_catalogue
from classroom.demo.catalogue import LEAD_TIME
from classroom.enrolment.loading import runs_for_code
from classroom.enrolment.reviewers import clash_reviewers, linked_trainers
from classroom.people import roles_of
from storage.models import Role

MEGAN = next(person for person in DEMO_PEOPLE if person.name == "Megan Bowen")

LONDON = ZoneInfo("Europe/London")
PERM4_TITLE = "Permanence – What does it Mean for Children and Young People and How can it be Achieved?"

# Dates either side of the clock changes, a leap day, and the day the source page's course began.
TODAYS = [
    date(2021, 1, 1),
    date(2021, 6, 14),
    date(2024, 2, 29),
    date(2026, 3, 28),
    date(2026, 10, 24),
    date(2026, 11, 23),
    date(2031, 12, 31),
]


def course(document: CatalogueDocument, code: str) -> CourseSpec:
    [found] = [c for c in document.courses if c.code == code]
    return found


def only_run(document: CatalogueDocument, code: str) -> RunSpec:
    [run] = course(document, code).runs
    return run


def local_dates(document: CatalogueDocument) -> list[date]:
    return [s.starts_at.astimezone(LONDON).date() for _, run in document.runs() for s in run.sessions]


def test_both_source_courses_are_there() -> None:
    document = demo_catalogue(date(2026, 11, 23))

    assert {c.code: c.title for c in document.courses} == {
        "PERMPLAN": "Permanence Planning",
        "PERM4": PERM4_TITLE,
    }


def test_permanence_planning_is_faithful_to_its_page() -> None:
    permplan = course(demo_catalogue(date(2026, 11, 23)), "PERMPLAN")

    assert permplan.duration == "One day"
    assert permplan.target_audience == "Social Work Practitioners"
    assert permplan.summary.startswith("The aim of this one day course is to give an overview of the statutory")
    assert "For participants to be confident in their knowledge and skill base" in permplan.description
    assert len(permplan.learning_outcomes) == 4
    assert permplan.learning_outcomes[0] == (
        "Understand the developments in the legal framework for permanence planning for children."
    )
    assert permplan.learning_outcomes[3] == (
        "Evaluate the importance of the Child’s Permanence Report containing an analysis of the arguments for "
        "and against each permanence option and a fully reasoned recommendation as stated in Re B-S."
    )
    assert permplan.outline_url is not None and permplan.outline_url.startswith("https://example.org/")
    assert [len(run.sessions) for run in permplan.runs] == [1, 1]


def test_perm4_is_faithful_to_its_page() -> None:
    document = demo_catalogue(date(2026, 11, 23))
    perm4 = course(document, "PERM4")
    run = only_run(document, "PERM4")

    assert perm4.target_audience == "Children's Services (B&HCC)"
    assert perm4.prerequisites == "Microsoft Teams, online learning session"
    assert "you need to attend all dates" in perm4.description
    assert "trainers" in perm4.description and "trianers" not in perm4.description
    assert len(perm4.learning_outcomes) == 10
    assert perm4.learning_outcomes[0] == (
        "understand what permanence is and the factors that support it in children’s lives"
    )
    assert perm4.learning_outcomes[-1] == (
        "explore personal values, life experiences, ethical dilemmas and feelings that impact on the work"
    )
    # The page's two trainers, then the demo's own (the Playground's Megan Bowen), the only one linked to Teams.
    assert [t.name for t in run.trainers] == ["Zoe Rosenfield", "Rebecca Watts", "Megan Bowen"]
    assert [t.aad_object_id for t in run.trainers] == [None, None, MEGAN.aad_object_id]
    assert sorted(run.prices_pence) == [1, 2, 3, 4, 5]  # Tier 1-Tier 5
    assert run.eligible_organisations == ("Brighton & Hove City Council",)
    assert run.join_url is not None and run.join_url.startswith("https://teams.microsoft.com/")
    bands = {o.name: o.price_band for o in document.organisations}
    assert "Brighton & Hove City Council" in bands and len(bands) >= 3
    assert set(bands.values()) <= {1, 2, 3, 4, 5} and len(set(bands.values())) >= 3


@pytest.mark.parametrize("today", TODAYS, ids=str)
def test_perm4_has_four_mondays_ten_to_three_london_time(today: date) -> None:
    sessions = only_run(demo_catalogue(today), "PERM4").sessions

    assert len(sessions) == 4
    for session in sessions:
        start, end = session.starts_at.astimezone(LONDON), session.ends_at.astimezone(LONDON)
        assert start.strftime("%A") == "Monday"
        assert (start.time(), end.time()) == (time(10, 0), time(15, 0))
        assert start.date() == end.date()


@pytest.mark.parametrize("today", TODAYS, ids=str)
def test_every_session_is_at_least_two_weeks_ahead(today: date) -> None:
    dates = local_dates(demo_catalogue(today))

    assert min(dates) >= today + LEAD_TIME
    # The shift is the smallest whole number of weeks that is enough.
    if min(local_dates(demo_catalogue(date(2021, 1, 1)))) < today + LEAD_TIME:
        assert min(dates) < today + LEAD_TIME + timedelta(weeks=1)


@pytest.mark.parametrize("today", TODAYS, ids=str)
def test_runs_move_together_by_whole_weeks(today: date) -> None:
    original = local_dates(demo_catalogue(date(2021, 1, 1)))
    moved = local_dates(demo_catalogue(today))

    shifts = {(after - before).days for before, after in zip(original, moved, strict=True)}
    assert len(shifts) == 1
    assert shifts.pop() % 7 == 0


def test_the_page_dates_are_kept_when_they_are_still_ahead() -> None:
    run = only_run(demo_catalogue(date(2021, 1, 1)), "PERM4")
    dates = [s.starts_at.astimezone(LONDON).date() for s in run.sessions]

    assert dates[0] == date(2021, 6, 14) and dates[-1] == date(2021, 10, 11)  # Monday 14 June - 11 October 2021


def test_it_is_deterministic() -> None:
    today = date(2026, 11, 23)
    assert demo_catalogue(today) == demo_catalogue(today)
    assert demo_catalogue(today) != demo_catalogue(today + timedelta(weeks=1))


async def test_the_demo_trainer_trains_every_demo_run(session_factory: async_sessionmaker[AsyncSession]) -> None:
    """Megan Bowen, the demo's trainer, is linked to every run: she decides their clashes (not the coordinators),
    hears of withdrawals and moves, so her view can be tried in the Playground."""
    document = demo_catalogue(date(2026, 11, 23))
    async with session_factory.begin() as session:
        await import_catalogue(session, document)
    async with session_factory() as session:
        for course_spec in document.courses:
            for run in await runs_for_code(session, course_spec.code):
                reviewers = await clash_reviewers(session, run)
                assert [p.aad_object_id for p in reviewers] == [MEGAN.aad_object_id], run.code
                assert Role.TRAINER in await roles_of(session, MEGAN.aad_object_id)  # reviewers come without roles
                assert [p.aad_object_id for p in await linked_trainers(session, run)] == [MEGAN.aad_object_id]
