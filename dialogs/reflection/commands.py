"""Reflection and CPD commands: ``my cpd`` and ``cpd`` (the author's own log, in their 1:1 chat only), the prompt
buttons' ``reflection`` fallback, and ``reflections`` for trainers (counts only, never anyone's words)."""

from __future__ import annotations

from typing import Any

from classroom.errors import NotAllowed, NotFound
from classroom.reflection.errors import ReflectionsNotSetUp
from classroom.reflection.sealing import SealBroken
from dialogs.cards.base import CardMessage
from dialogs.reflection import actions
from dialogs.reflection.cards.cpd import build_cpd_entry_card, build_cpd_log_card, build_delete_card
from dialogs.reflection.cards.cpd_form import build_cpd_form_card
from dialogs.reflection.cards.summary import build_summary_card
from dialogs.reflection.cpd_actions import NO_ENTRY, entry_values, save_cpd
from dialogs.reflection.links import KINDS, cpd_download_url
from dialogs.reflection.parts import COMMAND, card_id
from dialogs.routing import EVERYONE, GROUP_CHAT, PERSONAL, TEAM, CommandRequest, Router
from storage.models import Role

router = Router()
OVERSEERS = [Role.TRAINER, Role.COORDINATOR, Role.ADMIN]


@router.command(
    COMMAND,
    roles=EVERYONE,
    usage="reflection save|draft|skip|open ENROLMENT SESSION",
    description="The reflection card's buttons, typed",
    scopes=[PERSONAL],
    listed=False,
)
async def reflection(request: CommandRequest) -> None:
    words = request.args.split()
    if len(words) != 3:
        await request.say(actions.NOT_YOURS)
        return
    mode = {"save": "finish"}.get(words[0].lower(), words[0].lower())
    enrolment_id, session_id = card_id(words[1]), card_id(words[2])
    if enrolment_id is None or session_id is None:
        await request.say(actions.NOT_YOURS)
        return
    value = request.turn_context.activity.value
    values = value if isinstance(value, dict) else {}
    shown = await actions.act(request.services, request.turn_context, mode, enrolment_id, session_id, values)
    if isinstance(shown, str):
        await request.say(shown)
    else:
        await request.show(shown)


@router.command(
    "my cpd",
    roles=EVERYONE,
    usage="my cpd [YEAR]",
    description="Your private CPD log for Social Work England, by registration year",
    scopes=[PERSONAL],
    aliases=("cpd log",),
)
async def my_cpd(request: CommandRequest) -> None:
    aad_object_id = request.sender_id
    if not aad_object_id:
        await request.say(actions.SIGN_IN)
        return
    year = None
    if request.args.strip():
        typed = request.args.strip()
        year = int(typed) if typed.isdigit() and 2000 <= int(typed) <= 2100 else None
        if year is None:
            await request.say(
                "Which registration year? For example **my cpd 2026** (1 December 2026 to 30 November 2027)."
            )
            return
    service = request.services.reflection
    try:
        log = await service.cpd_log(aad_object_id, year)
        downloads = None
        if log.entries:
            issued = await service.issue_export_link(aad_object_id, log.registration_year)
            if issued is not None:
                base = request.services.public_base_url
                downloads = {kind: cpd_download_url(base, issued[0], kind) for kind in KINDS}
    except (ReflectionsNotSetUp, SealBroken):
        await request.say(actions.NOT_SET_UP)
        return
    await request.show(build_cpd_log_card(log, request.services.zone, downloads))


@router.command(
    "cpd",
    roles=EVERYONE,
    usage="cpd add | cpd ENTRY [edit|delete]",
    description="Add other CPD (reading, supervision…); or one entry, each field ready to copy into the form",
    scopes=[PERSONAL],
)
async def cpd(request: CommandRequest) -> None:
    aad_object_id = request.sender_id
    words = request.args.lower().split()
    if not aad_object_id:
        await request.say(actions.SIGN_IN)
        return
    today = request.services.clock.now().astimezone(request.services.zone).date()
    if words[:1] == ["add"]:
        if len(words) == 1:
            await request.show(build_cpd_form_card({}, entry_id=None, today=today))
        else:
            await _show(
                request, await save_cpd(request.services, request.turn_context, None, words[1], _values(request))
            )
        return
    entry_id = card_id(words[0].lstrip("#")) if words else None
    if entry_id is None or len(words) > 3:
        await request.say("Which entry? Type **my cpd** to see your log with each entry's number, or **cpd add**.")
        return
    service = request.services.reflection
    try:
        if len(words) == 1:
            entry = await service.cpd_entry(aad_object_id, entry_id)
            await request.show(build_cpd_entry_card(entry, request.services.zone))
        elif words[1:] == ["edit"]:
            entry = await service.cpd_entry(aad_object_id, entry_id)
            await request.show(build_cpd_form_card(entry_values(entry), entry_id=entry_id, today=today))
        elif words[1] in ("save", "save-anyway") and len(words) == 2:
            await _show(
                request, await save_cpd(request.services, request.turn_context, entry_id, words[1], _values(request))
            )
        elif words[1:] == ["delete"]:
            await request.show(build_delete_card(await service.cpd_entry(aad_object_id, entry_id)))
        elif words[1:] == ["delete", "confirm"]:
            await service.delete_cpd(aad_object_id, entry_id)
            await request.say(f"Entry {entry_id} is deleted from your CPD log.")
        else:
            await request.say("Type **cpd** and an entry's number, with **edit** or **delete** to change it.")
    except (NotFound, NotAllowed):
        await request.say(NO_ENTRY)
    except (ReflectionsNotSetUp, SealBroken):
        await request.say(actions.NOT_SET_UP)


def _values(request: CommandRequest) -> dict[str, Any]:
    value = request.turn_context.activity.value
    return value if isinstance(value, dict) else {}


async def _show(request: CommandRequest, shown: CardMessage | str) -> None:
    if isinstance(shown, str):
        await request.say(shown)
    else:
        await request.show(shown)


@router.command(
    "reflections",
    roles=OVERSEERS,
    usage="reflections CODE SESSION",
    description="How many reflected after a session (counts only: reflections are private)",
)
async def reflections(request: CommandRequest) -> None:
    words = request.args.split()
    position = card_id(words[1]) if len(words) == 2 else None
    if not request.sender_id or position is None:
        await request.say(
            "Type **reflections** with the run's code and the session number, e.g. **reflections PERM4 2**."
        )
        return
    try:
        summary = await request.services.reflection.session_summary(request.sender_id, words[0][:48], position)
    except NotAllowed:
        await request.say("Only the run's trainers and the training team can see this.")
        return
    except NotFound:
        await request.say("I can't find that run or session.")
        return
    except (ReflectionsNotSetUp, SealBroken):
        await request.say(actions.NOT_SET_UP)
        return
    await request.show(build_summary_card(summary))


@router.command(
    "reflect",
    roles=OVERSEERS,
    description="In a linked session chat: send everyone the reflection prompt now, each in their 1:1 chat",
    scopes=[GROUP_CHAT, TEAM],
)
async def reflect(request: CommandRequest) -> None:
    if not request.sender_id:
        await request.say(actions.SIGN_IN)
        return
    conversation = request.turn_context.activity.conversation
    try:
        sent = await request.services.reflection.prompt_now(conversation.id if conversation else "", request.sender_id)
    except NotAllowed:
        await request.say("Only the run's trainers and the training team can send reflection prompts.")
        return
    except NotFound as error:
        await request.say(f"I can't send reflection prompts from here: {error}. Link this chat first (**link CODE**).")
        return
    people = "participant" if sent.prompted == 1 else "participants"
    words = (
        f"I've sent the reflection prompt for session {sent.session_position} of {sent.session_count} of "
        f"{sent.run_code} to {sent.prompted} {people}, each in their own chat with me: their answers are private."
    )
    if sent.already:
        words += f" {sent.already} had it already."
    await request.say(words)
