"""The catalogue at a glance: each course with its code, next run and places left."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from classroom.catalogue.queries import CourseOverview
from dialogs.cards.base import CardMessage, Element, card, container, heading, submit, text
from dialogs.cards.formatting import local_date, plural
from dialogs.catalogue.cards.kept_cards import KeptCards


def _course_entry(overview: CourseOverview, zone: ZoneInfo) -> Element:
    course = overview.course
    next_run = overview.next_run
    if next_run is None:
        when = "No dates scheduled yet. Ask us about an online course for your team."
    else:
        sessions = len(next_run.run.sessions)
        start = local_date(next_run.first_session.starts_at, zone)
        when = (
            f"Next: {start}"
            if sessions == 1
            else f"Next: {plural(sessions, 'session')} from {start} to "
            f"{local_date(next_run.last_session.starts_at, zone)}"
        )
        when += f" · {plural(next_run.places_left, 'place')} left"
        if len(overview.upcoming_runs) > 1:
            when += f" · {plural(len(overview.upcoming_runs) - 1, 'more date')} available"
    return container(
        [
            text(f"**{course.title}**"),
            text(f"{course.code} · {course.duration} · {course.target_audience}", subtle=True, spacing="None"),
            text(when, spacing="Small"),
            {"type": "ActionSet", "actions": [submit(f"Details of {course.code}", "course", course.code)]},
        ],
        separator=True,
    )


list_cards = KeptCards(16)  # the course lists kept, for this process (one per places-left state, mostly)


def build_course_list_card(
    overviews: list[CourseOverview], zone: ZoneInfo, *, title: str = "Our courses", intro: str | None = None
) -> CardMessage:
    """The list, kept by everything it shows (see ``kept_cards``): each course, its next run and places left
    there, how many more runs, the words around it, the time zone."""
    nexts = [o.next_run.run if o.next_run else None for o in overviews]
    key = (
        tuple(
            (id(o.course), id(run), o.next_run.places_left if o.next_run else 0, len(o.upcoming_runs))
            for o, run in zip(overviews, nexts, strict=True)
        ),
        title,
        intro,
        zone,
    )
    holds = (*(o.course for o in overviews), *nexts)
    return list_cards.card(key, holds, lambda: _list_card(overviews, zone, title, intro))


def _list_card(overviews: list[CourseOverview], zone: ZoneInfo, title: str, intro: str | None) -> CardMessage:
    body: list[Element] = [heading(title)]
    if intro:
        body.append(text(intro))
    if not overviews:
        body.append(text("No courses match. Try another word, or type **courses** to see them all."))
    body.extend(_course_entry(o, zone) for o in overviews)
    body.append(text("All courses are delivered online in a Microsoft Teams virtual classroom.", subtle=True))
    return card(body, [submit("Find a course", "find")])
