"""Enquiry commands: ``enquire [CODE]``, ``my enquiries``, ``enquiry REF``, ``answer REF …`` for everyone;
``enquiries [open|mine|unassigned]`` and ``coordinators [here]`` for coordinators."""

from __future__ import annotations

from classroom.conversations import remember_conversation
from classroom.coordinators import coordinators_conversation, set_coordinators_conversation
from classroom.enquiries.actions import Actor, enquirer_writes
from classroom.enquiries.queries import CoordinatorFilter, coordinator_list, enquirer_list, enquiry_for
from classroom.enquiries.references import parse_reference
from classroom.errors import ClassroomError, InvalidInput, NotAllowed, NotFound
from classroom.people import find_person
from dialogs.cards.enquirer_enquiry_card import build_enquirer_enquiry_card
from dialogs.cards.enquiry_card import build_enquiry_card
from dialogs.cards.enquiry_list_card import build_coordinator_list_card, build_my_enquiries_card
from dialogs.cards.enquiry_offer_card import QUESTION_KEY
from dialogs.cards.enquiry_parts import ANSWER_INPUT
from dialogs.conversation_reference import conversation_info
from dialogs.enquiry_dialog import ENQUIRY_DIALOG
from dialogs.idempotency import activity_key
from dialogs.messages import card_activity
from dialogs.routing import PERSONAL, CommandRequest, Router
from storage.models import Role

router = Router()

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


def _sender_id(request: CommandRequest) -> str | None:
    sender = request.turn_context.activity.from_property
    return sender.aad_object_id if sender else None


def _card_value(request: CommandRequest, key: str) -> str | None:
    value = request.turn_context.activity.value
    found = value.get(key) if isinstance(value, dict) else None
    return found if isinstance(found, str) else None


@router.command(
    "enquire",
    usage="enquire [CODE]",
    description="Ask the training team a question, or ask us to deliver a course for your organisation",
    scopes=[PERSONAL],
)
async def enquire(request: CommandRequest) -> None:
    sender = request.turn_context.activity.from_property
    prefill: dict[str, str] = {}
    if sender and sender.name:
        prefill["name"] = sender.name[:200]
    if sender and sender.aad_object_id:
        async with request.services.session_factory() as session:
            person = await find_person(session, sender.aad_object_id)
            if person is not None and person.email:
                prefill["email"] = person.email
            if person is not None and person.organisation_id is not None:
                await session.refresh(person, ["organisation"])
                if person.organisation is not None:
                    prefill["organisation"] = person.organisation.name
    question = _card_value(request, QUESTION_KEY)
    if question and question.strip():
        prefill["message"] = question.strip()[:2000]
    code = request.args.split()[0] if request.args.split() else ""
    await request.dialog_context.begin_dialog(ENQUIRY_DIALOG, {"course_code": code, "prefill": prefill})


@router.command("my enquiries", description="Your enquiries, where they stand and the replies", scopes=[PERSONAL])
async def my_enquiries(request: CommandRequest) -> None:
    aad_object_id = _sender_id(request)
    if not aad_object_id:
        await request.turn_context.send_activity("I can only show enquiries to people signed in to Teams.")
        return
    async with request.services.session_factory() as session:
        listing = await enquirer_list(session, aad_object_id)
    await request.turn_context.send_activity(card_activity(build_my_enquiries_card(listing, request.services.zone)))


@router.command(
    "enquiry",
    usage="enquiry REF",
    description="Show one enquiry, e.g. enquiry ENQ-2026-0042",
)
async def show_enquiry(request: CommandRequest) -> None:
    reference = parse_reference(request.args.split()[0]) if request.args.split() else None
    if reference is None:
        await request.turn_context.send_activity(
            "Which enquiry? Type **enquiry** followed by its reference, for example **enquiry ENQ-2026-0042**. "
            "Type **my enquiries** to see yours."
        )
        return
    try:
        async with request.services.session_factory() as session:
            viewed = await enquiry_for(session, reference, _sender_id(request) or "")
    except NotFound:
        await request.turn_context.send_activity(f"I can't find an enquiry {reference} that you can see.")
        return
    if viewed.as_coordinator:
        if not await _private_here(request):
            await request.turn_context.send_activity(NOT_HERE)
            return
        message = build_enquiry_card(viewed.view, request.services.zone)
    elif request.scope != PERSONAL:
        await request.turn_context.send_activity("Your enquiries are private: message me directly to see them.")
        return
    else:
        message = build_enquirer_enquiry_card(viewed.view, request.services.zone)
    await request.turn_context.send_activity(card_activity(message))


@router.command(
    "answer",
    usage="answer REF message",
    description="Write back to the training team about one of your enquiries",
    scopes=[PERSONAL],
)
async def answer(request: CommandRequest) -> None:
    first, _, typed = request.args.partition(" ")
    reference = parse_reference(first)
    text = _card_value(request, ANSWER_INPUT) or typed
    aad_object_id = _sender_id(request)
    if reference is None or not aad_object_id:
        await request.turn_context.send_activity(
            "To write back about an enquiry, type **answer** followed by its reference and your message, for "
            "example **answer ENQ-2026-0042 March would suit us**."
        )
        return
    sender = request.turn_context.activity.from_property
    try:
        async with request.services.session_factory.begin() as session:
            await enquirer_writes(
                session,
                reference,
                Actor(aad_object_id, (sender.name or "") if sender else ""),
                text,
                now=request.services.clock.now(),
                idempotency_key=activity_key(request.turn_context, "answer"),
            )
    except NotFound:
        await request.turn_context.send_activity(f"I can't find an enquiry {reference} of yours.")
        return
    except InvalidInput:
        await request.turn_context.send_activity(
            f"Please write your answer first: type it in the box on the reply card, or type **answer {reference}** "
            "followed by your message."
        )
        return
    await request.turn_context.send_activity(
        f"Thank you. Your answer was added to **{reference}** and the training team has been told."
    )


@router.command(
    "enquiries",
    usage="enquiries [open|mine|unassigned]",
    description="Open enquiries, oldest first: all of them, yours, or nobody's",
    roles=[Role.COORDINATOR],
)
async def enquiries(request: CommandRequest) -> None:
    if not await _private_here(request):
        await request.turn_context.send_activity(NOT_HERE)
        return
    which = _FILTER_WORDS.get(request.args.split()[0].lower() if request.args.split() else "")
    if which is None:
        await request.turn_context.send_activity(
            "Type **enquiries open**, **enquiries mine** or **enquiries unassigned**."
        )
        return
    try:
        async with request.services.session_factory() as session:
            listing = await coordinator_list(session, _sender_id(request) or "", which)
    except NotAllowed:
        await request.turn_context.send_activity("Sorry, only coordinators can list enquiries.")
        return
    services = request.services
    await request.turn_context.send_activity(
        card_activity(build_coordinator_list_card(listing, which.value, services.clock.now(), services.zone))
    )


NOT_HERE = (
    "Enquiries hold people's contact details, so I show them only in our one-to-one chat or in the "
    "coordinators' chat (set with **coordinators here**). Message me directly."
)


async def _private_here(request: CommandRequest) -> bool:
    """Whether enquirers' details may be shown here: a one-to-one chat, or the coordinators' own chat."""
    if request.scope == PERSONAL:
        return True
    here = conversation_info(request.turn_context.activity).conversation_id
    async with request.services.session_factory() as session:
        shared = await coordinators_conversation(session)
    return shared is not None and shared.conversation_id == here


@router.command(
    "coordinators",
    usage="coordinators [here]",
    description="Where new enquiries and the daily digest go; 'coordinators here' sends them to this channel or chat",
    roles=[Role.COORDINATOR],
)
async def coordinators(request: CommandRequest) -> None:
    services, turn_context = request.services, request.turn_context
    if request.args.strip().lower() != "here":
        async with services.session_factory() as session:
            shared = await coordinators_conversation(session)
        where = (
            (
                f"the {'channel' if shared.conversation_type == 'channel' else 'group chat'} chosen with "
                "**coordinators here**"
            )
            if shared
            else "each coordinator's one-to-one chat with me"
        )
        await turn_context.send_activity(
            f"New enquiries and the daily digest go to {where}. To use a channel or group chat instead, mention me "
            "there and type **coordinators here**."
        )
        return
    if request.scope == PERSONAL:
        await turn_context.send_activity(
            "Type this in the coordinators' channel or group chat (mention me there): **coordinators here**. "
            "Until one is chosen, each coordinator gets enquiries in their chat with me."
        )
        return
    here = conversation_info(turn_context.activity)
    try:
        async with services.session_factory.begin() as session:
            await remember_conversation(session, here)
            await set_coordinators_conversation(
                session,
                here.conversation_id,
                by=_sender_id(request) or "",
                now=services.clock.now(),
            )
    except ClassroomError as error:
        await turn_context.send_activity(f"Sorry, {error}.")
        return
    await turn_context.send_activity(
        "Done: new enquiries, replies from enquirers and the daily digest will be posted here."
    )
