"""The enrol flow's smaller questions: which organisation, which sessions clash, and "the last place has just
gone: join the waitlist (or other dates)?". Each choice is a button (``dialogs.cards.answers``), the sessions a
list of boxes to tick; typing works too."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from classroom.enrolment.organisations import OrganisationChoice
from classroom.enrolment.views import RunChoice, SessionTime
from dialogs.cards.answers import answer_button, answer_choices, answer_hint, answer_several
from dialogs.cards.base import CardMessage, Element, card, heading, text
from dialogs.cards.formatting import local_time_range
from dialogs.enrolment.cards.parts import other_dates


def build_organisation_question_card(
    organisations: Sequence[OrganisationChoice], not_listed: tuple[str, str]
) -> CardMessage:
    """``not_listed``: the title and answer of the button for someone whose organisation is not among them."""
    picker, buttons = answer_choices([(o.name, o.name) for o in organisations], label="Your organisation")
    body: list[Element] = [
        heading("Which organisation do you work for?", size="Medium"),
        text(
            "It decides which courses are open to you and your price band. Teams didn't tell me, so the training "
            "team will confirm your answer; until then your price is to be confirmed."
        ),
        *picker,
        answer_hint("Or type its name."),
    ]
    return card(body, [*buttons, _without_inputs(answer_button(*not_listed))])


def _without_inputs(button: Element) -> Element:
    """A button that sends none of the card's inputs, so a drop-down left empty does not stop it."""
    button["associatedInputs"] = "none"
    fallback = button.get("fallback")
    if isinstance(fallback, dict):
        fallback["associatedInputs"] = "none"
    return button


def build_clash_session_question_card(sessions: Sequence[SessionTime], zone: ZoneInfo) -> CardMessage:
    choices = [
        (f"Session {s.position}: {local_time_range(s.starts_at, s.ends_at, zone)}", str(s.position)) for s in sessions
    ]
    picker, buttons = answer_several(choices, label="The sessions you can't attend")
    return card(
        [
            heading("Which sessions can't you attend?", size="Medium"),
            text("Tick each session you can't attend (not every one: then other dates may suit you better)."),
            *picker,
            answer_hint("Or type the session's number, or several numbers, e.g. 1, 4."),
        ],
        buttons,
    )


def build_place_gone_card(
    run_code: str,
    position: int,
    choices: Sequence[tuple[str, str]],
    other_runs: Sequence[RunChoice],
    zone: ZoneInfo,
) -> CardMessage:
    """``choices``: the answer buttons (title, answer): another date with places, the waitlist, no."""
    body: list[Element] = [
        heading("That place has just gone", size="Medium"),
        text(
            f"Sorry, someone took the last place on {run_code} a moment ago. Would you like to join the "
            f"waitlist? You'd be number {position}."
        ),
    ]
    if other_runs:
        body.append(other_dates(other_runs, zone))
    picker, buttons = answer_choices(choices, label="Your answer")
    body.extend(picker)
    return card(body, buttons)
