"""The enrol flow's smaller questions: which organisation, which session clashes, and "the last place has just
gone: join the waitlist?". Each choice is a button (``dialogs.cards.answers``); typing works too."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from classroom.enrolment.organisations import OrganisationChoice
from classroom.enrolment.views import SessionTime
from dialogs.cards.answers import answer_choices, answer_hint
from dialogs.cards.base import CardMessage, Element, card, heading, text
from dialogs.cards.formatting import local_time_range


def build_organisation_question_card(organisations: Sequence[OrganisationChoice]) -> CardMessage:
    picker, buttons = answer_choices([(o.name, o.name) for o in organisations], label="Your organisation")
    body: list[Element] = [
        heading("Which organisation do you work for?", size="Medium"),
        text("It decides which courses are open to you and your price band. I'll remember it."),
        *picker,
        answer_hint("Or type its name."),
    ]
    return card(body, buttons)


def build_clash_session_question_card(sessions: Sequence[SessionTime], zone: ZoneInfo) -> CardMessage:
    picker, buttons = answer_choices(
        [(f"Session {s.position}", str(s.position)) for s in sessions], label="The session you can't attend"
    )
    return card(
        [
            heading("Which session can't you attend?", size="Medium"),
            text("\n".join(f"{s.position}. {local_time_range(s.starts_at, s.ends_at, zone)}" for s in sessions)),
            *picker,
            answer_hint("Or type the session's number."),
        ],
        buttons,
    )


def build_place_gone_card(run_code: str, position: int, choices: Sequence[tuple[str, str]]) -> CardMessage:
    """``choices``: the answer buttons (title, answer)."""
    picker, buttons = answer_choices(choices, label="Your answer")
    return card(
        [
            heading("That place has just gone", size="Medium"),
            text(
                f"Sorry, someone took the last place on {run_code} a moment ago. Would you like to join the "
                f"waitlist? You'd be number {position}."
            ),
            *picker,
        ],
        buttons,
    )
