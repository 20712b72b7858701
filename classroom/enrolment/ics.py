"""An enrolment's sessions as an iCalendar file: one event per session, in the configured timezone.

Event UIDs are stable per enrolment and session, so downloading again after a session moved updates the
event in the person's calendar instead of adding a second one.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from classroom.enrolment.views import RunDetails, SessionTime

PRODID = "-//Classroom bot//Enrolment calendar//EN"
UID_DOMAIN = "classroom-bot"


def build_calendar(
    run: RunDetails, enrolment_id: int, sessions: tuple[SessionTime, ...], zone: ZoneInfo, now: datetime
) -> bytes:
    """The .ics for ``sessions`` of ``run``; times carry the zone's TZID with its VTIMEZONE included."""
    calendar = Calendar.new(prodid=PRODID, method="PUBLISH", name=f"{run.course_code}: {run.course_title}")
    details = []
    if run.join_url:
        details.append(f"Join online (Microsoft Teams): {run.join_url}")
    if run.prerequisites:
        details.append(f"To prepare: {run.prerequisites}")
    if run.outline_url:
        details.append(f"Course outline: {run.outline_url}")
    for session in sessions:
        event = Event.new(
            uid=f"enrolment-{enrolment_id}-session-{session.id}@{UID_DOMAIN}",
            summary=f"{run.course_title} ({run.run_code}, session {session.position} of {run.session_count})",
            start=session.starts_at.astimezone(zone),
            end=session.ends_at.astimezone(zone),
            stamp=now,
            location="Microsoft Teams",
            description="\n".join(details) or None,
            url=run.join_url,
        )
        calendar.add_component(event)
    if sessions:
        # Only the years the sessions fall in: keeps the VTIMEZONE short (a few transitions, not decades).
        first, last = sessions[0].starts_at.astimezone(zone), sessions[-1].ends_at.astimezone(zone)
        calendar.add_missing_timezones(first_date=date(first.year, 1, 1), last_date=date(last.year + 1, 1, 1))
    return calendar.to_ical()
