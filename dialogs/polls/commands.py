"""Poll commands, in a group chat, meeting chat or channel (mention the bot there): ``link [RUN]``, ``unlink``,
``poll Question | Option | Option ...`` (``poll anonymous ...``), ``poll close N``; and ``vote POLL OPTION``, what
the card's buttons type in Teams clients without Universal Actions (never listed).

Only the linked run's trainers and coordinators (stored roles, by Entra object id) link, launch and close; the
services decide it. A poll's card is posted by the outbox, so launching answers with nothing but the card.
"""

from __future__ import annotations

from classroom.errors import InvalidInput, NotAllowed, NotFound
from classroom.polls.ballots import Ballot, Choice
from classroom.polls.errors import NotLinked
from classroom.polls.links import LinkView
from dialogs.cards.base import CardMessage
from dialogs.cards.formatting import short_time, shown_code, without_markdown
from dialogs.conversation_reference import base_conversation_id, conversation_info
from dialogs.polls import actions, composing, preparing, replies
from dialogs.polls.cards.compose import build_poll_compose_card
from dialogs.polls.cards.prepared import build_prepared_polls_card
from dialogs.polls.meeting_role import meeting_role_refusal
from dialogs.polls.parts import (
    ANSWER_WORD,
    POLL_COMMAND,
    PREPARED_COMMAND,
    VOTE_COMMAND,
    ballot_from_inputs,
    typed_id,
)
from dialogs.polls.quick_form import parse_quick_form
from dialogs.routing import EVERYONE, GROUP_CHAT, PERSONAL, TEAM, CommandRequest, Router
from storage.models import Role

router = Router()

RUNS_POLLS = [Role.TRAINER, Role.COORDINATOR, Role.ADMIN]
SHARED = [GROUP_CHAT, TEAM]


def _here(request: CommandRequest) -> str:
    return base_conversation_id(request.turn_context.activity.conversation.id)


def _linked_words(view: LinkView, request: CommandRequest) -> str:
    title = f" ({without_markdown(view.course_title)})" if view.course_title else ""
    who = without_markdown(view.linked_by_name) or "a trainer"
    when = short_time(view.linked_at, request.services.zone)
    return (
        f"This chat is linked to **{view.run_code}**{title}, by {who} on {when}. Polls launched here belong to "
        f"that run: its trainers and the coordinators can launch and close them."
    )


async def _close_typed(request: CommandRequest, typed: str) -> None:
    poll_id = typed_id(typed)
    if poll_id is None:
        await request.say(replies.NO_SUCH_POLL)
        return
    answer = await actions.close(request.services, request.turn_context, poll_id)
    closed = answer.view is not None and answer.view.closed
    await request.say("Poll closed: the card now shows the final results." if closed else answer.notice or "")


async def _compose_step(request: CommandRequest, step: str, *, personal: bool) -> CardMessage:
    data = request.turn_context.activity.value
    if step == "save":
        return await composing.save(request.services, request.turn_context, data)
    if step == "post" and not personal:
        return await composing.post(request.services, request.turn_context, data)
    return composing.preview(data, preparing=personal)


@router.command(
    POLL_COMMAND,
    roles=RUNS_POLLS,
    usage="poll [Question | Option | Option]",
    description="Post a poll here (poll alone: the compose card; in our chat: prepare one for a run)",
    scopes=[PERSONAL, *SHARED],
)
async def poll(request: CommandRequest) -> None:
    words = request.args.split()
    personal = request.scope == PERSONAL
    if len(words) == 2 and words[0].lower() == "close":  # the Close poll button's fallback, or typed
        await _close_typed(request, words[1])
        return
    if len(words) == 2 and words[0].lower() == "compose":  # the compose card's Submit fallbacks, inputs alongside
        await request.show(await _compose_step(request, words[1].lower(), personal=personal))
        return
    if not request.args.strip():
        await request.show(build_poll_compose_card(preparing=personal))
        return
    if personal:
        await request.say(replies.POLLS_ARE_POSTED_IN_THE_RUNS_CHAT)
        return
    voter = actions.voter_of(request.turn_context)
    if voter is None:
        await request.say(replies.not_allowed("launch polls here"))
        return
    refusal = await meeting_role_refusal(request.services, request.turn_context, "launch polls")
    if refusal is not None:
        await request.say(refusal)
        return
    try:
        await request.services.polls.launch(_here(request), parse_quick_form(request.args), by=voter)
    except NotLinked:
        await request.say(replies.NOT_LINKED)
    except NotAllowed as refused:
        await request.say(f"Sorry, {refused}. Nothing was posted.")
    except InvalidInput as invalid:
        await request.say(replies.bad_draft(str(invalid)))
    # Launched: the poll's card is the answer, posted here by the outbox as soon as this turn commits.


@router.command(
    "link",
    roles=RUNS_POLLS,
    usage="link [RUN]",
    description="Link this chat to a course run (e.g. link PERM4-A), or show which run it is linked to",
    scopes=SHARED,
)
async def link(request: CommandRequest) -> None:
    services = request.services
    code = request.args.split()[0] if request.args.split() else ""
    if not code:
        try:
            await request.say(_linked_words(await services.polls.link_of(_here(request)), request))
        except NotLinked:
            await request.say(replies.NOT_LINKED)
        return
    voter = actions.voter_of(request.turn_context)
    if voter is None:
        await request.say(replies.not_allowed("link a chat to a run"))
        return
    try:
        view = await services.polls.link(conversation_info(request.turn_context.activity), code, by=voter)
    except NotFound:
        await request.say(f"Sorry, I can't find a run {shown_code(code)}. Nothing was changed.")
        return
    except NotAllowed:
        await request.say(replies.not_allowed("link a chat to it", shown_code(code, "that run")))
        return
    except InvalidInput as invalid:
        await request.say(f"Sorry, {invalid}.")
        return
    await request.say(_linked_words(view, request))


@router.command("unlink", roles=RUNS_POLLS, description="Unlink this chat from its course run", scopes=SHARED)
async def unlink(request: CommandRequest) -> None:
    try:
        view = await request.services.polls.unlink(_here(request), by=request.sender_id or "")
    except NotLinked:
        await request.say("This chat isn't linked to a course run. Nothing was changed.")
        return
    except NotAllowed:
        await request.say(replies.not_allowed("unlink this chat"))
        return
    await request.say(
        f"This chat is no longer linked to **{view.run_code}**. Polls already run here keep their results."
    )


@router.command(
    VOTE_COMMAND,
    roles=EVERYONE,
    usage="vote POLL OPTION|answer",
    description="Answer a poll (what the poll card's buttons send)",
    scopes=SHARED,
    listed=False,
)
async def vote(request: CommandRequest) -> None:
    words = request.args.split()
    poll_id = typed_id(words[0]) if len(words) == 2 else None
    ballot: Ballot | None = None
    if len(words) == 2 and words[1].lower() == ANSWER_WORD:  # Send my answer's fallback: the inputs ride along
        ballot = ballot_from_inputs(request.turn_context.activity.value)
    elif len(words) == 2 and (option_id := typed_id(words[1])) is not None:
        ballot = Choice(option_id)
    if poll_id is None or ballot is None:
        await request.say("To answer a poll, use the answers on its card.")
        return
    answer = await actions.vote(request.services, request.turn_context, poll_id, ballot)
    if answer.chosen is not None and answer.notice is None:
        return  # counted: the card shows it; nothing here names anyone's answer to the chat
    await request.say(answer.notice or replies.NO_SUCH_POLL)


@router.command(
    PREPARED_COMMAND,
    roles=RUNS_POLLS,
    usage="prepared",
    description="The polls prepared for this chat's run, each with a Launch button",
    scopes=SHARED,
)
async def prepared(request: CommandRequest) -> None:
    words = request.args.split()
    if len(words) == 2 and words[0].lower() == "launch":  # the Launch button's fallback, or typed
        prepared_id = typed_id(words[1])
        if prepared_id is None:
            await request.say("Sorry, I can't find that prepared poll. Type **prepared** to see them.")
            return
        await request.say(await preparing.launch(request.services, request.turn_context, prepared_id))
        return
    await show_prepared(request)


async def show_prepared(request: CommandRequest, *, only_if_any: bool = False) -> None:
    """The polls prepared for this chat's run, each with a Launch button (``only_if_any``: nothing at all, not even a
    refusal, when there are none or they are not the sender's to see; ``polls`` shows them before the results)."""
    try:
        found = await request.services.polls.prepared_here(_here(request), by=request.sender_id or "")
        link = await request.services.polls.link_of(_here(request))
    except NotLinked:
        if not only_if_any:
            await request.say(replies.NOT_LINKED)
        return
    except NotAllowed:
        if not only_if_any:
            await request.say(replies.not_allowed("see the prepared polls"))
        return
    if found or not only_if_any:
        await request.show(build_prepared_polls_card(found, link.run_code, request.services.zone))
