"""Voting and closing, shared by the buttons (``Action.Execute``, answered with the presser's own view of the card)
and by their ``Action.Submit`` fallbacks and typed commands (answered in words, never naming anyone's answer in
the chat). Who may close is decided by the service from the sender's Entra object id and stored roles; the card
supplies only which poll and which option, both checked against the poll."""

from __future__ import annotations

from dataclasses import dataclass

from botbuilder.core import TurnContext

from classroom.errors import NotAllowed, NotFound
from classroom.polls.ballots import AnswerRefused, Ballot
from classroom.polls.errors import AnswerLocked, NotAnOption, PollClosed
from classroom.polls.polls import Voter
from classroom.polls.views import PollView
from classroom.receipts import AlreadyTaken
from dialogs.card_actions import ALREADY_RECEIVED, turn_receipt
from dialogs.polls import replies
from dialogs.polls.meeting_role import meeting_role_refusal
from dialogs.sender import sender_aad_object_id, sender_name
from dialogs.services import Services


@dataclass(frozen=True)
class Answer:
    """What to show the person who pressed: the poll as it now stands (None: nothing to show), the option they
    chose (their own view only), and a note of what happened."""

    view: PollView | None
    chosen: str | None = None
    notice: str | None = None


def voter_of(turn_context: TurnContext) -> Voter | None:
    aad_object_id = sender_aad_object_id(turn_context)
    sender = turn_context.activity.from_property
    teams_id = sender.id if sender and isinstance(sender.id, str) and len(sender.id) <= 200 else None
    return Voter(aad_object_id, sender_name(turn_context), teams_id) if aad_object_id else None


async def vote(services: Services, turn_context: TurnContext, poll_id: int, ballot: Ballot) -> Answer:
    """Any kind of answer (an option, picks, a rating, words, ratings per outcome), checked by the domain."""
    voter = voter_of(turn_context)
    if voter is None:
        return Answer(None, notice=replies.SIGN_IN)
    try:
        outcome = await services.polls.answer(poll_id, ballot, voter, receipt=turn_receipt(turn_context))
    except AlreadyTaken:
        return Answer(None, notice=ALREADY_RECEIVED)
    except NotFound:
        return Answer(None, notice=replies.NO_SUCH_POLL)
    except NotAnOption:
        return Answer(None, notice=replies.NOT_AN_OPTION)
    except AnswerRefused as refused:
        view = await _poll_or_none(services, poll_id)
        return Answer(view, notice=replies.refused_answer(str(refused)))
    except PollClosed as closed:
        return Answer(closed.view, notice=replies.CLOSED)
    except AnswerLocked as locked:
        return Answer(locked.view, chosen=locked.chosen, notice=replies.LOCKED)
    return Answer(outcome.view, chosen=outcome.chosen)


async def close(services: Services, turn_context: TurnContext, poll_id: int) -> Answer:
    voter = voter_of(turn_context)
    if voter is None:
        return Answer(None, notice=replies.not_allowed("close this poll"))
    refusal = await meeting_role_refusal(services, turn_context, "close this poll")
    if refusal is not None:
        return Answer(None, notice=refusal)
    try:
        outcome = await services.polls.close(poll_id, by=voter)
    except NotFound:
        return Answer(None, notice=replies.NO_SUCH_POLL)
    except NotAllowed:
        run = await _run_of(services, poll_id)
        return Answer(None, notice=replies.not_allowed("close this poll", run))
    note = "This poll was already closed." if outcome.already_closed else "You closed the poll."
    shown = (
        "Everyone in the chat now sees the final results."
        if outcome.view.results_shown
        else "The chat sees that it closed; the results stay with the trainer who posted it."
    )
    return Answer(outcome.runners_view, notice=f"{note} {shown}")


async def _poll_or_none(services: Services, poll_id: int) -> PollView | None:
    try:
        return await services.polls.poll(poll_id)
    except NotFound:
        return None


async def _run_of(services: Services, poll_id: int) -> str | None:
    view = await _poll_or_none(services, poll_id)
    return view.run_code if view else None
