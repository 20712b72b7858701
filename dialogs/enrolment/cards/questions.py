"""The enrol flow's smaller questions: which organisation, which sessions clash, and "the last place has just
gone: join the waitlist (or other dates)?"."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from classroom.enrolment.organisations import OrganisationChoice
from classroom.enrolment.views import RunChoice, SessionTime
from dialogs.cards.base import CardMessage, Element, card, heading, text
from dialogs.cards.formatting import local_time_range
from dialogs.enrolment.cards.parts import other_dates, reply_hint


def build_organisation_question_card(organisations: Sequence[OrganisationChoice]) -> CardMessage:
    listing = "\n".join(f"{n}. {o.name}" for n, o in enumerate(organisations, start=1))
    return card(
        [
            heading("Which organisation do you work for?", size="Medium"),
            text("It decides which courses are open to you and your price band. I'll remember it."),
            text(listing),
            text("Reply with the number or the name.", subtle=True),
        ]
    )


def build_clash_session_question_card(sessions: Sequence[SessionTime], zone: ZoneInfo) -> CardMessage:
    listing = "\n".join(f"{s.position}. {local_time_range(s.starts_at, s.ends_at, zone)}" for s in sessions)
    return card(
        [
            heading("Which sessions can't you attend?", size="Medium"),
            text(listing),
            text("Reply with the session's number, or several numbers, e.g. **1, 4**.", subtle=True),
        ]
    )


def build_place_gone_card(
    run_code: str, position: int, replies: Sequence[str], other_runs: Sequence[RunChoice], zone: ZoneInfo
) -> CardMessage:
    body: list[Element] = [
        heading("That place has just gone", size="Medium"),
        text(
            f"Sorry, someone took the last place on {run_code} a moment ago. Would you like to join the "
            f"waitlist? You'd be number {position}."
        ),
    ]
    if other_runs:
        body.append(other_dates(other_runs, zone))
    body.append(reply_hint(replies))
    return card(body)
