"""Tells the coordinators that an enquirer wrote back (the enquiry's own card is updated as well)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from dialogs.cards.base import CardMessage, card, heading, literal, submit, text
from dialogs.cards.formatting import short_time
from dialogs.enquiries.cards.parts import run, runs


def build_enquiry_followup_card(
    reference: str, enquirer_name: str, answer: str, at: datetime, zone: ZoneInfo, *, reopened: bool
) -> CardMessage:
    return card(
        [
            heading(f"{reference}: the enquirer wrote back", size="Medium"),
            runs(
                run(enquirer_name or "The enquirer", weight="Bolder"),
                run(f" wrote on {short_time(at, zone)}" + (", which reopened the enquiry:" if reopened else ":")),
            ),
            literal(answer),
            text("It is waiting for our reply again.", subtle=True),
        ],
        [submit(f"Show {reference}", "enquiry", reference)],
    )
