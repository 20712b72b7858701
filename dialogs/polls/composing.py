"""The compose card's Preview and Post (in the 1:1 chat, Save for the run), shared by its ``Action.Execute``
buttons (answered in place, for the trainer alone) and their ``Action.Submit`` fallbacks (answered with a new
card). Posting is launching: the domain decides who may (stored roles), after the meeting-role check; a refusal
keeps every field as typed."""

from __future__ import annotations

from typing import Any

from botbuilder.core import TurnContext

from classroom.errors import InvalidInput, NotAllowed, NotFound
from classroom.polls.errors import NotLinked
from classroom.receipts import AlreadyTaken
from dialogs.cards.base import CardMessage
from dialogs.cards.formatting import shown_code
from dialogs.conversation_reference import base_conversation_id
from dialogs.polls import actions, replies
from dialogs.polls.cards.compose import build_poll_compose_card
from dialogs.polls.compose import compose, draft_id
from dialogs.polls.meeting_role import meeting_role_refusal
from dialogs.services import Services


def preview(data: Any, *, preparing: bool = False) -> CardMessage:
    composed = compose(data, preparing=preparing)
    return build_poll_compose_card(
        composed.values, preview=composed.draft, error=composed.error, preparing=preparing, draft=draft_id(data)
    )


async def save(services: Services, turn_context: TurnContext, data: Any) -> CardMessage:
    """Keep the poll for the run the form names (the 1:1 chat's compose card)."""
    composed, draft = compose(data, preparing=True), draft_id(data)
    if composed.draft is None:
        return build_poll_compose_card(composed.values, error=composed.error, preparing=True, draft=draft)
    voter = actions.voter_of(turn_context)
    if voter is None:
        return build_poll_compose_card(
            composed.values, error=_reason(replies.not_allowed("prepare polls")), preparing=True, draft=draft
        )
    try:
        saved = await services.polls.prepare(composed.run_code, composed.draft, by=voter)
    except NotFound:
        error = f"I can't find a run {shown_code(composed.run_code)}"
        return build_poll_compose_card(composed.values, error=error, preparing=True, draft=draft)
    except NotAllowed as refused:
        return build_poll_compose_card(composed.values, error=str(refused), preparing=True, draft=draft)
    except InvalidInput as invalid:
        return build_poll_compose_card(composed.values, error=str(invalid), preparing=True, draft=draft)
    return build_poll_compose_card(posted=composed.draft, saved_for=saved.run_code)


async def post(services: Services, turn_context: TurnContext, data: Any) -> CardMessage:
    """Launch the poll the card describes, once per card: a second Post of the same card (a double click, a
    redelivery) answers as the first did and posts nothing more. A refusal keeps the card's id, so the trainer
    can put it right and post it."""
    composed, draft = compose(data), draft_id(data)
    if composed.draft is None:
        return build_poll_compose_card(composed.values, error=composed.error, draft=draft)
    voter = actions.voter_of(turn_context)
    refusal = await meeting_role_refusal(services, turn_context, "post polls here") if voter else None
    if voter is None or refusal is not None:
        error = _reason(refusal or replies.not_allowed("post polls"))
        return build_poll_compose_card(composed.values, error=error, draft=draft)
    here = base_conversation_id(turn_context.activity.conversation.id)
    try:
        await services.polls.launch(here, composed.draft, by=voter, draft_id=draft)
    except AlreadyTaken:
        pass  # posted by an earlier press of this card
    except NotLinked:
        return build_poll_compose_card(composed.values, error=_reason(replies.NOT_LINKED), draft=draft)
    except NotAllowed as refused:
        return build_poll_compose_card(composed.values, error=str(refused), draft=draft)
    except InvalidInput as invalid:  # e.g. a confidence check for a course without learning outcomes
        return build_poll_compose_card(composed.values, error=str(invalid), draft=draft)
    return build_poll_compose_card(posted=composed.draft)


def _reason(sentence: str) -> str:
    """A refusal sentence of ours as the card's "Sorry, <reason>." """
    return sentence.removeprefix("Sorry, ").rstrip(".").replace("Nothing was changed", "nothing changed")
