"""The coordinator card's buttons: Assign to me, Reply, Close, Reopen (``Action.Execute``).

Only people whose stored roles make them coordinators may act: the check uses the invoking activity's
``from.aadObjectId`` and the database, never anything the card sends back (the card supplies only which
enquiry, and the reply text). Anyone else gets a polite refusal and learns nothing about the enquiry. The
answer to a coordinator is the updated card, with a note for them; Teams shows it to them alone. The action's
transaction also makes every copy of the card due again, and the outbox dispatcher replaces them for everyone
moments later, off this turn (``classroom.enquiries.notifications``); that replaces the clicker's note too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from botbuilder.core import InvokeResponse

from classroom.enquiries.actions import ActionOutcome, Actor, AlreadyDone, assign_to_self, close, reopen, reply
from classroom.enquiries.queries import enquiry_by_id
from classroom.errors import InvalidInput, NotAllowed, NotFound
from dialogs.card_actions import CardActionRequest, CardActionRouter, card_answer, message_answer
from dialogs.cards.enquiry_card import build_enquiry_card
from dialogs.cards.enquiry_parts import ASSIGN, CLOSE, REOPEN, REPLY, REPLY_INPUT
from dialogs.idempotency import activity_key

REFUSAL = "Sorry, only coordinators can assign, reply to, close or reopen enquiries. Nothing was changed."
Action = Callable[..., Awaitable[ActionOutcome]]


def _enquiry_id(data: dict[str, Any]) -> int | None:
    value = data.get("enquiry")
    # Card data is untrusted: a positive id the database can hold, or nothing.
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31 else None


async def _act(request: CardActionRequest) -> InvokeResponse:
    services, activity = request.services, request.turn_context.activity
    sender = activity.from_property
    aad_object_id = sender.aad_object_id if sender else None
    if not aad_object_id:
        return message_answer(REFUSAL)
    # The coordinator check is the action's own, inside its transaction (NotAllowed below).
    enquiry_id = _enquiry_id(request.data)
    if enquiry_id is None:
        return message_answer("Sorry, that card is out of date. Type enquiries to see the open enquiries.")
    actor = Actor(aad_object_id, (sender.name or "") if sender else "")
    now = services.clock.now()
    key = activity_key(request.turn_context, request.verb)
    notice: str | None
    try:
        async with services.session_factory.begin() as session:
            if request.verb == REPLY:
                text = request.data.get(REPLY_INPUT)
                outcome = await reply(
                    session, enquiry_id, actor, text if isinstance(text, str) else "", now=now, idempotency_key=key
                )
                notice = f"Your reply is on its way to {outcome.view.enquirer_name or 'the enquirer'}."
            else:
                action, notice = _ACTIONS[request.verb]
                outcome = await action(session, enquiry_id, actor, now=now, idempotency_key=key)
    except NotAllowed:
        return message_answer(REFUSAL)
    except NotFound:
        return message_answer("Sorry, I can't find that enquiry any more.")
    except AlreadyDone as done:
        async with services.session_factory() as session:
            view = await enquiry_by_id(session, enquiry_id)
        return card_answer(build_enquiry_card(view, services.zone, notice=f"{done}.").card)
    except InvalidInput as invalid:
        return message_answer(f"Sorry, {invalid}. Nothing was sent.")
    return card_answer(build_enquiry_card(outcome.view, services.zone, notice=notice).card)


_ACTIONS: dict[str, tuple[Action, str]] = {
    ASSIGN: (assign_to_self, "It's assigned to you."),
    CLOSE: (close, "Closed."),
    REOPEN: (reopen, "Reopened: it is waiting for our reply."),
}

router = CardActionRouter()
for _verb in (ASSIGN, REPLY, CLOSE, REOPEN):
    router.verb(_verb, _act)
