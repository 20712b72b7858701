"""Save the register (``Action.Execute``): the trainer's choices, one per participant, are recorded as corrections
by whoever pressed (their Entra object id from the authenticated activity, never from the card's data), and the
answer is the register as it now stands."""

from __future__ import annotations

from botbuilder.core import InvokeResponse

from classroom.errors import InvalidInput, NotAllowed, NotFound
from dialogs.card_actions import CardActionRequest, CardActionRouter, card_answer, message_answer
from dialogs.cards.formatting import plural
from dialogs.meetings.cards.register import build_register_card
from dialogs.meetings.commands import NOT_YOURS
from dialogs.meetings.parts import CORRECT, statuses_from_inputs
from dialogs.polls.downloads import run_code_from

OUT_OF_DATE = "Sorry, that register card is out of date: type **attendance RUN N** for a fresh one."


async def correct(request: CardActionRequest) -> InvokeResponse:
    code = run_code_from(request.data.get("run"))
    position = request.data.get("session")
    statuses = statuses_from_inputs(request.data)
    if code is None or not isinstance(position, int) or isinstance(position, bool) or statuses is None:
        return message_answer(OUT_OF_DATE)
    services, by = request.services, request.sender_id or ""
    try:
        register, changed = await services.meetings.correct(
            code, position, statuses, by=by, by_name=request.sender_name
        )
        report = await services.meetings.attendance(code, by=by)
    except (NotFound, NotAllowed):
        return message_answer(NOT_YOURS.format(what="that register"))
    except InvalidInput:
        return message_answer(OUT_OF_DATE)
    notice = f"Saved: {plural(changed, 'change')}." if changed else "No changes to save."
    return card_answer(
        build_register_card(register, report.run_code, len(report.sessions), services.zone, notice=notice).card
    )


router = CardActionRouter()
router.verb(CORRECT, correct)
