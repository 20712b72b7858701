"""Cards of the catalogue: the course list (all, search results, suggestions, nothing found) and course details."""

from __future__ import annotations

from datetime import timedelta

from classroom.catalogue.queries import course_by_code, list_courses, search_courses
from classroom.enrolment.organisations import assign_organisation_by_name
from classroom.people import assign_roles
from dialogs.catalogue.cards.course_details import build_course_details_card
from dialogs.catalogue.cards.course_list import build_course_list_card
from storage.models import Role
from tests.support.card_samples import CardSample, SampleContext

LISTING, DETAILS = build_course_list_card.__name__, build_course_details_card.__name__
VIEWER = "sample-catalogue-viewer"


async def samples(context: SampleContext) -> list[CardSample]:
    later = context.now + timedelta(days=3 * 365)  # after every run: nothing scheduled
    async with context.session_factory.begin() as session:  # someone at a Tier 2 organisation looks
        await assign_roles(session, VIEWER, [Role.PARTICIPANT], "Isaiah Langer")
        await assign_organisation_by_name(session, VIEWER, "Downland County Council")
    async with context.session_factory() as session:
        everything = await list_courses(session, context.now)
        perm4 = await course_by_code(session, "PERM4", context.now)
        permplan = await course_by_code(session, "PERMPLAN", context.now)
        perm4_for_viewer = await course_by_code(session, "PERM4", context.now, VIEWER)
        court = await search_courses(session, "court", context.now)
        unscheduled = await course_by_code(session, "PERM4", later)
        nothing_scheduled = await list_courses(session, later)
    zone = context.zone
    return [
        CardSample("course_list/all", LISTING, build_course_list_card(everything, zone)),
        CardSample(
            "course_list/search",
            LISTING,
            build_course_list_card(court, zone, title="Search results", intro="1 course matching “court”:"),
        ),
        CardSample(
            "course_list/did_you_mean",
            LISTING,
            build_course_list_card(
                everything,
                zone,
                title="Did you mean one of these?",
                intro="I didn't recognise that as a command, but these courses match what you wrote.",
            ),
        ),
        CardSample("course_list/no_match", LISTING, build_course_list_card([], zone, title="Search results")),
        CardSample("course_list/nothing_scheduled", LISTING, build_course_list_card(nothing_scheduled, zone)),
        CardSample("course_details/PERM4", DETAILS, build_course_details_card(perm4, zone)),
        CardSample("course_details/PERMPLAN", DETAILS, build_course_details_card(permplan, zone)),
        CardSample("course_details/PERM4/your_price", DETAILS, build_course_details_card(perm4_for_viewer, zone)),
        CardSample("course_details/no_dates", DETAILS, build_course_details_card(unscheduled, zone)),
    ]
