"""Enrolment commands: ``enrol``, ``my courses``, ``withdraw``, ``offer``, and for trainers and coordinators
``roster``, ``clash`` (the buttons of the clash review card) and ``reschedule``.

Card buttons arrive here as typed commands; every handler decides who may act from the sender's Entra object
id and the stored roles (the domain checks again), never from what the card sent.
"""

from __future__ import annotations

import re
from datetime import datetime, time
from zoneinfo import ZoneInfo

from classroom.enrolment.service import EnrolmentService
from classroom.errors import ClassroomError
from dialogs.cards.my_courses_card import build_my_courses_card
from dialogs.cards.roster_card import build_roster_card
from dialogs.cards.withdraw_card import build_withdraw_card
from dialogs.enrol_dialog import ENROL_DIALOG
from dialogs.enrolment_options import EnrolmentOptions
from dialogs.enrolment_replies import NOT_SIGNED_IN, explain
from dialogs.formatting import local_time_range, plural, without_markdown
from dialogs.messages import card_activity
from dialogs.routing import PERSONAL, CommandRequest, Router
from storage.models import EnrolmentStatus, Role

_CLASH_NUMBER = re.compile(r"[0-9]{1,9}")  # ASCII digits only, and small enough for the database

OVERSEERS = (Role.TRAINER, Role.COORDINATOR, Role.ADMIN)
COORDINATORS = (Role.COORDINATOR, Role.ADMIN)
_RESCHEDULE = re.compile(
    r"^(?P<run>\S+)\s+(?P<position>\d{1,2})\s+(?P<date>\d{4}-\d{2}-\d{2})\s+"
    r"(?P<start>\d{1,2}:\d{2})\s*[-–]\s*(?P<end>\d{1,2}:\d{2})$"
)


def _caller(request: CommandRequest) -> str | None:
    sender = request.turn_context.activity.from_property
    return sender.aad_object_id if sender else None


def _local(day: str, clock_time: str, zone: ZoneInfo) -> datetime:
    hours, minutes = (int(part) for part in clock_time.split(":"))
    return datetime.combine(datetime.strptime(day, "%Y-%m-%d").date(), time(hours, minutes), tzinfo=zone)


def build_enrolment_router(options: EnrolmentOptions) -> Router:
    router = Router()

    def service(request: CommandRequest) -> EnrolmentService:
        return EnrolmentService(request.services.session_factory, request.services.clock, options.policy)

    async def say(request: CommandRequest, words: str) -> None:
        await request.turn_context.send_activity(words)

    @router.command(
        "enrol", usage="enrol CODE", description="Book a place on a course, or join its waitlist", scopes=[PERSONAL]
    )
    async def enrol(request: CommandRequest) -> None:
        await request.dialog_context.begin_dialog(ENROL_DIALOG, {"code": request.args})

    @router.command(
        "my courses",
        description="Your places, reviews, offers and waitlist positions, with the next dates",
        scopes=[PERSONAL],
    )
    async def my_courses(request: CommandRequest) -> None:
        aad_object_id = _caller(request)
        if not aad_object_id:
            await say(request, NOT_SIGNED_IN)
            return
        enrolments = service(request)
        views = await enrolments.my_enrolments(aad_object_id)
        links = {}
        for view in views:
            if view.status == EnrolmentStatus.CONFIRMED:
                issued = await enrolments.issue_calendar_link(aad_object_id, view.run.run_code)
                links[view.id] = options.calendar_url(issued.token)
        now = request.services.clock.now()
        await request.turn_context.send_activity(
            card_activity(build_my_courses_card(views, request.services.zone, now, links))
        )

    @router.command(
        "withdraw",
        usage="withdraw CODE",
        description="Cancel your place on a course, or leave its waitlist",
        scopes=[PERSONAL],
    )
    async def withdraw(request: CommandRequest) -> None:
        aad_object_id = _caller(request)
        words = request.args.split()
        if not aad_object_id:
            await say(request, NOT_SIGNED_IN)
            return
        if not words:
            await say(request, "Which course? Type **withdraw** and its code, e.g. **withdraw PERM4**.")
            return
        code, confirmed = words[0].upper()[:48], len(words) > 1 and words[1].lower() in ("confirm", "yes")
        enrolments = service(request)
        views = await enrolments.my_enrolments(aad_object_id, code)
        if not views:
            await say(request, f"You have no place or waitlist entry on {code}. Type **my courses** to see yours.")
            return
        if len(views) > 1:
            codes = ", ".join(v.run.run_code for v in views)
            await say(
                request, f"You are on several dates of {code} ({codes}). Type **withdraw** with the one you mean."
            )
            return
        view = views[0]
        if not confirmed:
            await request.turn_context.send_activity(card_activity(build_withdraw_card(view, request.services.zone)))
            return
        try:
            previous = await enrolments.withdraw(aad_object_id, view.run.run_code)
        except ClassroomError as error:
            await say(request, explain(error, view.run.run_code))
            return
        if previous == EnrolmentStatus.WAITLISTED:
            await say(request, f"You have left the waitlist for {view.run.run_code}.")
        elif previous == EnrolmentStatus.OFFERED:
            await say(request, f"OK, the place on {view.run.run_code} goes to the next person waiting.")
        else:
            await say(
                request,
                f"Your place on {view.run.run_code} is cancelled, and your reminders with it. "
                "It will be offered to the next person waiting.",
            )

    @router.command(
        "offer",
        usage="offer accept|decline CODE",
        description="Accept or turn down a place offered to you from a waitlist",
        scopes=[PERSONAL],
    )
    async def offer(request: CommandRequest) -> None:
        words = request.args.split()
        if len(words) < 2 or words[0].lower() not in ("accept", "decline"):
            await say(request, "Type **offer accept CODE** or **offer decline CODE** (or press a button on the offer).")
            return
        code = words[1].upper()[:48]
        if words[0].lower() == "accept":
            await request.dialog_context.begin_dialog(ENROL_DIALOG, {"code": code})
            return
        aad_object_id = _caller(request)
        if not aad_object_id:
            await say(request, NOT_SIGNED_IN)
            return
        try:
            await service(request).decline_offer(aad_object_id, code)
        except ClassroomError as error:
            await say(request, explain(error, code))
            return
        await say(request, f"OK, the place on {code} goes to the next person waiting, and you have left its waitlist.")

    @router.command(
        "roster",
        usage="roster CODE",
        description="Who is coming to a run: confirmed, under review, offered, waiting (its trainers, coordinators)",
        roles=OVERSEERS,
        scopes=[PERSONAL],
    )
    async def roster(request: CommandRequest) -> None:
        aad_object_id = _caller(request)
        code = request.args.split()[0].upper()[:48] if request.args.split() else ""
        if not aad_object_id or not code:
            await say(request, NOT_SIGNED_IN if not aad_object_id else "Type **roster** and a course or run code.")
            return
        try:
            rosters = await service(request).rosters(aad_object_id, code)
        except ClassroomError as error:
            await say(request, explain(error, code))
            return
        await request.turn_context.send_activity(card_activity(build_roster_card(rosters, request.services.zone)))

    @router.command(
        "clash",
        usage="clash accept|decline NUMBER",
        description="Decide a participant's clash with a session (the run's trainers, coordinators)",
        roles=OVERSEERS,
        scopes=[PERSONAL],
    )
    async def clash(request: CommandRequest) -> None:
        words = request.args.split()
        aad_object_id = _caller(request)
        if len(words) != 2 or words[0].lower() not in ("accept", "decline") or not _CLASH_NUMBER.fullmatch(words[1]):
            await say(request, "Press **Accept** or **Decline** on the clash card (or type clash accept NUMBER).")
            return
        if not aad_object_id:
            await say(request, NOT_SIGNED_IN)
            return
        accept = words[0].lower() == "accept"
        try:
            view = await service(request).decide_clash(aad_object_id, int(words[1]), accept=accept)
        except ClassroomError as error:
            await say(request, explain(error, ""))
            return
        name = without_markdown(view.person_name)
        if accept:
            await say(request, f"Accepted: {name}'s place on {view.run.run_code} is confirmed. I've told them.")
        else:
            await say(
                request,
                f"Declined: {name} has been told, and the place on {view.run.run_code} "
                "goes to the next person waiting.",
            )

    @router.command(
        "reschedule",
        usage="reschedule RUN SESSION YYYY-MM-DD HH:MM-HH:MM",
        description="Move a session (UK time); everyone enrolled is told and their reminders move (coordinators)",
        roles=COORDINATORS,
        scopes=[PERSONAL],
    )
    async def reschedule(request: CommandRequest) -> None:
        aad_object_id = _caller(request)
        found = _RESCHEDULE.match(request.args.strip())
        if not aad_object_id:
            await say(request, NOT_SIGNED_IN)
            return
        if found is None:
            await say(request, "Type it like this: **reschedule PERM4-A 3 2027-09-20 10:00-15:00** (UK time).")
            return
        zone = request.services.zone
        run_code = found["run"].upper()
        try:
            starts_at = _local(found["date"], found["start"], zone)
            ends_at = _local(found["date"], found["end"], zone)
            moved = await service(request).move_session(
                aad_object_id, run_code, int(found["position"]), starts_at, ends_at
            )
        except ValueError:
            await say(request, "That date or time doesn't exist. Use YYYY-MM-DD and 24-hour HH:MM.")
            return
        except ClassroomError as error:
            await say(request, explain(error, run_code))
            return
        await say(
            request,
            f"Session {moved.position} of {moved.run.run_code} moved from "
            f"{local_time_range(moved.old.starts_at, moved.old.ends_at, zone)} to "
            f"{local_time_range(moved.new.starts_at, moved.new.ends_at, zone)}. "
            f"I've told {plural(moved.participants_told, 'person', 'people')}; their reminders moved with it.",
        )

    return router
