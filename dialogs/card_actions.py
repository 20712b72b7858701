"""``Action.Execute`` buttons: Teams sends an ``adaptiveCard/action`` invoke and shows our answer at once.

Each feature registers its verbs here (``router.verb("enquiry.close", handler)``). A handler answers with a
card, which replaces the clicked one for the person who clicked, or with a short message Teams shows
without touching the card (a refusal, say). Answers are msrest models, never dicts: botbuilder 4.17
serialises the invoke body with msrest and answers HTTP 500 for a dict (see the reference README).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.schema import AdaptiveCardInvokeResponse
from msrest.serialization import Model

from dialogs.cards.answers import ANSWER_VERB
from dialogs.sender import SentByPerson
from dialogs.services import Services

log = logging.getLogger(__name__)

CARD_TYPE = "application/vnd.microsoft.card.adaptive"
MESSAGE_TYPE = "application/vnd.microsoft.activity.message"


class _MessageInvokeResponse(Model):
    """``{statusCode, type: ...activity.message, value: "text"}``; botbuilder's own model types value as a dict."""

    _attribute_map = {
        "status_code": {"key": "statusCode", "type": "int"},
        "type": {"key": "type", "type": "str"},
        "value": {"key": "value", "type": "str"},
    }

    def __init__(self, *, status_code: int = 200, type: str = MESSAGE_TYPE, value: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.status_code = status_code
        self.type = type
        self.value = value


class _CardInvokeResponse(AdaptiveCardInvokeResponse):
    """A card answer that botbuilder's deep copy of every outgoing activity passes over.

    The card (several KB, a thousand objects to copy for a coordinator's enquiry card) is never changed after
    it is built, and the answer is read only to write the HTTP body, so the copy can be this same object.
    """

    def __deepcopy__(self, memo: dict[int, Any]) -> _CardInvokeResponse:
        return self


def card_answer(card: dict[str, Any]) -> InvokeResponse:
    return InvokeResponse(status=200, body=_CardInvokeResponse(status_code=200, type=CARD_TYPE, value=card))


def message_answer(text: str) -> InvokeResponse:
    return InvokeResponse(status=200, body=_MessageInvokeResponse(value=text))


@dataclass(frozen=True)
class CardActionRequest(SentByPerson):
    """One press of an ``Action.Execute`` button: who pressed it, its verb and what the card sent."""

    services: Services
    verb: str
    data: dict[str, Any]  # what the card sent back: untrusted, only ever an input to check


CardActionHandler = Callable[[CardActionRequest], Awaitable[InvokeResponse]]


@dataclass
class CardActionRouter:
    handlers: dict[str, CardActionHandler] = field(default_factory=dict)

    def verb(self, verb: str, handler: CardActionHandler) -> None:
        if verb == ANSWER_VERB:
            raise ValueError(f"card action {verb!r} is the answer buttons' own: they go to the question asked")
        if verb in self.handlers:
            raise ValueError(f"card action {verb!r} registered twice")
        self.handlers[verb] = handler

    def include(self, other: CardActionRouter) -> None:
        for verb, handler in other.handlers.items():
            self.verb(verb, handler)

    async def handle(self, turn_context: TurnContext, services: Services) -> InvokeResponse:
        value = turn_context.activity.value
        action = value.get("action") if isinstance(value, dict) else None
        action = action if isinstance(action, dict) else {}
        verb = action.get("verb")
        verb = verb if isinstance(verb, str) else ""
        data = action.get("data")
        data = data if isinstance(data, dict) else {}
        handler = self.handlers.get(verb)
        if handler is None:
            log.info("card action with unknown verb %r", verb[:64])
            return message_answer("Sorry, that button no longer works. Type help to see what I can do.")
        return await handler(CardActionRequest(turn_context, services, verb, data))
