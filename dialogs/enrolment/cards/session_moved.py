"""A session moved: the old and new time, for everyone holding a place on the run."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from classroom.enrolment.notices import SessionMovedNotice
from dialogs.cards.base import CardMessage, Element, card, facts, heading, submit, text
from dialogs.cards.formatting import local_time_range
from dialogs.enrolment.cards.parts import join_button, session_label


def build_session_moved_card(notice: SessionMovedNotice, zone: ZoneInfo) -> CardMessage:
    run, old, new = notice.run, notice.old, notice.new
    label = session_label(new.position, new.count) if new.count > 1 else "The session"
    body: list[Element] = [
        heading(f"Date change: {run.course_title}", size="Medium"),
        text(f"{label} of {run.run_code} has moved."),
        facts(
            [
                ("Was", local_time_range(old.starts_at, old.ends_at, zone)),
                ("Now", local_time_range(new.starts_at, new.ends_at, zone)),
            ]
        ),
        text(
            "Your reminders have moved with it. If you downloaded the calendar, download it again from **my "
            "courses** to update it."
        ),
    ]
    actions: list[Element] = [submit("My courses", "my courses")]
    if run.join_url:
        actions.insert(0, join_button(run.join_url))
    return card(body, actions)
