"""The "Add to calendar" file: one event per session at the right time, behind an unguessable expiring link."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, time, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from classroom.download_tokens import hash_token
from classroom.enrolment.enrolments import Clash
from classroom.enrolment.errors import NoEnrolment
from classroom.enrolment.service import EnrolmentService
from classroom.errors import NotFound
from storage.models import CalendarLink
from tests.classroom.enrolment.conftest import ALEX, FIRST_DAY, ISAIAH
from tests.support.enrolment import LONDON, MULTI_RUN, add_person, load_world, london, weekly_session, world


def _events(content: bytes) -> list:
    calendar = Calendar.from_ical(content)
    return sorted(calendar.walk("VEVENT"), key=lambda e: e.decoded("DTSTART"))


async def test_the_calendar_has_every_session_at_its_local_time_across_daylight_saving(session_factory, clock) -> None:
    await load_world(session_factory, world(date(2027, 3, 22)))  # sessions either side of 28 March 2027
    await add_person(session_factory, ALEX, "Alex Wilber")
    clock.set(datetime(2027, 3, 1, 9, 0, tzinfo=UTC))
    service = EnrolmentService(session_factory, clock)
    await service.enrol(ALEX, MULTI_RUN)
    link = await service.issue_calendar_link(ALEX, MULTI_RUN)
    file = await service.calendar_file(link.token)
    assert file.filename == "PERMX-A.ics"

    events = _events(file.content)
    assert len(events) == 4
    starts = [e.decoded("DTSTART") for e in events]
    assert [s.astimezone(UTC) for s in starts] == [
        datetime(2027, 3, 22, 10, tzinfo=UTC),  # 10:00 GMT
        datetime(2027, 3, 29, 9, tzinfo=UTC),  # 10:00 BST
        datetime(2027, 4, 5, 9, tzinfo=UTC),
        datetime(2027, 4, 12, 9, tzinfo=UTC),
    ]
    assert all(s.astimezone(LONDON).time() == time(10) for s in starts)
    assert all(e["DTSTART"].params["TZID"] == "Europe/London" for e in events)
    assert all(e.decoded("DTEND").astimezone(LONDON).time() == time(15) for e in events)
    assert [str(e["SUMMARY"]) for e in events][1] == "Permanence in four sessions (PERMX-A, session 2 of 4)"
    assert "https://teams.microsoft.com/l/meetup-join/test-permx" in str(events[0]["DESCRIPTION"])
    assert len({str(e["UID"]) for e in events}) == 4
    assert Calendar.from_ical(file.content).walk("VTIMEZONE")  # the zone travels with the file


async def test_sessions_the_trainers_let_you_miss_are_left_out(service) -> None:
    await service.enrol(ALEX, MULTI_RUN, clash=Clash((1, 4), "court"))
    file = await service.calendar_file((await service.issue_calendar_link(ALEX, MULTI_RUN)).token)
    assert [str(e["SUMMARY"]).split(", ")[-1] for e in _events(file.content)] == ["session 2 of 4)", "session 3 of 4)"]


async def test_the_link_expires_and_cannot_be_guessed(service, session_factory, clock) -> None:
    await service.enrol(ALEX, MULTI_RUN)
    first = await service.issue_calendar_link(ALEX, MULTI_RUN)
    second = await service.issue_calendar_link(ALEX, MULTI_RUN)
    assert first.token != second.token and len(first.token) >= 43  # 256 random bits each
    assert first.expires_at == clock.now() + service.policy.calendar_link_ttl
    async with session_factory() as session:
        stored = set(await session.scalars(select(CalendarLink.token_hash)))
    assert stored == {hash_token(first.token), hash_token(second.token)}  # only hashes are kept
    assert first.token not in stored

    for guess in (secrets.token_urlsafe(32), first.token[:-1] + ("A" if first.token[-1] != "A" else "B"), "", "../x"):
        with pytest.raises(NotFound):
            await service.calendar_file(guess)

    clock.set(first.expires_at - timedelta(seconds=1))
    assert _events((await service.calendar_file(first.token)).content)
    clock.set(first.expires_at)
    with pytest.raises(NotFound):
        await service.calendar_file(first.token)


async def test_a_given_up_place_cancels_the_events_it_gave(service) -> None:
    """The link a person used (and the one the withdrawal hands back) now cancels the same events: same UIDs, a
    higher SEQUENCE, so their calendar drops them; coming back publishes them above the cancellation."""
    await service.enrol(ALEX, MULTI_RUN)
    link = await service.issue_calendar_link(ALEX, MULTI_RUN)
    published = _events((await service.calendar_file(link.token)).content)
    withdrawal = await service.withdraw(ALEX, MULTI_RUN)
    assert withdrawal.calendar_link is not None
    for token in (link.token, withdrawal.calendar_link.token):
        file = await service.calendar_file(token)
        assert file.filename == "PERMX-A-cancelled.ics"
        assert Calendar.from_ical(file.content)["METHOD"] == "CANCEL"
        cancelled = _events(file.content)
        assert [str(e["UID"]) for e in cancelled] == [str(e["UID"]) for e in published]
        assert [e.decoded("DTSTART") for e in cancelled] == [e.decoded("DTSTART") for e in published]
        assert all(str(e["STATUS"]) == "CANCELLED" for e in cancelled)
        assert all(c["SEQUENCE"] > p["SEQUENCE"] for c, p in zip(cancelled, published, strict=True))
    with pytest.raises(NoEnrolment):
        await service.issue_calendar_link(ALEX, MULTI_RUN)  # no place: nothing new to add to a calendar
    with pytest.raises(NoEnrolment):
        await service.issue_calendar_link(ISAIAH, MULTI_RUN)  # never enrolled

    await service.enrol(ALEX, MULTI_RUN)  # back again: the same events return, newer than their cancellation
    back = _events((await service.calendar_file(link.token)).content)
    assert [str(e["UID"]) for e in back] == [str(e["UID"]) for e in published]
    assert all("STATUS" not in e and e["SEQUENCE"] > c["SEQUENCE"] for e, c in zip(back, cancelled, strict=True))


async def test_a_moved_session_shows_its_new_time_in_a_fresh_download(service, clock) -> None:
    await service.enrol(ALEX, MULTI_RUN)
    link = await service.issue_calendar_link(ALEX, MULTI_RUN)
    before = _events((await service.calendar_file(link.token)).content)
    day = date(2026, 12, 23)
    await service.move_session(
        "aad-coordinator", MULTI_RUN, 2, london(day, time(9)), london(day, time(12)), was=weekly_session(FIRST_DAY, 2)
    )
    after = _events((await service.calendar_file(link.token)).content)
    assert after[1].decoded("DTSTART") == london(day, time(9))
    assert str(after[1]["UID"]) == str(before[1]["UID"])  # the same event, updated in the person's calendar


async def test_giving_up_a_place_midway_cancels_only_the_sessions_still_ahead(service, clock) -> None:
    """Sessions that had begun when the place was given up happened: they stay in the person's diary, however
    much later the cancellation is opened."""
    await service.enrol(ALEX, MULTI_RUN)
    first = await service.issue_calendar_link(ALEX, MULTI_RUN)
    published = _events((await service.calendar_file(first.token)).content)
    clock.set(published[1].decoded("DTSTART").astimezone(UTC) + timedelta(hours=1))  # during session 2
    link = await service.issue_calendar_link(ALEX, MULTI_RUN)
    await service.withdraw(ALEX, MULTI_RUN)
    clock.advance(timedelta(days=8))  # the link opened after session 3 was due
    cancelled = _events((await service.calendar_file(link.token)).content)
    assert [str(e["UID"]) for e in cancelled] == [str(e["UID"]) for e in published[2:]]
