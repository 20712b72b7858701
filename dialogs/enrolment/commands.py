"""Enrolment commands: ``enrol``, ``my courses``, ``withdraw``, ``offer``, and for trainers and coordinators
``roster``, ``clash`` (the buttons of the clash review card) and ``reschedule``.

Card buttons arrive here as typed commands; every handler decides who may act from the sender's Entra object
id and the stored roles (the domain checks again), never from what the card sent.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable
from datetime import datetime, time
from typing import TypeVar
from zoneinfo import ZoneInfo

from classroom.errors import ClassroomError
from dialogs.cards.formatting import local_time_range, plural, shown_code, without_markdown
from dialogs.enrolment.cards.my_courses import build_my_courses_card
from dialogs.enrolment.cards.roster import build_roster_card
from dialogs.enrolment.cards.withdraw import build_withdraw_card
from dialogs.enrolment.dialog import ENROL_DIALOG
from dialogs.enrolment.links import calendar_url
from dialogs.enrolment.replies import NOT_SIGNED_IN, explain
from dialogs.routing import EVERYONE, PERSONAL, CommandRequest, Router
from storage.models import EnrolmentStatus, Role

T = TypeVar("T")

_CLASH_NUMBER = re.compile(r"[0-9]{1,9}")  # ASCII digits only, and small enough for the database

OVERSEERS = (Role.TRAINER, Role.COORDINATOR, Role.ADMIN)
COORDINATORS = (Role.COORDINATOR, Role.ADMIN)
_RESCHEDULE = re.compile(
    r"^(?P<run>\S+)\s+(?P<position>\d{1,2})\s+(?P<date>\d{4}-\d{2}-\d{2})\s+"
    r"(?P<start>\d{1,2}:\d{2})\s*[-–]\s*(?P<end>\d{1,2}:\d{2})$"
)

router = Router()


def _local(day: str, clock_time: str, zone: ZoneInfo) -> datetime:
    hours, minutes = (int(part) for part in clock_time.split(":"))
    return datetime.combine(datetime.strptime(day, "%Y-%m-%d").date(), time(hours, minutes), tzinfo=zone)


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
)
async def enrol(request: CommandRequest) -> None:
    await request.dialog_context.begin_dialog(ENROL_DIALOG, {"code": request.args})


@router.command(
    "my courses",
    roles=EVERYONE,
    description="Your places, reviews, offers and waitlist positions, with the next dates",
    scopes=[PERSONAL],
)
async def my_courses(request: CommandRequest) -> None:
    aad_object_id = await _signed_in(request)
    if not aad_object_id:
        return
    services = request.services
    views = await services.enrolment.my_enrolments(aad_object_id)
    links = {}
    for view in views:
        if view.status == EnrolmentStatus.CONFIRMED:
            issued = await services.enrolment.issue_calendar_link(aad_object_id, view.run.run_code)
            links[view.id] = calendar_url(services.public_base_url, issued.token)
    await request.show(build_my_courses_card(views, services.zone, services.clock.now(), links))


@router.command(
    "withdraw",
    roles=EVERYONE,
    usage="withdraw CODE",
    description="Cancel your place on a course, or leave its waitlist",
    scopes=[PERSONAL],
)
async def withdraw(request: CommandRequest) -> None:
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
    done, previous = await _attempt(request, run_code, enrolment.withdraw(aad_object_id, run_code))
    if not done:
        return
    if previous == EnrolmentStatus.WAITLISTED:
        await request.say(f"You have left the waitlist for {run_code}.")
    elif previous == EnrolmentStatus.OFFERED:
        await request.say(f"OK, the place on {run_code} goes to the next person waiting.")
    else:
        await request.say(
            f"Your place on {run_code} is cancelled, and your reminders with it. "
            "It will be offered to the next person waiting."
        )


@router.command(
    "offer",
    roles=EVERYONE,
    usage="offer accept|decline CODE",
    description="Accept or turn down a place offered to you from a waitlist",
    scopes=[PERSONAL],
)
async def offer(request: CommandRequest) -> None:
    words = request.args.split()
    if len(words) < 2 or words[0].lower() not in ("accept", "decline"):
        await request.say("Type **offer accept CODE** or **offer decline CODE** (or press a button on the offer).")
        return
    code = words[1].upper()[:48]
    if words[0].lower() == "accept":
        await request.dialog_context.begin_dialog(ENROL_DIALOG, {"code": code})
        return
    aad_object_id = await _signed_in(request)
    if not aad_object_id:
        return
    done, _ = await _attempt(request, code, request.services.enrolment.decline_offer(aad_object_id, code))
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
        await request.show(build_roster_card(rosters, request.services.zone))


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
    decided = request.services.enrolment.decide_clash(aad_object_id, int(words[1]), accept=accept)
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
    "reschedule",
    usage="reschedule RUN SESSION YYYY-MM-DD HH:MM-HH:MM",
    description="Move a session (UK time); everyone enrolled is told and their reminders move (coordinators)",
    roles=COORDINATORS,
    scopes=[PERSONAL],
)
async def reschedule(request: CommandRequest) -> None:
    aad_object_id = await _signed_in(request)
    if not aad_object_id:
        return
    found = _RESCHEDULE.match(request.args.strip())
    if found is None:
        await request.say("Type it like this: **reschedule PERM4-A 3 2027-09-20 10:00-15:00** (UK time).")
        return
    zone = request.services.zone
    run_code = found["run"].upper()
    try:
        starts_at = _local(found["date"], found["start"], zone)
        ends_at = _local(found["date"], found["end"], zone)
    except ValueError:
        await request.say("That date or time doesn't exist. Use YYYY-MM-DD and 24-hour HH:MM.")
        return
    move = request.services.enrolment.move_session(aad_object_id, run_code, int(found["position"]), starts_at, ends_at)
    done, moved = await _attempt(request, run_code, move)
    if not done or moved is None:
        return
    await request.say(
        f"Session {moved.position} of {moved.run.run_code} moved from "
        f"{local_time_range(moved.old.starts_at, moved.old.ends_at, zone)} to "
        f"{local_time_range(moved.new.starts_at, moved.new.ends_at, zone)}. "
        f"I've told {plural(moved.participants_told, 'person', 'people')}; their reminders moved with it.",
    )
