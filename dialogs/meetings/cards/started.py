"""The card posted to the meeting chat when a session's meeting starts: the course, session n of N, and the run's
prepared polls, each with the polls feature's own Launch button (its card action, so launching is the same however
it is reached). Questions were typed by trainers: literal text, never markdown."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from classroom.meetings.notices import SessionStartedNotice
from dialogs.cards.base import CardMessage, Element, card, execute, literal, submit, text
from dialogs.cards.formatting import short_time, without_markdown
from dialogs.polls.cards.poll import KIND_NAMES
from dialogs.polls.parts import LAUNCH_PREPARED, PREPARED_COMMAND


def build_started_card(notice: SessionStartedNotice, zone: ZoneInfo) -> CardMessage:
    body: list[Element] = [
        text(
            f"Session {notice.session_position} of {notice.session_count} has started: "
            f"{without_markdown(notice.course_title)} ({notice.run_code})",
            weight="Bolder",
        ),
        text(f"Started {short_time(notice.started_at, zone)}. Attendance is being recorded.", subtle=True),
    ]
    if notice.prepared:
        body.append(text("Polls ready to launch (trainers):", spacing="Medium"))
    for number, prepared in enumerate(notice.prepared, start=1):
        title = f"Launch {number}"
        whose = "" if prepared.this_run else " · from an earlier run"
        body += [
            literal(f"{number}. {prepared.question}"),
            text(f"{KIND_NAMES[prepared.kind]}{whose}", subtle=True, spacing="None"),
            {
                "type": "ActionSet",
                "actions": [
                    execute(
                        title,
                        LAUNCH_PREPARED,
                        {"prepared": prepared.id},
                        fallback=submit(title, PREPARED_COMMAND, f"launch {prepared.id}"),
                    )
                ],
            },
        ]
    return card(body)
