"""A question asked on a card, as its prompt's options: kept in the dialog state as a few plain values.

botbuilder keeps a prompt's options in the dialog state, written with jsonpickle at the end of the turn that asks
and read back at the next one. ``PromptOptions`` holds two ``Activity`` objects (fifty fields each, most of them
None, and enums that jsonpickle writes as calls to make again) around the whole card: a walk of several hundred
values each way, a fifth of an enrolment step's CPU. Here the state holds the card as its JSON text (a single
value to jsonpickle), its summary and the retry's words; the activities are made again, the same, when the question
is asked again, and the card is parsed when the question needs it (a button pressed, a question asked again).
Being plain ``dict`` and ``list`` values, parsed from JSON, the card goes on the wire as it did the first time.
"""

from __future__ import annotations

from typing import Any

from botbuilder.core import MessageFactory
from botbuilder.dialogs.prompts import PromptOptions
from botbuilder.schema import Activity, InputHints

from dialogs.cards.base import CardMessage
from dialogs.cards.messages import card_activity_of
from storage import json_text
from storage.state_documents import keep_plainly


@keep_plainly  # its state is plain values: written and read without jsonpickle's generic walk
class CardQuestionOptions(PromptOptions):
    """``PromptOptions(prompt=card_activity(message), retry_prompt=MessageFactory.text(retry), validations=...)``,
    as botbuilder's prompts use them, stored as the card's JSON text.

    The card is the one object: an ``AnswerPrompt`` names its buttons after the question in it before it is sent
    (``dialogs.answer_prompt``), and the state keeps it so named.
    """

    def __init__(self, message: CardMessage, *, retry: str | None = None, validations: object = None) -> None:
        # Not PromptOptions.__init__: ``prompt`` and ``retry_prompt`` are made from the card and words kept here.
        self._card: dict[str, Any] | None = message.card
        self._card_text: str | None = None
        self._summary = message.summary
        self._retry = retry
        self._prompt: Activity | None = None
        self._retry_prompt: Activity | None = None
        self.validations = validations
        self.number_of_attempts = 0
        self.question: str | None = None  # the name its answer buttons carry, once asked (``AnswerPrompt``)
        self.choices = self.style = None  # type: ignore[assignment]  # a choice prompt's, not a question's

    @property
    def card(self) -> dict[str, Any]:
        """The question's card (parsed from the state when it was read from there)."""
        if self._card is None:
            self._card = json_text.loads(self._card_text or "{}")
        return self._card

    # botbuilder's are attributes; nothing sets them (Prompt.begin_dialog sets the input hint, given here already).
    @property
    def prompt(self) -> Activity:  # type: ignore[override]
        """The card's message, with the input hint ``Prompt.begin_dialog`` gives a prompt."""
        if self._prompt is None:
            self._prompt = card_activity_of(self.card, self._summary)
            self._prompt.input_hint = InputHints.expecting_input
        return self._prompt

    @property
    def retry_prompt(self) -> Activity | None:  # type: ignore[override]
        if self._retry_prompt is None and self._retry is not None:
            self._retry_prompt = MessageFactory.text(self._retry)
        return self._retry_prompt

    def __getstate__(self) -> dict[str, Any]:
        """What jsonpickle stores: plain values, the card as one string."""
        return {
            "card": json_text.dumps(self.card),
            "summary": self._summary,
            "retry": self._retry,
            "validations": self.validations,
            "number_of_attempts": self.number_of_attempts,
            "question": self.question,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._card, self._card_text = None, state["card"]
        self._summary, self._retry = state["summary"], state["retry"]
        self._prompt = self._retry_prompt = None
        self.validations = state["validations"]
        self.number_of_attempts = state["number_of_attempts"]
        self.question = state.get("question")  # None in a state kept before questions' names were
        self.choices = self.style = None  # type: ignore[assignment]
