"""A session moved: the old and new time, for everyone holding a place on the run and for its trainers.

What it means differs by person, and the card says only what is true for them: reminders move for a confirmed
place (a place under review or offered has none yet), and a clash with the old time no longer applies to this
session (the clash's other sessions stay as they were).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from classroom.enrolment.notices import ClashClearedPart, SessionMovedNotice, TrainerSessionMovedNotice
from dialogs.cards.base import CardMessage, Element, card, facts, heading, submit, text
from dialogs.cards.formatting import local_time_range, plural
from dialogs.enrolment.cards.parts import join_button, session_label, sessions_words

MAX_CLASHES_LISTED = 20
_CALENDAR = "If you downloaded the calendar, download it again from **my courses** to update it."


def _times(notice: SessionMovedNotice | TrainerSessionMovedNotice, zone: ZoneInfo) -> Element:
    old, new = notice.old, notice.new
    return facts(
        [
            ("Was", local_time_range(old.starts_at, old.ends_at, zone)),
            ("Now", local_time_range(new.starts_at, new.ends_at, zone)),
        ]
    )


def _label(notice: SessionMovedNotice | TrainerSessionMovedNotice) -> str:
    return session_label(notice.new.position, notice.new.count) if notice.new.count > 1 else "The session"


def _what_it_means(notice: SessionMovedNotice) -> list[Element]:
    course = notice.run.course_code
    cannot_come = f"If you can't make the new time, type **enquire {course}** to tell the training team."
    others = sessions_words([s.position for s in notice.still_missing]) if notice.still_missing else ""
    if notice.cleared_clash == "pending_review" and notice.place == "pending_review":  # other sessions left
        return [
            text(
                "You told us you couldn't come at the old time. That no longer applies to this session, so we "
                f"expect you at the new time. The trainers still have to decide about {others}: your place waits "
                "for their decision, and I'll tell you what they decide."
            ),
            text(cannot_come),
        ]
    if notice.cleared_clash == "pending_review":
        return [
            text(
                "You told us you couldn't come at the old time. That clash no longer applies, so the trainers don't "
                "need to decide: **your place is confirmed**, and I'll remind you before each session."
            ),
            text(cannot_come),
            text('Type **my courses** for an "Add to calendar" link.'),
        ]
    if notice.cleared_clash == "accepted":
        still = f" It is still agreed that you miss {others}." if notice.still_missing else ""
        return [
            text(
                "You told us you couldn't come at the old time. That no longer applies, so we expect you at the new "
                f"time, and I'll remind you before it.{still}"
            ),
            text(cannot_come),
            text(_CALENDAR),
        ]
    if notice.still_clashes and notice.place == "confirmed":
        return [
            text(
                "It moved within the same day, so it is still one you told us you can't attend, as agreed: no "
                "reminder for it, and nothing else changes for you."
            )
        ]
    if notice.place == "pending_review":
        return [
            text(
                "Your place is still waiting for the trainers' decision about your clash; I'll tell you what they "
                "decide."
            )
        ]
    if notice.place == "offered":
        return [text("The place offered to you includes the new time. Type **my courses** to accept or decline it.")]
    return [text(f"Your reminders have moved with it. {_CALENDAR}")]


def build_session_moved_card(notice: SessionMovedNotice, zone: ZoneInfo) -> CardMessage:
    run = notice.run
    body: list[Element] = [
        heading(f"Date change: {run.course_title}", size="Medium"),
        text(f"{_label(notice)} of {run.run_code} has moved."),
        _times(notice, zone),
        *_what_it_means(notice),
    ]
    actions: list[Element] = [submit("My courses", "my courses")]
    if run.join_url and notice.place == "confirmed":
        actions.insert(0, join_button(run.join_url))
    return card(body, actions)


def _outcome(clash: ClashClearedPart) -> str:
    others = sessions_words([s.position for s in clash.still_missing]) if clash.still_missing else ""
    if clash.was == "pending_review" and clash.still_missing:
        return (
            f"they are expected at the new time; their clash with {others} still waits for a decision (their "
            "review card is updated to say so)"
        )
    if clash.was == "pending_review":
        return "their place is confirmed (it was waiting for a decision)"
    still = f"; they still miss {others}, as accepted" if clash.still_missing else ""
    return f"they are now expected at the new time (it had been accepted that they would miss it){still}"


def _cleared(clash: ClashClearedPart) -> Element:
    outcome = _outcome(clash)
    # The name comes from a Teams profile: a TextRun, shown literally, never as markdown.
    return {
        "type": "RichTextBlock",
        "inlines": [
            {"type": "TextRun", "text": clash.participant_name, "weight": "Bolder"},
            {"type": "TextRun", "text": f": {outcome}"},
        ],
    }


def build_trainer_session_moved_card(notice: TrainerSessionMovedNotice, zone: ZoneInfo) -> CardMessage:
    run = notice.run
    told = (
        f"I've told the {plural(notice.participants_told, 'participant')} holding a place."
        if notice.participants_told
        else "Nobody holds a place yet."
    )
    if notice.to_coordinators:  # no trainer of the run is linked to Teams; coordinators review its clashes
        what, reminder = f"{_label(notice)} of {run.run_code} has moved (no trainer of it is linked to Teams).", ""
    else:
        what = f"{_label(notice)} of {run.run_code}, which you train, has moved."
        reminder = " Your reminder before the session follows the new time."
    body: list[Element] = [
        heading(f"Date change: {run.course_title}", size="Medium"),
        text(what),
        _times(notice, zone),
        text(told + reminder),
    ]
    if notice.cleared_clashes:
        body.append(text("These clashes named the old time, so they no longer apply to it:", weight="Bolder"))
        body += [_cleared(clash) for clash in notice.cleared_clashes[:MAX_CLASHES_LISTED]]
        more = len(notice.cleared_clashes) - MAX_CLASHES_LISTED
        if more > 0:
            body.append(text(f"…and {more} more (see the roster).", subtle=True))
    return card(body, [submit("See the roster", "roster", run.run_code)])
