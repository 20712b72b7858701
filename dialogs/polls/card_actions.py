"""The poll card's buttons answered in place (``Action.Execute``): an answer (a button, or Send my answer with the
card's inputs), Close poll, and the card's automatic refresh (each person's own view on load).

The answer to the person who pressed is their own view of the card (their choice shown), which Teams shows to
them alone; the shared copy in the chat is replaced through the outbox, off this turn (``classroom.polls``).
"""

from __future__ import annotations

from botbuilder.core import InvokeResponse

from classroom.errors import NotFound
from dialogs.card_actions import CardActionRequest, CardActionRouter, card_answer, message_answer
from dialogs.polls import actions, composing, preparing, replies
from dialogs.polls.answer_cards import answer_card
from dialogs.polls.cards.poll import build_poll_card
from dialogs.polls.cards.results import build_poll_results_card, build_run_polls_card
from dialogs.polls.downloads import download_for, not_yours, run_code_from
from dialogs.polls.parts import (
    ANSWER,
    CLOSE,
    COMPOSE_POST,
    COMPOSE_PREVIEW,
    COMPOSE_SAVE,
    EXPORT,
    LAUNCH_PREPARED,
    REFRESH,
    VOTE,
    ballot_from_inputs,
    ballot_from_option,
    card_id,
)

OUT_OF_DATE = "Sorry, that card is out of date."


def _answer(request: CardActionRequest, answer: actions.Answer) -> InvokeResponse:
    if answer.view is None:
        return message_answer(answer.notice or OUT_OF_DATE)
    zone = request.services.zone
    return card_answer(answer_card(answer.view, zone, chosen=answer.chosen, notice=answer.notice, typed=request.data))


async def vote(request: CardActionRequest) -> InvokeResponse:
    poll_id, ballot = card_id(request.data.get("poll")), ballot_from_option(request.data)
    if poll_id is None or ballot is None:
        return message_answer(OUT_OF_DATE)
    return _answer(request, await actions.vote(request.services, request.turn_context, poll_id, ballot))


async def answer(request: CardActionRequest) -> InvokeResponse:
    """Send my answer: the card's inputs (ticked options, words, ratings per outcome) come in its data."""
    poll_id, ballot = card_id(request.data.get("poll")), ballot_from_inputs(request.data)
    if poll_id is None:
        return message_answer(OUT_OF_DATE)
    if ballot is None:
        return message_answer(replies.NO_ANSWER)
    return _answer(request, await actions.vote(request.services, request.turn_context, poll_id, ballot))


async def refresh(request: CardActionRequest) -> InvokeResponse:
    """Teams asks for this person's view of the card (automatically on load, for the card's ``userIds``): their
    answer shown if the poll knows it, else the shared card."""
    poll_id = card_id(request.data.get("poll"))
    voter = actions.voter_of(request.turn_context)
    if poll_id is None:
        return message_answer(OUT_OF_DATE)
    try:
        own = await request.services.polls.own_view(poll_id, voter.aad_object_id if voter else "")
    except NotFound:
        return message_answer(replies.NO_SUCH_POLL)
    return card_answer(build_poll_card(own.view, request.services.zone, chosen=own.chosen).card)


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
# A vote claims its activity in the vote's own transaction: one transaction a vote.
router.verb(VOTE, vote, claims_receipt=True)
router.verb(ANSWER, answer, claims_receipt=True)
router.verb(CLOSE, close)
router.verb(EXPORT, export)
router.verb(REFRESH, refresh)


async def compose_preview(request: CardActionRequest) -> InvokeResponse:
    return card_answer(composing.preview(request.data, preparing=request.data.get("prepare") is True).card)


async def compose_save(request: CardActionRequest) -> InvokeResponse:
    return card_answer((await composing.save(request.services, request.turn_context, request.data)).card)


async def launch_prepared(request: CardActionRequest) -> InvokeResponse:
    prepared_id = card_id(request.data.get("prepared"))
    if prepared_id is None:
        return message_answer(OUT_OF_DATE)
    return message_answer(await preparing.launch(request.services, request.turn_context, prepared_id))


async def compose_post(request: CardActionRequest) -> InvokeResponse:
    return card_answer((await composing.post(request.services, request.turn_context, request.data)).card)


router.verb(COMPOSE_PREVIEW, compose_preview)
router.verb(COMPOSE_POST, compose_post)
router.verb(COMPOSE_SAVE, compose_save)
router.verb(LAUNCH_PREPARED, launch_prepared)
