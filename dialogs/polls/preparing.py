"""Prepared polls in the run's linked chat: ``prepared`` lists them (with an earlier run's of the same course, for
reuse) on a card with a Launch button each; Launch (or ``prepared launch N``, its Submit fallback) posts one. The
poll's own card is then posted in the chat by the outbox; the answer here says so in words."""

from __future__ import annotations

from botbuilder.core import TurnContext

from classroom.errors import InvalidInput, NotAllowed, NotFound
from classroom.polls.errors import NotLinked
from dialogs.conversation_reference import base_conversation_id
from dialogs.polls import actions, replies
from dialogs.polls.meeting_role import meeting_role_refusal
from dialogs.services import Services


async def launch(services: Services, turn_context: TurnContext, prepared_id: int) -> str:
    voter = actions.voter_of(turn_context)
    if voter is None:
        return replies.not_allowed("launch polls here")
    refusal = await meeting_role_refusal(services, turn_context, "launch polls here")
    if refusal is not None:
        return refusal
    here = base_conversation_id(turn_context.activity.conversation.id)
    try:
        launched = await services.polls.launch_prepared(here, prepared_id, by=voter)
    except NotLinked:
        return replies.NOT_LINKED
    except NotFound:
        return "Sorry, I can't find that prepared poll for this chat's course. Nothing was posted."
    except NotAllowed as refused:
        return f"Sorry, {refused}. Nothing was posted."
    except InvalidInput as invalid:
        return f"Sorry, {invalid}. Nothing was posted."
    if launched.already_open:
        return "That poll is already open in this chat: its card is above. Nothing new was posted."
    return "Launched: its card is in the chat."
