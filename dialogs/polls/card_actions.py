"""The poll card's buttons answered in place (``Action.Execute``): an answer, and Close poll.

The answer to the person who pressed is their own view of the card (their choice shown), which Teams shows to
them alone; the shared copy in the chat is replaced through the outbox, off this turn (``classroom.polls``).
"""

from __future__ import annotations

from botbuilder.core import InvokeResponse

from dialogs.card_actions import CardActionRequest, CardActionRouter, card_answer, message_answer
from dialogs.polls import actions
from dialogs.polls.cards.poll import build_poll_card
from dialogs.polls.cards.results import build_poll_results_card, build_run_polls_card
from dialogs.polls.downloads import download_for, not_yours, run_code_from
from dialogs.polls.parts import CLOSE, EXPORT, VOTE, card_id

OUT_OF_DATE = "Sorry, that card is out of date."


def _answer(request: CardActionRequest, answer: actions.Answer) -> InvokeResponse:
    if answer.view is None:
        return message_answer(answer.notice or OUT_OF_DATE)
    card = build_poll_card(answer.view, request.services.zone, chosen=answer.chosen, notice=answer.notice)
    return card_answer(card.card)


async def vote(request: CardActionRequest) -> InvokeResponse:
    poll_id, option_id = card_id(request.data.get("poll")), card_id(request.data.get("option"))
    if poll_id is None or option_id is None:
        return message_answer(OUT_OF_DATE)
    return _answer(request, await actions.vote(request.services, request.turn_context, poll_id, option_id))


async def close(request: CardActionRequest) -> InvokeResponse:
    poll_id = card_id(request.data.get("poll"))
    if poll_id is None:
        return message_answer(OUT_OF_DATE)
    return _answer(request, await actions.close(request.services, request.turn_context, poll_id))


async def export(request: CardActionRequest) -> InvokeResponse:
    """A download link for the presser alone (Teams shows an invoke's answer only to whoever pressed): the poll's
    or the run's results with the link. Anyone but the run's trainers and coordinators: the same as not found."""
    services, by = request.services, request.sender_id
    poll_id, run_code = card_id(request.data.get("poll")), run_code_from(request.data.get("run"))
    if poll_id is None and run_code is None:
        return message_answer(OUT_OF_DATE)
    download = await download_for(services, request.turn_context, poll_id=poll_id, run_code=run_code)
    if download is None:
        return message_answer(not_yours("that poll" if poll_id is not None else "that run"))
    if poll_id is not None:
        view = await services.polls.results(poll_id, by=by)
        return card_answer(build_poll_results_card(view, services.zone, download=download).card)
    assert run_code is not None
    listing = await services.polls.run_polls(run_code, by=by)
    return card_answer(build_run_polls_card(listing, services.zone, download=download).card)


router = CardActionRouter()
router.verb(VOTE, vote)
router.verb(CLOSE, close)
router.verb(EXPORT, export)
