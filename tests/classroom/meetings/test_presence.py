"""Presence arithmetic: rejoins and overlaps merged, a person who never leaves closed at the end, the attended
share at its exact boundary, and a session across a daylight-saving change measured in real time."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from classroom.meetings.presence import Span, intervals, present_for, status_for
from storage.models import AttendanceStatus, ParticipantEvent
from tests.support.enrolment import london

JOIN, LEAVE = ParticipantEvent.JOIN, ParticipantEvent.LEAVE
START = datetime(2026, 12, 14, 10, 0, tzinfo=UTC)
SPAN = Span(START, START + timedelta(hours=5))


def m(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def test_rejoins_add_up_and_overlapping_devices_count_once() -> None:
    events = [(JOIN, m(0)), (LEAVE, m(60)), (JOIN, m(90)), (JOIN, m(100)), (LEAVE, m(120)), (LEAVE, m(150))]
    assert intervals(events, SPAN) == [(m(0), m(60)), (m(90), m(150))]
    assert present_for(events, SPAN) == timedelta(minutes=120)


def test_order_of_arrival_does_not_matter_and_a_stray_leave_counts_for_nothing() -> None:
    events = [(LEAVE, m(60)), (JOIN, m(30)), (LEAVE, m(10))]
    assert present_for(events, SPAN) == timedelta(minutes=30)


def test_someone_who_never_leaves_is_closed_at_the_end_and_time_outside_the_session_is_not_counted() -> None:
    events = [(JOIN, m(-30))]
    assert intervals(events, SPAN) == [(m(0), m(300))]


def test_the_attended_share_at_its_boundary() -> None:
    exactly = timedelta(hours=5) * 75 / 100
    assert status_for(exactly, SPAN, 75, seen=True) is AttendanceStatus.ATTENDED
    assert status_for(exactly - timedelta(seconds=1), SPAN, 75, seen=True) is AttendanceStatus.PARTLY
    assert status_for(timedelta(0), SPAN, 75, seen=True) is AttendanceStatus.PARTLY
    assert status_for(timedelta(0), SPAN, 75, seen=False) is AttendanceStatus.ABSENT
    assert status_for(timedelta(hours=4), SPAN, 80, seen=True) is AttendanceStatus.ATTENDED


def test_a_session_across_the_clocks_going_forward_is_measured_in_real_time() -> None:
    # 00:30-03:30 London on 28 March 2027 is two hours, not three: the clocks go forward at 01:00 GMT.
    from datetime import date

    day = date(2027, 3, 28)
    span = Span(london(day, time(0, 30)), london(day, time(3, 30)))
    assert span.length == timedelta(hours=2)
    # There from 00:30 to 02:30 London wall-clock: one real hour, half the session.
    events = [(JOIN, london(day, time(0, 30))), (LEAVE, london(day, time(2, 30)))]
    assert present_for(events, span) == timedelta(hours=1)
    assert status_for(present_for(events, span), span, 75, seen=True) is AttendanceStatus.PARTLY
