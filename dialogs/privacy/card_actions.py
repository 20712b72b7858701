"""The erasure confirmation's buttons (``Action.Execute``). The person the card names is untrusted input: whether
the presser may erase them (themselves, or anyone if an admin) is decided again by the service."""

from __future__ import annotations

from botbuilder.core import InvokeResponse

from classroom.errors import ClassroomError
from classroom.privacy.audit import Actor
from dialogs.card_actions import CardActionRequest, CardActionRouter, card_answer, message_answer
from dialogs.mentions import aad_object_id
from dialogs.privacy.cards import CANCEL, FORGET, build_erasure_cancelled_card, build_forgotten_card
from dialogs.privacy.commands import NOT_SIGNED_IN, explain


async def forget(request: CardActionRequest) -> InvokeResponse:
    if not request.sender_id:
        return message_answer(NOT_SIGNED_IN)
    subject = aad_object_id(request.data.get("person"))
    if subject is None:
        return message_answer("Sorry, that card is out of date. Type forget me again.")
    try:
        actor = Actor(request.sender_id, request.sender_name, request.where)
        outcome = await request.services.privacy.forget(actor, subject)
    except ClassroomError as error:
        return message_answer(explain(error).replace("**", ""))
    return card_answer(build_forgotten_card(outcome, yourself=subject == request.sender_id).card)


async def cancel(_request: CardActionRequest) -> InvokeResponse:
    return card_answer(build_erasure_cancelled_card().card)


router = CardActionRouter()
router.verb(FORGET, forget)
router.verb(CANCEL, cancel)
