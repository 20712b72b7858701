"""Enquiry commands: ``enquire [CODE]``, ``my enquiries``, ``enquiry REF``, ``answer REF …`` for everyone;
``enquiries [open|mine|unassigned]`` and ``coordinators [here]`` for coordinators."""

from __future__ import annotations

from classroom.coordinators import NotOnlyCoordinators
from classroom.enquiries.actions import Actor
from classroom.enquiries.queries import CoordinatorFilter
from classroom.enquiries.references import parse_reference
from classroom.errors import ClassroomError, InvalidInput, NotAllowed, NotFound
from dialogs.cards.formatting import plural, without_markdown
from dialogs.conversation_reference import conversation_info
from dialogs.enquiries.cards.coordinator import build_enquiry_card
from dialogs.enquiries.cards.enquirer import build_enquirer_enquiry_card
from dialogs.enquiries.cards.lists import build_coordinator_list_card, build_my_enquiries_card
from dialogs.enquiries.cards.offer import QUESTION_KEY
from dialogs.enquiries.cards.parts import ANSWER_INPUT
from dialogs.enquiries.dialog import ENQUIRY_DIALOG
from dialogs.enquiries.phrases import ENQUIRE_ALIASES, ENQUIRE_PHRASES, MY_ENQUIRIES_ALIASES
from dialogs.idempotency import activity_key
from dialogs.members import MembersUnavailable, conversation_members
from dialogs.private_views import not_here, private_here
from dialogs.routing import EVERYONE, PERSONAL, TEAM, CommandRequest, Router
from storage.models import Role

router = Router()

COORDINATORS = [Role.COORDINATOR]
_FILTER_WORDS = {
    "": CoordinatorFilter.OPEN,
    "open": CoordinatorFilter.OPEN,
    "all": CoordinatorFilter.OPEN,
    "mine": CoordinatorFilter.MINE,
    "my": CoordinatorFilter.MINE,
    "me": CoordinatorFilter.MINE,
    "unassigned": CoordinatorFilter.UNASSIGNED,
    "new": CoordinatorFilter.UNASSIGNED,
}
NOT_HERE = not_here("Enquiries")
MAX_NAMED = 5  # members named when a chat is refused as the coordinators' chat


def _card_value(request: CommandRequest, key: str) -> str | None:
    value = request.turn_context.activity.value
    found = value.get(key) if isinstance(value, dict) else None
    return found if isinstance(found, str) else None


@router.command(
    "enquire",
    roles=EVERYONE,
    usage="enquire [CODE]",
    description="Ask the training team a question, or ask us to deliver a course for your organisation",
    scopes=[PERSONAL],
    aliases=ENQUIRE_ALIASES,
    phrases=ENQUIRE_PHRASES,
)
async def enquire(request: CommandRequest) -> None:
    if not request.sender_id:  # said now, not after every question (the enquiry could never be sent)
        await request.say(
            "Sorry, I can only send enquiries for people signed in to Microsoft Teams, so that the training team can "
            "answer you here."
        )
        return
    prefill: dict[str, str] = {}
    if request.sender_name:
        prefill["name"] = request.sender_name[:200]
    if request.sender_id:
        prefill.update(await request.services.enquiries.prefill(request.sender_id))
    question = _card_value(request, QUESTION_KEY)
    if question and question.strip():
        prefill["message"] = question.strip()[:2000]
    code = request.args.split()[0] if request.args.split() else ""
    await request.dialog_context.begin_dialog(ENQUIRY_DIALOG, {"course_code": code, "prefill": prefill})


@router.command(
    "my enquiries",
    roles=EVERYONE,
    description="Your enquiries, where they stand and the replies",
    scopes=[PERSONAL],
    aliases=MY_ENQUIRIES_ALIASES,
)
async def my_enquiries(request: CommandRequest) -> None:
    if not request.sender_id:
        await request.say("I can only show enquiries to people signed in to Teams.")
        return
    listing = await request.services.enquiries.enquirer_list(request.sender_id)
    await request.show(build_my_enquiries_card(listing, request.services.zone))


@router.command(
    "enquiry", roles=EVERYONE, usage="enquiry REF", description="Show one enquiry, e.g. enquiry ENQ-2026-0042"
)
async def show_enquiry(request: CommandRequest) -> None:
    reference = parse_reference(request.args.split()[0]) if request.args.split() else None
    if reference is None:
        await request.say(
            "Which enquiry? Type **enquiry** followed by its reference, for example **enquiry ENQ-2026-0042**. "
            "Type **my enquiries** to see yours."
        )
        return
    try:
        viewed = await request.services.enquiries.enquiry_for(reference, request.sender_id or "")
    except NotFound:
        await request.say(f"I can't find an enquiry {reference} that you can see.")
        return
    if viewed.as_coordinator:
        if not await private_here(request):
            await request.say(NOT_HERE)
            return
        await request.show(build_enquiry_card(viewed.view, request.services.zone))
    elif request.scope != PERSONAL:
        await request.say("Your enquiries are private: message me directly to see them.")
    else:
        await request.show(build_enquirer_enquiry_card(viewed.view, request.services.zone))


@router.command(
    "answer",
    roles=EVERYONE,
    usage="answer REF message",
    description="Write back to the training team about one of your enquiries",
    scopes=[PERSONAL],
)
async def answer(request: CommandRequest) -> None:
    first, _, typed = request.args.partition(" ")
    reference = parse_reference(first)
    text = _card_value(request, ANSWER_INPUT) or typed
    if not request.sender_id:
        await request.say("I can only take answers to enquiries from people signed in to Teams.")
        return
    if reference is None:
        await request.say(
            "To write back about an enquiry, type **answer** followed by its reference and your message, for "
            "example **answer ENQ-2026-0042 March would suit us**."
        )
        return
    try:
        await request.services.enquiries.enquirer_writes(
            reference,
            Actor(request.sender_id, request.sender_name),
            text,
            idempotency_key=activity_key(request.turn_context, "answer"),
        )
    except NotFound:
        await request.say(f"I can't find an enquiry {reference} of yours.")
        return
    except InvalidInput:
        await request.say(
            f"Please write your answer first: type it in the box on the reply card, or type **answer {reference}** "
            "followed by your message."
        )
        return
    await request.say(f"Thank you. Your answer was added to **{reference}** and the training team has been told.")


@router.command(
    "enquiries",
    roles=COORDINATORS,
    usage="enquiries [open|mine|unassigned]",
    description="Open enquiries, oldest first: all of them, yours, or nobody's",
)
async def enquiries(request: CommandRequest) -> None:
    if not await private_here(request):
        await request.say(NOT_HERE)
        return
    which = _FILTER_WORDS.get(request.args.split()[0].lower() if request.args.split() else "")
    if which is None:
        await request.say("Type **enquiries open**, **enquiries mine** or **enquiries unassigned**.")
        return
    try:
        listing = await request.services.enquiries.coordinator_list(request.sender_id or "", which)
    except NotAllowed:
        await request.say("Sorry, only coordinators can list enquiries.")
        return
    services = request.services
    await request.show(build_coordinator_list_card(listing, which.value, services.clock.now(), services.zone))


@router.command(
    "coordinators",
    roles=COORDINATORS,
    usage="coordinators [here]",
    description="Where new enquiries and the daily digest go; 'coordinators here' sends them to this channel or chat",
)
async def coordinators(request: CommandRequest) -> None:
    if request.args.strip().lower() != "here":
        shared = await request.services.enquiries.coordinators_chat()
        where = (
            (
                f"the {'channel' if shared.conversation_type == 'channel' else 'group chat'} chosen with "
                "**coordinators here**"
            )
            if shared
            else "each coordinator's one-to-one chat with me"
        )
        await request.say(
            f"New enquiries and the daily digest go to {where}. To use a channel or group chat instead, mention me "
            "there and type **coordinators here**."
        )
        return
    if request.scope == PERSONAL:
        await request.say(
            "Type this in the coordinators' channel or group chat (mention me there): **coordinators here**. "
            "Until one is chosen, each coordinator gets enquiries in their chat with me."
        )
        return
    try:
        members = await conversation_members(request.turn_context)
    except MembersUnavailable:
        await request.say(
            "Sorry, Teams didn't tell me who is in this conversation, so I haven't chosen it: enquiries must "
            "only go where everyone is a coordinator. Please try again in a moment."
        )
        return
    try:
        await request.services.enquiries.choose_coordinators_chat(
            conversation_info(request.turn_context.activity), by=request.sender_id or "", members=members
        )
    except NotOnlyCoordinators as refused:
        await request.say(_seen_by_others(refused.outsiders, request.scope))
        return
    except ClassroomError as error:
        await request.say(f"Sorry, {error}.")
        return
    await request.say("Done: new enquiries, replies from enquirers and the daily digest will be posted here.")


def _seen_by_others(outsiders: list[str], scope: str) -> str:
    """The refusal, naming (as plain text) who would see enquirers' details here."""
    named = [without_markdown(name) or "someone" for name in outsiders[:MAX_NAMED]]
    others = len(outsiders) - len(named)
    if others:
        named.append(plural(others, "other"))
    who = named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"
    verb = "is" if len(outsiders) == 1 else "are"
    place = "team" if scope == TEAM else "chat"
    return (
        f"I haven't chosen this {place} for coordinators: enquirers' names, emails and messages would be posted "
        f"here, and {who} {verb} in it without the coordinator role. Use a channel or chat with coordinators "
        "only (or ask an admin to give them the role), then type **coordinators here** again."
    )
