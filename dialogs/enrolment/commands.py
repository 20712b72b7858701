"""Enrolment commands: ``enrol``, ``my courses``, ``withdraw``, ``offer``, and for trainers and coordinators
``roster``, ``clash`` (what the clash review card's buttons fall back to) and ``reschedule`` (which shows a
confirmation card: nothing moves and nobody is told until a coordinator presses its button, ``card_actions``).

Card buttons (``Action.Submit``) arrive here as typed commands; every handler decides who may act from the sender's
Entra object id and the stored roles (the domain checks again), never from what the card sent.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable
from typing import TypeVar

from classroom.errors import ClassroomError, NotAllowed, NotFound
from classroom.meetings.reports import RunAttendance
from dialogs.cards.formatting import shown_code, without_markdown
from dialogs.enrolment.cards.my_courses import build_my_courses_card
from dialogs.enrolment.cards.organisation_check import ORGANISATION_INPUT
from dialogs.enrolment.cards.reschedule import build_reschedule_confirmation_card
from dialogs.enrolment.cards.roster import build_roster_card
from dialogs.enrolment.cards.withdraw import REASON_INPUT, build_withdraw_card, build_withdrawn_card
from dialogs.enrolment.dialog import CLASH, ENROL_DIALOG
from dialogs.enrolment.links import calendar_url
from dialogs.enrolment.organisation_actions import decide, positive_id
from dialogs.enrolment.phrases import (
    ENROL_ALIASES,
    ENROL_PHRASES,
    MY_COURSES_ALIASES,
    MY_COURSES_PHRASES,
    WITHDRAW_ALIASES,
    WITHDRAW_PHRASES,
)
from dialogs.enrolment.replies import NOT_SIGNED_IN, explain
from dialogs.enrolment.reschedule_input import RescheduleInputError, parse_reschedule
from dialogs.enrolment.results import enrolment_result
from dialogs.routing import EVERYONE, GROUP_CHAT, PERSONAL, TEAM, CommandRequest, Router
from storage.models import EnrolmentStatus, Role

T = TypeVar("T")

MAX_CARD_TEXT = 2000  # longer than any reason we keep: the domain refuses what is too long, rather than cut it
_CLASH_NUMBER = re.compile(r"[0-9]{1,9}")  # ASCII digits only, and small enough for the database

OVERSEERS = (Role.TRAINER, Role.COORDINATOR, Role.ADMIN)
COORDINATORS = (Role.COORDINATOR, Role.ADMIN)

router = Router()


async def _signed_in(request: CommandRequest) -> str | None:
    """The sender's Entra object id; without one (a guest, an anonymous client) they are told why not."""
    if not request.sender_id:
        await request.say(NOT_SIGNED_IN)
    return request.sender_id


async def _attempt(request: CommandRequest, code: str, call: Awaitable[T]) -> tuple[bool, T | None]:
    """Run a service call; a refusal is explained to the person. Returns (succeeded, result)."""
    try:
        return True, await call
    except ClassroomError as error:
        await request.say(explain(error, code))
        return False, None


@router.command(
    "enrol",
    roles=EVERYONE,
    usage="enrol CODE",
    description="Book a place on a course, or join its waitlist",
    scopes=[PERSONAL],
    aliases=ENROL_ALIASES,
    phrases=ENROL_PHRASES,
)
async def enrol(request: CommandRequest) -> None:
    await request.dialog_context.begin_dialog(ENROL_DIALOG, {"code": request.args})


@router.command(
    "my courses",
    roles=EVERYONE,
    description="Your places, reviews, offers and waitlist positions, with the next dates",
    scopes=[PERSONAL],
    aliases=MY_COURSES_ALIASES,
    phrases=MY_COURSES_PHRASES,
)
async def my_courses(request: CommandRequest) -> None:
    aad_object_id = await _signed_in(request)
    if not aad_object_id:
        return
    services = request.services
    mine = await services.enrolment.my_courses(aad_object_id)
    links = {id_: calendar_url(services.public_base_url, link.token) for id_, link in mine.calendar_links.items()}
    await request.show(build_my_courses_card(mine.enrolments, services.zone, services.clock.now(), links))


@router.command(
    "withdraw",
    roles=EVERYONE,
    usage="withdraw CODE",
    description="Cancel your place on a course, or leave its waitlist",
    scopes=[PERSONAL],
    aliases=WITHDRAW_ALIASES,
    phrases=WITHDRAW_PHRASES,
)
async def withdraw(request: CommandRequest) -> None:
    """``withdraw CODE`` asks first; ``withdraw CODE confirm [reason]`` (the card's button, whose reason box
    arrives beside the command) gives it up."""
    aad_object_id = await _signed_in(request)
    if not aad_object_id:
        return
    words = request.args.split()
    if not words:
        await request.say("Which course? Type **withdraw** and its code, e.g. **withdraw PERM4**.")
        return
    code, confirmed = words[0].upper()[:48], len(words) > 1 and words[1].lower() in ("confirm", "yes")
    enrolment = request.services.enrolment
    views = await enrolment.my_enrolments(aad_object_id, code)
    if not views:
        await request.say(
            f"You have no place or waitlist entry on {shown_code(code)}. Type **my courses** to see yours."
        )
        return
    if len(views) > 1:
        codes = ", ".join(v.run.run_code for v in views)
        await request.say(f"You are on several dates of {code} ({codes}). Type **withdraw** with the one you mean.")
        return
    view = views[0]
    if not confirmed:
        await request.show(build_withdraw_card(view, request.services.zone))
        return
    run_code = view.run.run_code
    reason = _card_value(request, REASON_INPUT) or " ".join(words[2:])
    done, withdrawal = await _attempt(request, run_code, enrolment.withdraw(aad_object_id, run_code, reason=reason))
    if not done or withdrawal is None:
        return
    if withdrawal.previous == EnrolmentStatus.WAITLISTED:
        await request.say(f"You have left the waitlist for {run_code}.")
    elif withdrawal.previous == EnrolmentStatus.OFFERED:
        await request.say(f"OK, the place on {run_code} goes to the next person waiting.")
    else:
        link = withdrawal.calendar_link
        url = calendar_url(request.services.public_base_url, link.token) if link else None
        await request.show(build_withdrawn_card(withdrawal, url))


def _card_value(request: CommandRequest, key: str) -> str | None:
    """A text a card's input sent with its button (typed by the person: bounded, and only ever shown literally)."""
    value = request.turn_context.activity.value
    found = value.get(key) if isinstance(value, dict) else None
    return found[:MAX_CARD_TEXT] if isinstance(found, str) else None


@router.command(
    "offer",
    roles=EVERYONE,
    usage="offer accept|clash|decline CODE",
    description="Take a place offered to you from a waitlist (every date, or with a clash), or turn it down",
    scopes=[PERSONAL],
)
async def offer(request: CommandRequest) -> None:
    words = request.args.split()
    if len(words) < 2 or words[0].lower() not in ("accept", "clash", "decline"):
        await request.say(
            "Type **offer accept CODE**, **offer clash CODE** or **offer decline CODE** (or press a button on the "
            "offer)."
        )
        return
    action, code = words[0].lower(), words[1].upper()[:48]
    if action == "clash":  # which sessions and why, then the place is held while the trainers decide
        await request.dialog_context.begin_dialog(ENROL_DIALOG, {"code": code, "decision": CLASH})
        return
    aad_object_id = await _signed_in(request)
    if not aad_object_id:
        return
    enrolment = request.services.enrolment
    if action == "accept":  # the offer showed the dates and the price: taking it asks nothing more
        done, view = await _attempt(request, code, enrolment.accept_offer(aad_object_id, code, calendar_link=True))
        if done and view is not None:
            await request.show(await enrolment_result(request.services, aad_object_id, view))
        return
    done, _ = await _attempt(request, code, enrolment.decline_offer(aad_object_id, code))
    if done:
        await request.say(f"OK, the place on {code} goes to the next person waiting, and you have left its waitlist.")


@router.command(
    "roster",
    usage="roster CODE",
    description="Who is coming to a run: confirmed, under review, offered, waiting (its trainers, coordinators)",
    roles=OVERSEERS,
    scopes=[PERSONAL],
)
async def roster(request: CommandRequest) -> None:
    aad_object_id = await _signed_in(request)
    code = request.args.split()[0].upper()[:48] if request.args.split() else ""
    if not aad_object_id:
        return
    if not code:
        await request.say("Type **roster** and a course or run code.")
        return
    done, rosters = await _attempt(request, code, request.services.enrolment.rosters(aad_object_id, code))
    if done and rosters is not None:
        attendance = await _attendance(request, [r.run.run_code for r in rosters])
        await request.show(build_roster_card(rosters, request.services.zone, attendance))


async def _attendance(request: CommandRequest, run_codes: list[str]) -> dict[str, RunAttendance]:
    """The registers of the runs whose attendance the sender may see (meetings decides), for the roster."""
    found = {}
    for code in run_codes:
        try:
            found[code] = await request.services.meetings.attendance(code, by=request.sender_id or "")
        except (NotFound, NotAllowed):
            continue
    return found


@router.command(
    "clash",
    usage="clash accept|decline NUMBER",
    description="Decide a participant's clash with a session (the run's trainers, coordinators)",
    roles=OVERSEERS,
    scopes=[PERSONAL],
)
async def clash(request: CommandRequest) -> None:
    words = request.args.split()
    if len(words) != 2 or words[0].lower() not in ("accept", "decline") or not _CLASH_NUMBER.fullmatch(words[1]):
        await request.say("Press **Accept** or **Decline** on the clash card (or type clash accept NUMBER).")
        return
    aad_object_id = await _signed_in(request)
    if not aad_object_id:
        return
    accept = words[0].lower() == "accept"
    decided = request.services.enrolment.decide_clash(aad_object_id, int(words[1]), accept=accept, where=request.where)
    done, view = await _attempt(request, "", decided)
    if not done or view is None:
        return
    name = without_markdown(view.person_name)
    if accept:
        await request.say(f"Accepted: {name}'s place on {view.run.run_code} is confirmed. I've told them.")
    else:
        await request.say(
            f"Declined: {name} has been told, and the place on {view.run.run_code} goes to the next person waiting."
        )


@router.command(
    "organisation",
    usage="organisation confirm|correct NUMBER",
    description="Confirm or correct the organisation someone chose (what the organisation card's buttons send)",
    roles=COORDINATORS,
    scopes=[PERSONAL, GROUP_CHAT, TEAM],
    listed=False,  # what the card's buttons send; not a command to type
)
async def organisation(request: CommandRequest) -> None:
    words = request.args.split()
    if len(words) != 2 or words[0].lower() not in ("confirm", "correct") or positive_id(words[1]) is None:
        await request.say("Press **Confirm** or **Correct** on the organisation card.")
        return
    aad_object_id = await _signed_in(request)
    if not aad_object_id:
        return
    organisation_id = None
    if words[0].lower() == "correct":
        organisation_id = positive_id(_card_value(request, ORGANISATION_INPUT))
        if organisation_id is None:
            await request.say("Choose their organisation from the list on the card first, then press **Correct**.")
            return
    person_id = positive_id(words[1])
    assert person_id is not None
    _, note = await decide(request.services.enrolment, aad_object_id, person_id, organisation_id, request.where)
    await request.say(note)


@router.command(
    "reschedule",
    usage="reschedule RUN SESSION DATE START-END",
    description="Move a session (UK time); you see who will be told and confirm first (coordinators)",
    roles=COORDINATORS,
    scopes=[PERSONAL],
)
async def reschedule(request: CommandRequest) -> None:
    aad_object_id = await _signed_in(request)
    if not aad_object_id:
        return
    zone = request.services.zone
    try:
        wanted = parse_reschedule(request.args, zone)
    except RescheduleInputError as unreadable:
        await request.say(str(unreadable))
        return
    preview = request.services.enrolment.preview_session_move(
        aad_object_id, wanted.run_code, wanted.position, wanted.starts_at, wanted.ends_at
    )
    done, shown = await _attempt(request, wanted.run_code, preview)
    if done and shown is not None:
        await request.show(build_reschedule_confirmation_card(shown, zone))
