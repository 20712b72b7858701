"""``reschedule``: the coordinator sees the old and new time and who will be told, and confirms before anyone is.

The buttons are ``Action.Execute``: the answer replaces this card (with what was done, or that nothing was), so
a confirmation cannot be pressed again by mistake. The card sends back only what to move and the time it was
shown at; the bot checks again, when the button arrives, that the presser is a coordinator and that the session
is still at that time.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from classroom.enrolment.views import RunDetails, SessionMove, SessionMovePreview
from dialogs.cards.base import CardMessage, Element, card, execute, facts, field_row, heading, submit, text
from dialogs.cards.formatting import local_time_range, plural

CONFIRM = "enrolment.reschedule"
CANCEL = "enrolment.reschedule_cancel"


def _what(run: RunDetails, position: int) -> str:
    return f"session {position} of {run.run_code}" if run.session_count > 1 else run.run_code


def _times(old_label: str, preview_or_move: SessionMovePreview | SessionMove, zone: ZoneInfo) -> Element:
    old, new = preview_or_move.old, preview_or_move.new
    return facts(
        [
            (old_label, local_time_range(old.starts_at, old.ends_at, zone)),
            ("New time", local_time_range(new.starts_at, new.ends_at, zone)),
        ]
    )


def _clashes(count: int, *, done: bool) -> Element:
    if done:
        return text(
            f"Clashes with the old time: {count}. They no longer apply to this session: those participants were "
            "told they are expected at the new time, and a place waiting for the trainers' decision about this "
            "session alone is now confirmed."
        )
    return text(
        f"Clashes with the old time: {count}. They will no longer apply to this session: those participants will "
        "be told they are expected at the new time, and a place waiting for the trainers' decision about this "
        "session alone will be confirmed."
    )


def _reviewers(names: tuple[str, ...], coordinators: bool, *, done: bool) -> list[Element]:
    if coordinators:
        told = "were told" if done else "will be told"
        return [text(f"No trainer is linked to Teams, so the coordinators {told} about the cleared clash.")]
    if not names:
        told = "was told" if done else "will be told"
        return [text(f"No trainer of this run is linked to Teams, so no trainer {told}.", subtle=True)]
    return [field_row("Trainers told" if done else "Trainers", ", ".join(names))]


def build_reschedule_confirmation_card(
    preview: SessionMovePreview, zone: ZoneInfo, *, note: str | None = None
) -> CardMessage:
    """``note``: why the card is shown again (the session changed since the coordinator last saw it)."""
    run, old, new = preview.run, preview.old, preview.new
    body: list[Element] = []
    if note:
        body.append(text(note, weight="Bolder"))
    body += [
        heading(f"Move {_what(run, old.position)}?", size="Medium"),
        text(run.course_title, subtle=True, spacing="None"),
        _times("Currently", preview, zone),
        text("Who will be told", weight="Bolder"),
        text(
            f"{plural(preview.participants, 'participant')} holding a place; confirmed places get their reminders "
            "moved."
            if preview.participants
            else "Nobody holds a place yet.",
        ),
        *_reviewers(preview.trainers_told, preview.coordinators_told, done=False),
    ]
    if preview.trainers_unreachable:
        body.append(field_row("Not told", ", ".join(preview.trainers_unreachable) + " (no Teams account linked)"))
    if preview.clashes_cleared:
        body.append(_clashes(preview.clashes_cleared, done=False))
    body.append(text("Nobody is told anything until you confirm.", subtle=True))
    data = {
        "run": run.run_code,
        "session": old.position,
        "starts_at": new.starts_at.isoformat(),
        "ends_at": new.ends_at.isoformat(),
        "was_starts_at": old.starts_at.isoformat(),
        "was_ends_at": old.ends_at.isoformat(),
    }
    return card(
        body,
        [
            execute("Move it and tell them", CONFIRM, data, style="positive"),
            execute("Cancel", CANCEL, {}),
        ],
    )


def build_session_move_done_card(move: SessionMove, zone: ZoneInfo) -> CardMessage:
    run, what = move.run, _what(move.run, move.position)
    if move.already_done:
        body: list[Element] = [
            heading(f"Already moved: {what}", size="Medium"),
            text(f"It is at {local_time_range(move.new.starts_at, move.new.ends_at, zone)}; everyone was told then."),
        ]
        return card(body, [submit("Roster", "roster", run.run_code)])
    body = [
        heading(f"Moved: {what}", size="Medium"),
        text(run.course_title, subtle=True, spacing="None"),
        _times("Was", move, zone),
        text(
            f"I've told {plural(move.participants_told, 'participant')} holding a place; confirmed places have their "
            "reminders moved."
            if move.participants_told
            else "Nobody holds a place yet, so no participant was told."
        ),
        *_reviewers(move.trainers_told, move.coordinators_told, done=True),
    ]
    if move.clashes_cleared:
        body.append(_clashes(move.clashes_cleared, done=True))
    return card(body, [submit("Roster", "roster", run.run_code)])


def build_reschedule_cancelled_card() -> CardMessage:
    return card(
        [
            heading("Not moved", size="Medium"),
            text("Nothing was changed and nobody was told."),
        ]
    )
