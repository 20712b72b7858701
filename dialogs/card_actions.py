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
from botbuilder.schema import Activity, AdaptiveCardInvokeResponse
from msrest.serialization import Model

from dialogs.cards.answers import ANSWER_VERB
from dialogs.sender import SentByPerson
from dialogs.services import Services

log = logging.getLogger(__name__)

CARD_TYPE = "application/vnd.microsoft.card.adaptive"
ALREADY_RECEIVED = "Already received: this was done once and is not done again."
# The turn's activity claim (``classroom.receipts``), left in the turn state for a handler that makes it in its own
# transaction (a verb registered with ``claims_receipt=True``) rather than in one of its own before the turn.
TURN_RECEIPT = "classroom.turn_receipt"
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


def turn_receipt(turn_context: TurnContext) -> str | None:
    """The activity's claim key when this turn's handler is to claim it in its own transaction (else None)."""
    receipt = turn_context.turn_state.get(TURN_RECEIPT)
    return receipt if isinstance(receipt, str) else None


def _action(activity: Activity) -> tuple[str, dict[str, Any]]:
    """(verb, data) of an ``adaptiveCard/action`` invoke; ("", {}) when it names none."""
    value = activity.value
    action = value.get("action") if isinstance(value, dict) else None
    action = action if isinstance(action, dict) else {}
    verb = action.get("verb")
    data = action.get("data")
    return (verb if isinstance(verb, str) else ""), (data if isinstance(data, dict) else {})


@dataclass
class CardActionRouter:
    handlers: dict[str, CardActionHandler] = field(default_factory=dict)
    # Verbs whose handler claims the activity in the transaction that does the work (``turn_receipt``): one
    # transaction a press instead of two, and a press whose work fails leaves no claim behind.
    receipt_claimed_by_handler: set[str] = field(default_factory=set)

    def verb(self, verb: str, handler: CardActionHandler, *, claims_receipt: bool = False) -> None:
        if verb == ANSWER_VERB:
            raise ValueError(f"card action {verb!r} is the answer buttons' own: they go to the question asked")
        if verb in self.handlers:
            raise ValueError(f"card action {verb!r} registered twice")
        self.handlers[verb] = handler
        if claims_receipt:
            self.receipt_claimed_by_handler.add(verb)

    def include(self, other: CardActionRouter) -> None:
        for verb, handler in other.handlers.items():
            self.verb(verb, handler, claims_receipt=verb in other.receipt_claimed_by_handler)

    def claims_own_receipt(self, activity: Activity) -> bool:
        """Whether this invoke's handler claims the activity itself (see ``receipt_claimed_by_handler``)."""
        if activity.name != "adaptiveCard/action":
            return False
        return _action(activity)[0] in self.receipt_claimed_by_handler

    async def handle(self, turn_context: TurnContext, services: Services) -> InvokeResponse:
        verb, data = _action(turn_context.activity)
        handler = self.handlers.get(verb)
        if handler is None:
            log.info("card action with unknown verb %r", verb[:64])
            return message_answer("Sorry, that button no longer works. Type help to see what I can do.")
        return await handler(CardActionRequest(turn_context, services, verb, data))
