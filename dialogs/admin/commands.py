"""Administration commands: ``roles`` and ``roles history`` (admins and coordinators), ``grant`` and ``revoke``
(admins: a confirmation card first), ``trainers``, ``link trainer`` and ``unlink trainer`` (admins and
coordinators).

The person a command is about is the one @mentioned in the message, identified by the mention's account (its Entra
object id, or Teams' member record of it), never by the words typed. Who may act is decided again by the service,
from the sender's Entra object id and stored roles.
"""

from __future__ import annotations

from classroom.admin.errors import LastAdmin
from classroom.errors import ClassroomError, InvalidInput, NotAllowed, NotFound, TryAgain
from dialogs.admin.cards import (
    CONFIRM_COMMAND,
    build_history_card,
    build_role_changed_card,
    build_role_confirmation_card,
    build_roles_card,
    build_trainers_card,
    trainer_link_words,
)
from dialogs.cards.formatting import shown_code, without_markdown
from dialogs.mentions import MentionProblem, aad_object_id, identify, one_mention, without_mentions
from dialogs.routing import CommandRequest, Router
from storage.models import Role

ADMINS = (Role.ADMIN,)
OVERSEERS = (Role.ADMIN, Role.COORDINATOR)
ROLE_NAMES = {
    "admin": Role.ADMIN,
    "admins": Role.ADMIN,
    "coordinator": Role.COORDINATOR,
    "coordinators": Role.COORDINATOR,
    "trainer": Role.TRAINER,
    "trainers": Role.TRAINER,
}
NOT_SIGNED_IN = "I can only do that for someone signed in to Microsoft Teams with a work account."

router = Router()


def explain(error: ClassroomError) -> str:
    if isinstance(error, LastAdmin):
        return "You are the only admin, so you can't give that up: grant someone else the admin role first."
    if isinstance(error, NotAllowed):
        return f"Sorry, {error}."
    if isinstance(error, NotFound):
        return "I don't know that course or run. Type **courses** to see the codes."
    if isinstance(error, InvalidInput):
        return f"Sorry, that didn't work: {error}."
    if isinstance(error, TryAgain):
        return "I'm busy just now; please try again in a moment. Nothing was changed."
    return "Sorry, that didn't work. Nothing was changed."


async def _attempt_say(request: CommandRequest, error: ClassroomError) -> None:
    await request.say(explain(error))


@router.command("roles", roles=OVERSEERS, description="Who holds which role (admins, coordinators, trainers)")
async def roles(request: CommandRequest) -> None:
    if not request.sender_id:
        await request.say(NOT_SIGNED_IN)
        return
    try:
        holders = await request.services.admin.role_holders(request.sender_id)
    except ClassroomError as error:
        await _attempt_say(request, error)
        return
    await request.show(build_roles_card(holders))


@router.command(
    "roles history", roles=OVERSEERS, description="Recent changes to roles and trainer links: who, what, when"
)
async def roles_history(request: CommandRequest) -> None:
    if not request.sender_id:
        await request.say(NOT_SIGNED_IN)
        return
    try:
        records = await request.services.admin.history(request.sender_id)
    except ClassroomError as error:
        await _attempt_say(request, error)
        return
    await request.show(build_history_card(records, request.services.zone))


def _role(words: str) -> Role | None:
    parts = words.lower().split()
    return ROLE_NAMES.get(parts[0]) if len(parts) == 1 else None


async def _ask_role_change(request: CommandRequest, *, grant: bool) -> None:
    verb = "grant" if grant else "revoke"
    if not request.sender_id:
        await request.say(NOT_SIGNED_IN)
        return
    try:
        mentioned = one_mention(request.turn_context)
        role = _role(without_mentions(request.args))
        if role is None:
            await request.say(
                f"Type **{verb}**, @mention the person, then the role: admin, coordinator or trainer "
                f"(e.g. {verb} @Megan Bowen trainer)."
            )
            return
        person = await identify(request.turn_context, mentioned)
    except MentionProblem as problem:
        await request.say(str(problem))
        return
    await request.show(build_role_confirmation_card(person.name, person.aad_object_id, role, grant=grant))


@router.command(
    "grant", roles=ADMINS, usage="grant @person ROLE", description="Give someone a role (you confirm on a card)"
)
async def grant(request: CommandRequest) -> None:
    await _ask_role_change(request, grant=True)


@router.command(
    "revoke", roles=ADMINS, usage="revoke @person ROLE", description="Take a role from someone (you confirm on a card)"
)
async def revoke(request: CommandRequest) -> None:
    await _ask_role_change(request, grant=False)


@router.command(CONFIRM_COMMAND, roles=ADMINS, description="Confirm a role change", listed=False)
async def role_change(request: CommandRequest) -> None:
    """What the confirmation card's buttons send in clients without ``Action.Execute``: ``grant|revoke AAD ROLE``."""
    if not request.sender_id:
        await request.say(NOT_SIGNED_IN)
        return
    words = request.args.split()
    role = ROLE_NAMES.get(words[2].lower()) if len(words) == 3 else None
    subject = aad_object_id(words[1]) if len(words) == 3 else None
    if role is None or subject is None or words[0].lower() not in ("grant", "revoke"):
        await request.say("That button is out of date. Type **grant** or **revoke** again.")
        return
    try:
        change = await request.services.admin.change_role(
            request.sender_id, subject, "", role, grant=words[0].lower() == "grant", where=request.where
        )
    except ClassroomError as error:
        await _attempt_say(request, error)
        return
    await request.show(build_role_changed_card(change))


@router.command(
    "trainers", roles=OVERSEERS, usage="trainers CODE", description="The trainers of a run or course, and who is linked"
)
async def trainers(request: CommandRequest) -> None:
    if not request.sender_id:
        await request.say(NOT_SIGNED_IN)
        return
    code = request.args.strip()
    if not code or len(code.split()) != 1:
        await request.say("Which run or course? Type **trainers** and its code, e.g. **trainers PERM4-A**.")
        return
    try:
        runs = await request.services.admin.trainers(request.sender_id, code)
    except ClassroomError as error:
        await _attempt_say(request, error)
        return
    await request.show(build_trainers_card(runs))


async def _change_link(request: CommandRequest, *, link: bool) -> None:
    verb = "link trainer" if link else "unlink trainer"
    if not request.sender_id:
        await request.say(NOT_SIGNED_IN)
        return
    try:
        mentioned = one_mention(request.turn_context)
        words = without_mentions(request.args).split()
        if len(words) != 1:
            await request.say(
                f"Type **{verb}**, @mention the trainer, then the run's code (or a course's, for all its runs), "
                f"e.g. {verb} @Megan Bowen PERM4-A."
            )
            return
        person = await identify(request.turn_context, mentioned)
    except MentionProblem as problem:
        await request.say(str(problem))
        return
    try:
        change = await request.services.admin.link_trainer(
            request.sender_id, person.aad_object_id, person.name, words[0], link=link, where=request.where
        )
    except NotFound:
        await request.say(f"I don't know {shown_code(words[0])}. Type **courses** to see the codes.")
        return
    except ClassroomError as error:
        await _attempt_say(request, error)
        return
    await request.say(f"{without_markdown(change.name) or 'They'} {trainer_link_words(change)}")


@router.command(
    "link trainer",
    roles=OVERSEERS,
    usage="link trainer @person CODE",
    description="Make someone a trainer of a run (or of every run of a course)",
)
async def link_trainer(request: CommandRequest) -> None:
    await _change_link(request, link=True)


@router.command(
    "unlink trainer",
    roles=OVERSEERS,
    usage="unlink trainer @person CODE",
    description="Someone no longer trains a run (or any run of a course)",
)
async def unlink_trainer(request: CommandRequest) -> None:
    await _change_link(request, link=False)
