"""An enrolment's sessions as an iCalendar file: one event per session, in the configured timezone; and, once
the place is given up, the cancellation of those events.

Event UIDs are stable per enrolment and session, so downloading again after a session moved updates the
event in the person's calendar instead of adding a second one, and a cancellation (``METHOD:CANCEL``, each
event ``STATUS:CANCELLED``) removes the events it names. A calendar keeps the version of an event with the
highest ``SEQUENCE``, so the numbers only grow over the row's rounds (a place given up, then taken again):
round 1 publishes 0 and cancels with 1, round 2 publishes 2 and cancels with 3, and so on.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from classroom.enrolment.views import RunDetails, SessionTime

if TYPE_CHECKING:
    from icalendar import Calendar, Event

PRODID = "-//Classroom bot//Enrolment calendar//EN"
UID_DOMAIN = "classroom-bot"


def event_uid(enrolment_id: int, session_id: int) -> str:
    return f"enrolment-{enrolment_id}-session-{session_id}@{UID_DOMAIN}"


def sequence(round_: int, *, cancelled: bool) -> int:
    """The events' SEQUENCE for an enrolment's ``round_``: above everything an earlier round published."""
    return 2 * (round_ - 1) + (1 if cancelled else 0)


def build_calendar(
    run: RunDetails, enrolment_id: int, sessions: tuple[SessionTime, ...], zone: ZoneInfo, now: datetime, round_: int
) -> bytes:
    """The .ics for ``sessions`` of ``run``; times carry the zone's TZID with its VTIMEZONE included."""
    details = []
    if run.join_url:
        details.append(f"Join online (Microsoft Teams): {run.join_url}")
    if run.prerequisites:
        details.append(f"To prepare: {run.prerequisites}")
    if run.outline_url:
        details.append(f"Course outline: {run.outline_url}")
    calendar = _calendar(run, "PUBLISH")
    for session in sessions:
        event = _event(run, enrolment_id, session, zone, now, sequence(round_, cancelled=False))
        event.description = "\n".join(details) or None
        event.url = run.join_url
        calendar.add_component(event)
    return _with_timezone(calendar, sessions, zone)


def build_cancellation(
    run: RunDetails, enrolment_id: int, sessions: tuple[SessionTime, ...], zone: ZoneInfo, now: datetime, round_: int
) -> bytes:
    """The .ics that cancels the events ``build_calendar`` gave for ``sessions``: same UIDs, a higher SEQUENCE.

    Cancelling an event the person never had (a session they were let off) changes nothing in their calendar.
    """
    calendar = _calendar(run, "CANCEL")
    for session in sessions:
        event = _event(run, enrolment_id, session, zone, now, sequence(round_, cancelled=True))
        event.status = "CANCELLED"
        event.summary = f"Cancelled: {event.summary}"
        event.description = "You gave up your place on this course, so this session is no longer in your diary."
        calendar.add_component(event)
    return _with_timezone(calendar, sessions, zone)


def _calendar(run: RunDetails, method: str) -> Calendar:
    from icalendar import Calendar  # here, not at the top: every bot process would carry it (3 MB) for a download

    return Calendar.new(prodid=PRODID, method=method, name=f"{run.course_code}: {run.course_title}")


def _event(
    run: RunDetails, enrolment_id: int, session: SessionTime, zone: ZoneInfo, now: datetime, number: int
) -> Event:
    from icalendar import Event

    return Event.new(
        uid=event_uid(enrolment_id, session.id),
        summary=f"{run.course_title} ({run.run_code}, session {session.position} of {run.session_count})",
        start=session.starts_at.astimezone(zone),
        end=session.ends_at.astimezone(zone),
        stamp=now,
        sequence=number,
        location="Microsoft Teams",
    )


def _with_timezone(calendar: Calendar, sessions: tuple[SessionTime, ...], zone: ZoneInfo) -> bytes:
    if sessions:
        # Only the years the sessions fall in: keeps the VTIMEZONE short (a few transitions, not decades).
        first, last = sessions[0].starts_at.astimezone(zone), sessions[-1].ends_at.astimezone(zone)
        calendar.add_missing_timezones(first_date=date(first.year, 1, 1), last_date=date(last.year + 1, 1, 1))
    return calendar.to_ical()
