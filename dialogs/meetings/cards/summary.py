"""The session summary in each trainer's 1:1 chat when the meeting ends: who attended, partly or not at all (and who
is excused by an accepted clash), guests, the polls run and how many reflected so far. Names and questions are
shown as literal text; a button opens the register to correct it."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from classroom.meetings.notices import AttendancePart, SessionSummaryNotice
from dialogs.cards.base import CardMessage, Element, card, facts, field_row, literal, submit, text
from dialogs.cards.formatting import local_time_range, plural, without_markdown
from dialogs.meetings.parts import ATTENDANCE_COMMAND, STATUS_WORDS
from storage.models import AttendanceStatus


def _minutes(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours}h {rest:02d}m" if hours else f"{rest}m"


def status_words(part: AttendancePart) -> str:
    if part.status is None:
        return f"Guest · {_minutes(part.minutes)}"
    words = STATUS_WORDS[part.status]
    if part.status is not AttendanceStatus.ABSENT:
        words += f" · {_minutes(part.minutes)}"
    if part.excused and part.status is not AttendanceStatus.ATTENDED:
        words += " · excused (accepted clash)"
    return words


def build_session_summary_card(notice: SessionSummaryNotice, zone: ZoneInfo) -> CardMessage:
    counts = {s: sum(1 for p in notice.participants if p.status is s) for s in AttendanceStatus}
    missed = [p for p in notice.participants if p.status is not AttendanceStatus.ATTENDED and not p.excused]
    body: list[Element] = [
        text(
            f"Session {notice.session_position} of {notice.session_count} has ended: "
            f"{without_markdown(notice.course_title)} ({notice.run_code})",
            weight="Bolder",
        ),
        facts(
            [
                ("When", local_time_range(notice.started_at, notice.ended_at, zone)),
                (
                    "Attendance",
                    f"{counts[AttendanceStatus.ATTENDED]} attended, {counts[AttendanceStatus.PARTLY]} partly, "
                    f"{counts[AttendanceStatus.ABSENT]} absent (attended = at least {notice.share_percent}%)",
                ),
                ("Polls run", str(len(notice.polls_run))),
                ("Reflections so far", f"{notice.reflected} of {notice.expected}"),
            ]
        ),
    ]
    body += [field_row(status_words(p), p.name or "(no name)") for p in notice.participants]
    if notice.guests:
        body.append(text(f"Also there, without a place: {plural(len(notice.guests), 'person', 'people')}"))
        body += [field_row(status_words(g), g.name or "(no name)") for g in notice.guests]
    if notice.polls_run:
        body.append(text("Polls:", spacing="Medium"))
        body += [literal(f"- {question}") for question in notice.polls_run]
    if missed:
        body.append(
            text(
                f"{plural(len(missed), 'participant')} missed all or part of this session without an accepted clash; "
                "each has had a kind message from me. The course asks for every date.",
                spacing="Medium",
            )
        )
    correct = submit("Correct the register", ATTENDANCE_COMMAND, f"{notice.run_code} {notice.session_position}")
    return card(body, [correct])
