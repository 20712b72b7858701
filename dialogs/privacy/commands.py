"""Data protection commands: ``my data`` and ``forget me`` (everyone, in the 1:1 chat), ``forget @person`` and
``audit`` (admins).

The person an admin's erasure is about is the one @mentioned (the mention's account, never the words typed). Who
may act is decided again by the service from the sender's Entra object id and stored roles.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from classroom.admin.errors import LastAdmin
from classroom.errors import ClassroomError, NotAllowed, TryAgain
from classroom.privacy.audit import Actor
from dialogs.cards.formatting import without_markdown
from dialogs.enrolment.reschedule_input import RescheduleInputError, parse_day
from dialogs.mentions import MentionProblem, aad_object_id, identify, one_mention, people_mentioned, without_mentions
from dialogs.privacy.cards import (
    CONFIRM_COMMAND,
    build_audit_card,
    build_forget_confirmation_card,
    build_forgotten_card,
    build_my_data_card,
)
from dialogs.privacy.links import my_data_url
from dialogs.private_views import not_here, private_here
from dialogs.routing import EVERYONE, PERSONAL, CommandRequest, Router
from storage.models import Role

ADMINS = (Role.ADMIN,)
NOT_SIGNED_IN = "I can only do that for someone signed in to Microsoft Teams with a work account."

router = Router()


def explain(error: ClassroomError) -> str:
    if isinstance(error, LastAdmin):
        return "You are the only admin, so your data can't be erased yet: grant someone else the admin role first."
    if isinstance(error, NotAllowed):
        return f"Sorry, {error}."
    if isinstance(error, TryAgain):
        return "I'm busy just now; please try again in a moment. Nothing was changed."
    return "Sorry, that didn't work. Nothing was changed."


def actor_of(request: CommandRequest) -> Actor:
    return Actor(request.sender_id, request.sender_name, request.where)


@router.command(
    "my data",
    roles=EVERYONE,
    scopes=[PERSONAL],
    description="Everything I hold about you, and a file of it to download",
    phrases=(r"what (?:data|information) do you (?:hold|have|keep) (?:on|about) me", r"my personal data"),
)
async def my_data(request: CommandRequest) -> None:
    if not request.sender_id:
        await request.say(NOT_SIGNED_IN)
        return
    services = request.services
    try:
        held = await services.privacy.my_data(request.sender_id)
        url, expires_at = None, None
        if not held.empty:
            token, expires_at = await services.privacy.export_link(actor_of(request))
            url = my_data_url(services.public_base_url, token)
    except ClassroomError as error:
        await request.say(explain(error))
        return
    await request.show(build_my_data_card(held, url, expires_at, services.zone))


@router.command(
    "forget me",
    roles=EVERYONE,
    scopes=[PERSONAL],
    description="Erase everything I hold about you (you confirm on a card first)",
    phrases=(r"(?:please )?(?:delete|erase) (?:all )?my (?:data|details)",),
)
async def forget_me(request: CommandRequest) -> None:
    if not request.sender_id:
        await request.say(NOT_SIGNED_IN)
        return
    try:
        preview = await request.services.privacy.erasure_preview(actor_of(request), request.sender_id)
    except ClassroomError as error:
        await request.say(explain(error))
        return
    await request.show(build_forget_confirmation_card(preview, yourself=True))


@router.command(
    "forget",
    roles=ADMINS,
    usage="forget @person",
    description="Carry out someone's erasure request (you confirm on a card)",
)
async def forget_someone(request: CommandRequest) -> None:
    if not request.sender_id:
        await request.say(NOT_SIGNED_IN)
        return
    try:
        if not people_mentioned(request.turn_context):
            await request.say("Type **forget** and @mention the person whose data to erase (e.g. forget @Alex Wilber).")
            return
        person = await identify(request.turn_context, one_mention(request.turn_context))
    except MentionProblem as problem:
        await request.say(str(problem))
        return
    try:
        preview = await request.services.privacy.erasure_preview(actor_of(request), person.aad_object_id)
    except ClassroomError as error:
        await request.say(explain(error))
        return
    yourself = person.aad_object_id == request.sender_id
    await request.show(build_forget_confirmation_card(preview, yourself=yourself))


@router.command(CONFIRM_COMMAND, roles=EVERYONE, description="Confirm an erasure", listed=False)
async def erasure_confirm(request: CommandRequest) -> None:
    """What the confirmation card's button sends in clients without ``Action.Execute``: ``erasure confirm AAD``."""
    if not request.sender_id:
        await request.say(NOT_SIGNED_IN)
        return
    subject = aad_object_id(request.args.strip())
    if subject is None:
        await request.say("That button is out of date. Type **forget me** again.")
        return
    try:
        outcome = await request.services.privacy.forget(actor_of(request), subject)
    except ClassroomError as error:
        await request.say(explain(error))
        return
    await request.show(build_forgotten_card(outcome, yourself=subject == request.sender_id))


def _window(words: list[str], zone_now: datetime, request: CommandRequest) -> tuple[datetime | None, datetime | None]:
    """``since DATE`` / ``until DATE`` (UK dates, whole days in the configured zone)."""
    since = until = None
    zone = request.services.zone
    for keyword, value in zip(words[::2], words[1::2], strict=False):
        day = parse_day(value)
        start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
        if keyword == "since":
            since = start
        elif keyword == "until":
            until = start + timedelta(days=1)
        else:
            raise RescheduleInputError("write since DATE and/or until DATE")
    return since, until


@router.command(
    "audit",
    roles=ADMINS,
    usage="audit [@person] [since DATE] [until DATE]",
    description="Who did what: role changes, trainer links, reschedules, clash decisions, exports, erasures",
)
async def audit(request: CommandRequest) -> None:
    if not request.sender_id:
        await request.say(NOT_SIGNED_IN)
        return
    if not await private_here(request):
        await request.say(not_here("The audit log's entries"))
        return
    person_id, person_name = None, ""
    try:
        if people_mentioned(request.turn_context):
            person = await identify(request.turn_context, one_mention(request.turn_context))
            person_id, person_name = person.aad_object_id, person.name
        words = without_mentions(request.args).split()
        if len(words) % 2:
            raise RescheduleInputError("write since DATE and/or until DATE, e.g. audit since 01/12/2026")
        since, until = _window(words, request.services.clock.now(), request)
    except MentionProblem as problem:
        await request.say(str(problem))
        return
    except RescheduleInputError as problem:
        await request.say(str(problem))
        return
    try:
        records = await request.services.privacy.audit(
            request.sender_id, person_aad_object_id=person_id, since=since, until=until
        )
    except ClassroomError as error:
        await request.say(explain(error))
        return
    filters = " ".join(
        part
        for part in (
            f"about {without_markdown(person_name)}" if person_id else "",
            f"since {since:%d/%m/%Y}" if since else "",
            f"until {until - timedelta(days=1):%d/%m/%Y}" if until else "",
        )
        if part
    )
    await request.show(build_audit_card(records, request.services.zone, filters))
