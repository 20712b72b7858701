"""Before a session: the participant's reminder with the join link, and the trainers' with the roster count."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from classroom.enrolment.notices import ReminderNotice, TrainerReminderNotice
from dialogs.cards.base import CardMessage, Element, card, facts, heading, submit
from dialogs.cards.formatting import duration_text, local_time_range, plural
from dialogs.enrolment.cards.parts import JOIN_WITH_BUTTON, join_button, participant_links, session_label


def build_reminder_card(notice: ReminderNotice, zone: ZoneInfo) -> CardMessage:
    run, session = notice.run, notice.session
    label = session_label(session.position, session.count)
    which = f"{label} of {run.course_title}" if session.count > 1 else run.course_title
    soon = duration_text(timedelta(seconds=notice.offset_seconds))
    details = [
        ("When", local_time_range(session.starts_at, session.ends_at, zone)),
        ("Course", f"{run.course_title} ({run.run_code})"),
        ("Join online", JOIN_WITH_BUTTON if run.join_url else "the link will follow"),
    ]
    if run.prerequisites:
        details.append(("To prepare", run.prerequisites))
    body: list[Element] = [heading(f"Reminder: {which} starts in {soon}", size="Medium"), facts(details)]
    return card(body, participant_links(run))


def build_trainer_reminder_card(notice: TrainerReminderNotice, zone: ZoneInfo) -> CardMessage:
    run, session = notice.run, notice.session
    label = session_label(session.position, session.count)
    coming = f"{plural(notice.confirmed, 'participant')} confirmed"
    if notice.missing:
        coming += f" ({notice.missing} of them missing this session, as agreed)"
    if notice.pending_review:
        coming += f", {notice.pending_review} waiting for your clash decision"
    body: list[Element] = [
        heading(f"Your session starts soon: {run.course_title}", size="Medium"),
        facts(
            [
                (label if session.count > 1 else "When", local_time_range(session.starts_at, session.ends_at, zone)),
                ("Run", run.run_code),
                ("Roster", f"{coming} ({notice.capacity} places)"),
            ]
        ),
    ]
    actions: list[Element] = []
    if run.join_url:
        actions.append(join_button(run.join_url))
    actions.append(submit("See the roster", "roster", run.run_code))
    return card(body, actions)
