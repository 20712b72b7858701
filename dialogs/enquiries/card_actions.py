"""The coordinator card's buttons: Assign to me, Reply, Close, Reopen (``Action.Execute``).

Only people whose stored roles make them coordinators may act: the check uses the invoking activity's
``from.aadObjectId`` and the database, never anything the card sends back (the card supplies only which
enquiry, and the reply text). Anyone else gets a polite refusal and learns nothing about the enquiry. The
answer to a coordinator is the updated card, with a note for them; Teams shows it to them alone. The action's
transaction also makes every copy of the card due again, and the outbox dispatcher replaces them for everyone
moments later, off this turn (``classroom.enquiries.notices``); that replaces the clicker's note too.
"""

from __future__ import annotations

from typing import Any

from botbuilder.core import InvokeResponse

from classroom.enquiries.actions import ActionOutcome, Actor, AlreadyDone
from classroom.enquiries.service import EnquiryService
from classroom.errors import InvalidInput, NotAllowed, NotFound
from classroom.receipts import AlreadyTaken
from dialogs.card_actions import (
    ALREADY_RECEIVED,
    CardActionRequest,
    CardActionRouter,
    card_answer,
    message_answer,
    turn_receipt,
)
from dialogs.enquiries.cards.coordinator import build_enquiry_card
from dialogs.enquiries.cards.parts import ASSIGN, CLOSE, REOPEN, REPLY, REPLY_INPUT
from dialogs.idempotency import activity_key

REFUSAL = "Sorry, only coordinators can assign, reply to, close or reopen enquiries. Nothing was changed."
NOTICES = {
    ASSIGN: "It's assigned to you.",
    CLOSE: "Closed.",
    REOPEN: "Reopened: it is waiting for our reply.",
}


def _enquiry_id(data: dict[str, Any]) -> int | None:
    value = data.get("enquiry")
    # Card data is untrusted: a positive id the database can hold, or nothing.
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31 else None


async def _apply(
    enquiries: EnquiryService,
    verb: str,
    enquiry_id: int,
    actor: Actor,
    data: dict[str, Any],
    key: str | None,
    receipt: str | None,
) -> tuple[ActionOutcome, str]:
    if verb == REPLY:
        text = data.get(REPLY_INPUT)
        typed = text if isinstance(text, str) else ""
        outcome = await enquiries.reply(enquiry_id, actor, typed, idempotency_key=key, receipt=receipt)
        return outcome, f"Your reply is on its way to {outcome.view.enquirer_name or 'the enquirer'}."
    action = {ASSIGN: enquiries.assign_to_self, CLOSE: enquiries.close, REOPEN: enquiries.reopen}[verb]
    return await action(enquiry_id, actor, idempotency_key=key, receipt=receipt), NOTICES[verb]


async def act(request: CardActionRequest) -> InvokeResponse:
    if not request.sender_id:
        return message_answer(REFUSAL)
    # The coordinator check is the action's own, inside its transaction (NotAllowed below).
    enquiry_id = _enquiry_id(request.data)
    if enquiry_id is None:
        return message_answer("Sorry, that card is out of date. Type enquiries to see the open enquiries.")
    actor = Actor(request.sender_id, request.sender_name)
    key = activity_key(request.turn_context, request.verb)
    enquiries, zone = request.services.enquiries, request.services.zone
    try:
        receipt = turn_receipt(request.turn_context)
        outcome, notice = await _apply(enquiries, request.verb, enquiry_id, actor, request.data, key, receipt)
    except AlreadyTaken:
        return message_answer(ALREADY_RECEIVED)
    except NotAllowed:
        return message_answer(REFUSAL)
    except NotFound:
        return message_answer("Sorry, I can't find that enquiry any more.")
    except AlreadyDone as done:
        return card_answer(build_enquiry_card(done.view, zone, notice=f"{done}.").card)
    except InvalidInput as invalid:
        return message_answer(f"Sorry, {invalid}. Nothing was sent.")
    return card_answer(build_enquiry_card(outcome.view, zone, notice=notice).card)


router = CardActionRouter()
for _verb in (ASSIGN, REPLY, CLOSE, REOPEN):
    router.verb(_verb, act, claims_receipt=True)
