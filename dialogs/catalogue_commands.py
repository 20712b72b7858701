"""Browsing the catalogue: ``courses``, ``course CODE`` and ``find``."""

from __future__ import annotations

from classroom.catalogue.queries import course_by_code, list_courses
from classroom.errors import NotFound
from dialogs.cards.course_details_card import build_course_details_card
from dialogs.cards.course_list_card import build_course_list_card
from dialogs.find_dialog import FIND_DIALOG
from dialogs.messages import card_activity
from dialogs.routing import CommandRequest, Router

router = Router()


@router.command("courses", description="List our courses with their next dates and places left")
async def show_courses(request: CommandRequest) -> None:
    services = request.services
    async with services.session_factory() as session:
        overviews = await list_courses(session, services.clock.now())
    await request.turn_context.send_activity(card_activity(build_course_list_card(overviews, services.zone)))


@router.command(
    "course",
    usage="course CODE",
    description="Details of one course: outcomes, every session date and time, trainers and prices",
)
async def show_course(request: CommandRequest) -> None:
    code = request.args.split()[0] if request.args.split() else ""
    if not code:
        await request.turn_context.send_activity(
            "Which course? Type **course** followed by its code, for example **course PERM4**. "
            "Type **courses** to see every code."
        )
        return
    services = request.services
    try:
        async with services.session_factory() as session:
            overview = await course_by_code(session, code, services.clock.now())
    except NotFound:
        await request.turn_context.send_activity(
            f"I can't find a course with the code {code[:32].upper()}. Type **courses** to see every code, "
            "or **find** to search by topic."
        )
        return
    await request.turn_context.send_activity(card_activity(build_course_details_card(overview, services.zone)))


@router.command("find", usage="find [words]", description="Search the courses by topic, title or code")
async def find_courses(request: CommandRequest) -> None:
    await request.dialog_context.begin_dialog(FIND_DIALOG, {"query": request.args})
