"""Save the register (``Action.Execute``): the trainer's choices, one per participant, are recorded as corrections
by whoever pressed (their Entra object id from the authenticated activity, never from the card's data), and the
answer is the register as it now stands."""

from __future__ import annotations

from botbuilder.core import InvokeResponse

from classroom.errors import InvalidInput, NotAllowed, NotFound
from dialogs.card_actions import CardActionRequest, CardActionRouter, card_answer, message_answer
from dialogs.cards.formatting import plural, without_markdown
from dialogs.meetings.cards.register import build_register_card
from dialogs.meetings.commands import MAX_POSITION, NOT_YOURS
from dialogs.meetings.parts import CORRECT, statuses_from_inputs
from dialogs.polls.downloads import run_code_from

OUT_OF_DATE = "Sorry, that register card is out of date: type **attendance RUN N** for a fresh one."


def _is_position(value: object) -> bool:
    """A session number as ``attendance RUN N`` accepts one (card data is untrusted: PostgreSQL refuses an integer
    past 2^31 with an error, not an empty answer)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_POSITION


async def correct(request: CardActionRequest) -> InvokeResponse:
    code = run_code_from(request.data.get("run"))
    position = request.data.get("session")
    statuses = statuses_from_inputs(request.data)
    if code is None or not _is_position(position) or statuses is None:
        return message_answer(OUT_OF_DATE)
    assert isinstance(position, int)
    services, by = request.services, request.sender_id or ""
    try:
        corrected = await services.meetings.correct(code, position, statuses, by=by, by_name=request.sender_name)
        report = await services.meetings.attendance(code, by=by)
    except (NotFound, NotAllowed):
        return message_answer(NOT_YOURS.format(what="that register"))
    except InvalidInput:
        return message_answer(OUT_OF_DATE)
    notice = f"Saved: {plural(corrected.changed, 'change')}." if corrected.changed else "No changes to save."
    if corrected.withdrawn:
        notice += (
            f" Completion withdrawn (no longer every date attended), and the certificate with it: "
            f"{', '.join(without_markdown(name) for name in corrected.withdrawn)}."
        )
    return card_answer(
        build_register_card(
            corrected.register, report.run_code, len(report.sessions), services.zone, notice=notice
        ).card
    )


router = CardActionRouter()
router.verb(CORRECT, correct)
