"""A coordinator's reply as the enquirer receives it in their 1:1 chat, with a box to answer back."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from dialogs.cards.base import CardMessage, Element, card, heading, literal, submit, text
from dialogs.cards.formatting import short_time
from dialogs.enquiries.cards.parts import ANSWER_INPUT, kind_label, run, runs

ANSWER_VERB = "answer"
ANSWER_MAX_LENGTH = 2000


def answer_form(reference: str) -> list[Element]:
    """The answer box and its button: the reply is added to enquiry ``reference`` (checked to be theirs)."""
    return [
        {
            "type": "Input.Text",
            "id": ANSWER_INPUT,
            "label": "Your answer",
            "isMultiline": True,
            "maxLength": ANSWER_MAX_LENGTH,
            "placeholder": "Write back to the training team",
        },
        {"type": "ActionSet", "actions": [submit("Send answer", ANSWER_VERB, reference, style="positive")]},
    ]


def build_enquiry_reply_card(
    reference: str, kind: str, from_name: str, reply: str, at: datetime, zone: ZoneInfo
) -> CardMessage:
    body: list[Element] = [
        heading(f"Reply to your enquiry {reference}", size="Medium"),
        text(f"{kind_label(kind)} · {short_time(at, zone)}", subtle=True, spacing="None"),
        runs(run("From the training team: "), run(from_name or "a coordinator", weight="Bolder")),
        literal(reply),
        *answer_form(reference),
        text(f"You can also type **{ANSWER_VERB} {reference}** followed by your message.", subtle=True),
    ]
    return card(body, [submit("Show the whole enquiry", "enquiry", reference)])
