"""Everything about one course: outcomes, audience, every session in local time, trainers, prices."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from classroom.catalogue.queries import CourseOverview, RunOverview, ViewerBand
from classroom.catalogue.views import RunView
from dialogs.cards.base import (
    CardMessage,
    Element,
    bullet_list,
    card,
    container,
    facts,
    heading,
    open_url,
    submit,
    text,
)
from dialogs.cards.formatting import local_time_range, pounds
from dialogs.catalogue.cards.kept_cards import KeptCards


def _prices(run: RunView, viewer: ViewerBand | None) -> list[Element]:
    """The viewer's own price first when we know their band, then every band."""
    bands = facts([(f"Tier {p.band}", pounds(p.amount_pence)) for p in run.prices])
    if viewer is None:
        return [text("Price per place, by your organisation's pricing band:", spacing="Small"), bands]
    own = next((p.amount_pence for p in run.prices if p.band == viewer.price_band), None)
    price = f"{pounds(own)} per place" if own is not None else "to be confirmed by the training team"
    if own is not None and not viewer.confirmed:
        price = f"to be confirmed: {price} if the training team confirms your organisation"
    return [
        facts([("Your price", f"{price} (Tier {viewer.price_band}, {viewer.organisation_name})")]),
        text("All pricing bands:", subtle=True, spacing="Small"),
        bands,
    ]


def _run_section(entry: RunOverview, zone: ZoneInfo, multi_session: bool, viewer: ViewerBand | None) -> Element:
    run = entry.run
    items: list[Element] = [text(f"**Dates: {run.code}**", spacing="Medium")]
    sessions = [
        (f"Session {s.position}" if multi_session else "Date", local_time_range(s.starts_at, s.ends_at, zone))
        for s in run.sessions
    ]
    trainers = " / ".join(run.trainer_names) or "To be confirmed"
    details = [("Trainers", trainers), ("Places left", f"{entry.places_left} of {run.capacity}")]
    if run.eligible_audience:
        details.append(("Open to", run.eligible_audience))
    elif run.eligible_organisations:
        details.append(("Open to", ", ".join(run.eligible_organisations)))
    items.append(facts(sessions + details))
    if run.prices:
        items.extend(_prices(run, viewer))
    return container(items, separator=True)


details_cards = KeptCards()  # every course card kept, for this process


def build_course_details_card(overview: CourseOverview, zone: ZoneInfo) -> CardMessage:
    """The course's card, kept by everything it shows (see ``kept_cards``): the course, the runs coming up and
    their places left, the viewer's band, the time zone."""
    runs = tuple(entry.run for entry in overview.upcoming_runs)
    key = (
        id(overview.course),
        tuple((id(entry.run), entry.places_left) for entry in overview.upcoming_runs),
        overview.viewer,
        zone,
    )
    return details_cards.card(key, (overview.course, *runs), lambda: _details_card(overview, zone))


def _details_card(overview: CourseOverview, zone: ZoneInfo) -> CardMessage:
    course = overview.course
    multi_session = any(len(r.run.sessions) > 1 for r in overview.upcoming_runs)
    body: list[Element] = [
        heading(course.title),
        text(f"{course.code} · {course.duration} · {course.delivery}", subtle=True, spacing="None"),
        text(course.summary),
    ]
    if multi_session:
        body.append(
            text(
                "**This course has several sessions and you need to attend every date.** If a date "
                "clashes (for example with a court date), please discuss it with the trainers "
                "before enrolling."
            )
        )
    if course.learning_outcomes:
        body.append(text("**Learning outcomes**", spacing="Medium"))
        body.append(text("By the end of this course you will be able to:", spacing="None"))
        body.append(bullet_list(list(course.learning_outcomes)))
    about = [("Target audience", course.target_audience), ("Duration", course.duration)]
    if course.prerequisites:
        about.append(("Prerequisites", course.prerequisites))
    body.append(facts(about))
    if overview.upcoming_runs:
        body.extend(_run_section(r, zone, multi_session, overview.viewer) for r in overview.upcoming_runs)
    else:
        body.append(
            text(
                "No dates are scheduled at the moment. Ask us and we can deliver it online for your team.",
                spacing="Medium",
            )
        )
    body.append(text(f"Times are shown in UK time ({zone.key}).", subtle=True))

    actions: list[Element] = []
    if overview.upcoming_runs:
        actions.append(submit(f"Enrol on {course.code}", "enrol", course.code, style="positive"))
    actions.append(submit("Ask about this course", "enquire", course.code))
    if course.outline_url:
        actions.append(open_url("Course outline", course.outline_url))
    return card(body, actions)
