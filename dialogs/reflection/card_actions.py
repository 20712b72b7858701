"""The prompt card's buttons answered in place (``Action.Execute``): the answer replaces the card for the person
who pressed, and only they see it (it is their 1:1 chat in any case)."""

from __future__ import annotations

from botbuilder.core import InvokeResponse

from dialogs.card_actions import CardActionRequest, CardActionRouter, card_answer, message_answer
from dialogs.reflection import actions
from dialogs.reflection.cards.cpd_form import SAVE_CPD
from dialogs.reflection.cpd_actions import save_cpd
from dialogs.reflection.parts import OPEN, SAVE, SKIP, card_id


async def _pressed(request: CardActionRequest) -> InvokeResponse:
    enrolment_id, session_id = card_id(request.data.get("enrolment")), card_id(request.data.get("session"))
    mode = request.data.get("mode")
    if enrolment_id is None or session_id is None or not isinstance(mode, str):
        return message_answer(actions.NOT_YOURS)
    shown = await actions.act(request.services, request.turn_context, mode, enrolment_id, session_id, request.data)
    return message_answer(shown) if isinstance(shown, str) else card_answer(shown.card)


async def _save_cpd(request: CardActionRequest) -> InvokeResponse:
    entry = request.data.get("entry")
    entry_id = None if entry == 0 else card_id(entry)
    mode = request.data.get("mode")
    if (entry != 0 and entry_id is None) or mode not in ("save", "save-anyway"):
        return message_answer(actions.NOT_YOURS)
    shown = await save_cpd(request.services, request.turn_context, entry_id, str(mode), request.data)
    return message_answer(shown) if isinstance(shown, str) else card_answer(shown.card)


router = CardActionRouter()
router.verb(SAVE_CPD, _save_cpd)
router.verb(SAVE, _pressed)
router.verb(SKIP, _pressed)
router.verb(OPEN, _pressed)
