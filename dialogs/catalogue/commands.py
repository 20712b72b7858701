"""Browsing the catalogue: ``courses``, ``course CODE`` and ``find``."""

from __future__ import annotations

from classroom.errors import NotFound
from dialogs.cards.formatting import shown_code
from dialogs.catalogue.cards.course_details import build_course_details_card
from dialogs.catalogue.cards.course_list import build_course_list_card
from dialogs.catalogue.find_dialog import FIND_DIALOG
from dialogs.catalogue.phrases import COURSE_ALIASES, COURSES_ALIASES, COURSES_PHRASES, FIND_ALIASES, FIND_PHRASES
from dialogs.organisation_evidence import settle_organisation
from dialogs.routing import EVERYONE, PERSONAL, CommandRequest, Router

router = Router()


@router.command(
    "courses",
    roles=EVERYONE,
    description="List our courses with their next dates and places left",
    aliases=COURSES_ALIASES,
    phrases=COURSES_PHRASES,
)
async def show_courses(request: CommandRequest) -> None:
    overviews = await request.services.catalogue.courses()
    await request.show(build_course_list_card(overviews, request.services.zone))


@router.command(
    "course",
    roles=EVERYONE,
    usage="course CODE",
    description="Details of one course: outcomes, every session date and time, trainers and prices",
    aliases=COURSE_ALIASES,
)
async def show_course(request: CommandRequest) -> None:
    code = request.args.split()[0] if request.args.split() else ""
    if not code:
        await request.say(
            "Which course? Type **course** followed by its code, for example **course PERM4**. "
            "Type **courses** to see every code."
        )
        return
    # Whoever else is in a group chat or channel sees this card: the asker's organisation and price stay private.
    viewer = request.sender_id if request.scope == PERSONAL else None
    catalogue = request.services.catalogue
    try:
        overview = await catalogue.course(code, viewer)
        if viewer and not overview.viewer_settled:  # their price is shown first: settle it from Teams' evidence
            await settle_organisation(request.services.enrolment, request.turn_context, viewer)
            overview = await catalogue.course(code, viewer)
    except NotFound:
        await request.say(
            f"I can't find a course with the code {shown_code(code, 'you typed')}. Type **courses** to see every code, "
            "or **find** to search by topic."
        )
        return
    await request.show(build_course_details_card(overview, request.services.zone))


@router.command(
    "find",
    roles=EVERYONE,
    usage="find [words]",
    description="Search the courses by topic, title or code",
    aliases=FIND_ALIASES,
    phrases=FIND_PHRASES,
)
async def find_courses(request: CommandRequest) -> None:
    await request.dialog_context.begin_dialog(FIND_DIALOG, {"query": request.args})
