"""``roster CODE``: who is coming to a run, for its trainers and coordinators: who holds a place, who is missing
which session (clashes accepted or waiting for a decision), offers and the waitlist."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from classroom.enrolment.views import Roster, RosterEntry
from classroom.meetings.reports import RunAttendance
from dialogs.cards.base import CardMessage, Element, card, container, heading, literal, text
from dialogs.cards.formatting import local_time_range
from dialogs.enrolment.cards.parts import local_moment, run_span, session_label, sessions_words
from storage.models import AttendanceStatus, EnrolmentStatus


def _who(entry: RosterEntry) -> str:
    return f"{entry.name} ({entry.organisation})" if entry.organisation else entry.name


def _section(title: str, lines: list[Element]) -> Element:
    items: list[Element] = [text(f"**{title}**", spacing="Medium")]
    items.extend(lines or [text("Nobody", subtle=True)])
    return container(items)


def _confirmed(entry: RosterEntry) -> str:
    missing = f", missing {sessions_words(entry.missed_sessions)}" if entry.missed_sessions else ""
    return f"{_who(entry)}{missing}"


def _attended(attendance: RunAttendance | None, position: int) -> str | None:
    """A held session's register in numbers (``attendance RUN N`` shows and corrects it)."""
    if attendance is None:
        return None
    for run_session, register in attendance.sessions:
        if run_session.position == position and register.ended_at is not None:
            return (
                f"Held: {register.count(AttendanceStatus.ATTENDED)} attended, "
                f"{register.count(AttendanceStatus.PARTLY)} partly, {register.count(AttendanceStatus.ABSENT)} absent"
            )
    return None


def _by_session(roster: Roster, zone: ZoneInfo, attendance: RunAttendance | None = None) -> Element:
    """Each session: how many will be there, and who will not (accepted, or still to decide); once held, who came."""
    run, coming = roster.run, len(roster.confirmed) + len(roster.pending_review)
    lines: list[Element] = []
    for session in run.sessions:
        missing = roster.missing(session.position)
        attending = coming - len(missing)
        label = session_label(session.position, run.session_count)
        lines.append(
            text(
                f"{label}, {local_time_range(session.starts_at, session.ends_at, zone)}: {attending} coming",
                spacing="Small",
            )
        )
        if missing:
            names = "; ".join(
                f"{_who(e)}{' (waiting for a decision)' if e.status == EnrolmentStatus.PENDING_REVIEW else ''}"
                for e in missing
            )
            lines.append(literal(f"Missing: {names}"))
        if held := _attended(attendance, session.position):
            lines.append(text(held, subtle=True, spacing="None"))
    return _section("By session", lines)


def _run(roster: Roster, zone: ZoneInfo, attendance: RunAttendance | None = None) -> Element:
    run = roster.run
    pending: list[Element] = []
    for entry in roster.pending_review:
        pending.append(literal(f"{_who(entry)}, cannot attend {sessions_words(entry.missed_sessions)}:"))
        pending.append(literal(f"“{entry.clash_reason or ''}”"))
    sections = [
        text(f"**{run.run_code}**: {run_span(run.sessions, zone)}"),
        text(f"{roster.places_taken} of {run.capacity} places taken", subtle=True, spacing="None"),
        _section(f"Confirmed ({len(roster.confirmed)})", [literal(_confirmed(e)) for e in roster.confirmed]),
        _section(f"Waiting for a clash decision ({len(roster.pending_review)})", pending),
    ]
    if run.session_count > 1 or attendance is not None:
        sections.append(_by_session(roster, zone, attendance))
    return container(
        [
            *sections,
            _section(
                f"Offered a place ({len(roster.offered)})",
                [
                    literal(f"{_who(e)}, until {local_moment(e.offer_expires_at, zone)}")
                    for e in roster.offered
                    if e.offer_expires_at
                ],
            ),
            _section(
                f"Waitlist ({len(roster.waitlisted)})",
                [literal(f"{e.waitlist_position}. {_who(e)}") for e in roster.waitlisted],
            ),
        ],
        separator=True,
    )


def build_roster_card(
    rosters: list[Roster], zone: ZoneInfo, attendance: dict[str, RunAttendance] | None = None
) -> CardMessage:
    """``attendance``: each run's register (by run code), for sessions already held."""
    body: list[Element] = [heading(f"Roster: {rosters[0].run.course_title}", size="Medium")]
    body.extend(_run(roster, zone, (attendance or {}).get(roster.run.run_code)) for roster in rosters)
    return card(body)
