"""Offered when someone asks a question the bot cannot answer: pass it on to the training team."""

from __future__ import annotations

from dialogs.cards.base import CardMessage, Element, card, literal, text

QUESTION_KEY = "question"  # the asked question travels with the button, to prefill the enquiry's message
ENQUIRE_VERB = "enquire"


def build_enquiry_offer_card(question: str) -> CardMessage:
    button: Element = {
        "type": "Action.Submit",
        "title": "Ask the training team",
        "data": {"verb": ENQUIRE_VERB, "args": "", QUESTION_KEY: question},
        "style": "positive",
    }
    return card(
        [
            text("I can't answer that myself, but the training team can:"),
            literal(question),
            text(
                "Shall I pass your question on? You can check it before it is sent. Or type **courses** to "
                "see what's on, or **help** for everything I can do.",
                subtle=True,
            ),
        ],
        [button],
    )
