"""A run's attendance for its trainers and coordinators (``attendance RUN``): each session's counts, each
participant's line across the sessions and whether they completed; the CSV behind a download button."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from classroom.meetings.reports import RunAttendance
from dialogs.cards.base import CardMessage, Element, card, field_row, open_url, submit, text
from dialogs.cards.formatting import local_date, without_markdown
from dialogs.meetings.parts import ATTENDANCE_COMMAND
from storage.models import AttendanceStatus

MARKS = {AttendanceStatus.ATTENDED: "attended", AttendanceStatus.PARTLY: "partly", AttendanceStatus.ABSENT: "absent"}


def build_report_card(report: RunAttendance, zone: ZoneInfo, *, download_url: str | None = None) -> CardMessage:
    body: list[Element] = [
        text(f"Attendance · {report.run_code} · {without_markdown(report.course_title)}", weight="Bolder"),
        text(f"Attended means present for at least {report.share_percent}% of the session.", subtle=True),
    ]
    for run_session, register in report.sessions:
        held = "held" if register.ended_at else "not held yet" if not register.started_at else "in progress"
        body.append(
            text(
                f"Session {run_session.position} · {local_date(run_session.starts_at, zone)} · {held} · "
                f"{register.count(AttendanceStatus.ATTENDED)} attended, {register.count(AttendanceStatus.PARTLY)} "
                f"partly, {register.count(AttendanceStatus.ABSENT)} absent, {len(register.guests)} without a place"
            )
        )
    body.append(text("Participants:", spacing="Medium", weight="Bolder"))
    for line in report.people:
        marks = ", ".join(
            f"{i}: {'excused' if excused and status is not AttendanceStatus.ATTENDED else MARKS[status]}"
            for i, (status, excused) in enumerate(line.statuses, start=1)
        )
        body.append(field_row("Completed" if line.completed else "Not yet", f"{line.name} · {marks}"))
    actions = [
        submit(f"Correct session {s.position}", ATTENDANCE_COMMAND, f"{report.run_code} {s.position}")
        for s, _r in report.sessions[:4]
    ]
    if download_url:
        actions.insert(0, open_url("Download CSV", download_url))
    return card(body, actions)
