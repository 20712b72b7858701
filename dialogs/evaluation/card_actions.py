"""The survey's and the report's buttons answered in place (``Action.Execute``): the answer replaces the card for
the person who pressed, and only they see it."""

from __future__ import annotations

from botbuilder.core import InvokeResponse

from dialogs.card_actions import CardActionRequest, CardActionRouter, card_answer, message_answer
from dialogs.evaluation import actions
from dialogs.evaluation.commands import download_card
from dialogs.evaluation.parts import ANSWER, EXPORT, SKIP, card_id


async def _pressed(request: CardActionRequest) -> InvokeResponse:
    enrolment_id, phase, mode = (
        card_id(request.data.get("enrolment")),
        request.data.get("phase"),
        request.data.get("mode"),
    )
    if enrolment_id is None or not isinstance(phase, str) or not isinstance(mode, str):
        return message_answer(actions.NOT_YOURS)
    shown = await actions.act(request.services, request.turn_context, mode, enrolment_id, phase, request.data)
    return message_answer(shown) if isinstance(shown, str) else card_answer(shown.card)


async def _export(request: CardActionRequest) -> InvokeResponse:
    run_code = request.data.get("run")
    if not request.sender_id:
        return message_answer(actions.SIGN_IN)
    if not isinstance(run_code, str) or not run_code.strip():
        return message_answer("Sorry, that button no longer works.")
    shown = await download_card(request.services, request.sender_id, run_code[:48])
    return message_answer(shown) if isinstance(shown, str) else card_answer(shown.card)


router = CardActionRouter()
router.verb(ANSWER, _pressed)
router.verb(SKIP, _pressed)
router.verb(EXPORT, _export)
