"""The decisions answered in place (``Action.Execute``): Accept / Decline on a clash review card, Accept / No
thanks on a waitlist offer card. Each answer is the card as it now stands, with a note for the person who pressed; a
card pressed after it was settled answers with its settled state. The outbox replaces every other copy.

Who may act comes from the sender's Entra object id and the stored roles (the domain checks), never from the card,
which only names what to act on. Teams clients without Universal Actions send the buttons' fallbacks, the ``clash``
and ``offer`` commands, instead.
"""

from __future__ import annotations

from typing import Any

from botbuilder.core import InvokeResponse

from classroom.enrolment.errors import AlreadyDecided, NoEnrolment, OfferExpired, OfferNotOpen
from classroom.errors import ClassroomError, NotAllowed, NotFound
from dialogs.card_actions import CardActionRequest, card_answer, message_answer
from dialogs.cards.formatting import without_markdown
from dialogs.cards.messages import card_activity
from dialogs.enrolment.cards.clash_review import CLASH_ACCEPT, build_clash_review_card
from dialogs.enrolment.cards.parts import OFFER_ACCEPT
from dialogs.enrolment.cards.waitlist_offer import build_waitlist_offer_card
from dialogs.enrolment.replies import NOT_SIGNED_IN, explain
from dialogs.enrolment.results import enrolment_result

_RUN_CODE_MAX = 48


def _positive(value: Any) -> int | None:
    # Card data is untrusted: a positive id the database can hold, or nothing.
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31 else None


def _run_code(data: dict[str, Any]) -> str:
    value = data.get("run")
    return value.strip().upper()[:_RUN_CODE_MAX] if isinstance(value, str) else ""


async def decide_clash(request: CardActionRequest) -> InvokeResponse:
    actor = request.sender_id
    if not actor:
        return message_answer(NOT_SIGNED_IN)
    enrolment_id, round_ = _positive(request.data.get("enrolment")), _positive(request.data.get("round"))
    if enrolment_id is None:
        return message_answer("Sorry, that card is out of date. Type **roster** and the run's code to see it.")
    accept = request.verb == CLASH_ACCEPT
    enrolment = request.services.enrolment
    settled: AlreadyDecided | None = None
    try:
        view = await enrolment.decide_clash(actor, enrolment_id, accept=accept, round_=round_, where=request.where)
    except AlreadyDecided as already:
        settled, note = already, "This was already settled; nothing was changed."
    except NotAllowed as refused:
        return message_answer(explain(refused, ""))
    except NotFound:
        return message_answer("Sorry, I can't find that request any more.")
    except ClassroomError as error:
        return message_answer(explain(error, ""))
    else:
        name, run_code = without_markdown(view.person_name), view.run.run_code
        note = (
            f"Accepted: {name}'s place on {run_code} is confirmed. I've told them."
            if accept
            else f"Declined: {name} has been told, and the place on {run_code} goes to the next person waiting."
        )
    try:
        review = await enrolment.clash_review(actor, enrolment_id, round_=round_)
    except NotFound:  # no clash left to show (a moved or removed session cleared it): say what this press did
        return message_answer(explain(settled, "") if settled is not None else note)
    except ClassroomError as error:
        return message_answer(explain(error, ""))
    return card_answer(build_clash_review_card(review, request.services.zone, note=note).card)


async def answer_offer(request: CardActionRequest) -> InvokeResponse:
    person = request.sender_id
    if not person:
        return message_answer(NOT_SIGNED_IN)
    code = _run_code(request.data)
    if not code:
        return message_answer("Sorry, that card is out of date. Type **my courses** to see your offers.")
    services = request.services
    enrolment = services.enrolment
    note = None
    try:
        if request.verb == OFFER_ACCEPT:
            view = await enrolment.accept_offer(person, code, calendar_link=True)
            await request.turn_context.send_activity(card_activity(await enrolment_result(services, person, view)))
        else:
            await enrolment.decline_offer(person, code)
            note = "Done: the place goes to the next person waiting."
    except OfferExpired:
        note = "Sorry, the time to take it had passed."
    except (OfferNotOpen, NoEnrolment):
        pass  # pressed after it was settled: the card as it stands says how
    except ClassroomError as error:
        return message_answer(explain(error, code))
    try:
        offer = await enrolment.offer_card(person, code)
    except ClassroomError as error:
        return message_answer(explain(error, code))
    return card_answer(build_waitlist_offer_card(offer, services.zone, note=note).card)
