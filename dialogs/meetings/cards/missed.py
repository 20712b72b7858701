"""The kind word to a participant who missed all or part of a session (no accepted clash for it)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from classroom.meetings.notices import MissedSessionNotice
from dialogs.cards.base import CardMessage, card, text
from dialogs.cards.formatting import local_date, without_markdown
from storage.models import AttendanceStatus


def build_missed_card(notice: MissedSessionNotice, zone: ZoneInfo) -> CardMessage:
    course = without_markdown(notice.course_title)
    when = local_date(notice.starts_at, zone)
    if notice.status is AttendanceStatus.PARTLY:
        opening = f"Thank you for joining session {notice.session_position} of {course} on {when}, even for part of it."
    else:
        opening = f"We missed you at session {notice.session_position} of {course} on {when}. We hope all is well."
    trainers = ", ".join(without_markdown(t) for t in notice.trainers) or "your trainers"
    return card(
        [
            text(opening),
            text(
                f"This course asks for every date ({notice.session_count} sessions) to complete it. If something "
                f"got in the way, please let {trainers} know: they can talk through how to catch up, and if they "
                "record it the register is corrected."
            ),
            text(f"Run {notice.run_code}", subtle=True),
        ]
    )
