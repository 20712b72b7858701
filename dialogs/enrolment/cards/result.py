"""After enrolling: a confirmed place (with the join link and "Add to calendar"), a place under trainer review,
a waitlist place, or a place that came free and is offered."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from classroom.enrolment.views import EnrolmentView
from dialogs.cards.base import CardMessage, Element, card, facts, heading, literal, submit, text
from dialogs.cards.formatting import duration_text
from dialogs.enrolment.cards.parts import (
    JOIN_LINK_TO_FOLLOW,
    JOIN_WITH_BUTTON,
    local_moment,
    offer_buttons,
    offsets_text,
    participant_links,
    price_text,
    session_facts,
)
from storage.models import EnrolmentStatus


def build_enrolment_result_card(
    view: EnrolmentView,
    zone: ZoneInfo,
    *,
    calendar_url: str | None,
    reminder_offsets: tuple[timedelta, ...],
    offer_hold: timedelta,
) -> CardMessage:
    if view.status == EnrolmentStatus.CONFIRMED:
        return _confirmed(view, zone, calendar_url, reminder_offsets)
    if view.status == EnrolmentStatus.PENDING_REVIEW:
        return _pending(view, zone)
    if view.status == EnrolmentStatus.OFFERED:
        return _offered(view, zone)
    return _waitlisted(view, offer_hold)


def _confirmed(
    view: EnrolmentView, zone: ZoneInfo, calendar_url: str | None, offsets: tuple[timedelta, ...]
) -> CardMessage:
    run = view.run
    body: list[Element] = [
        heading(f"You're enrolled: {run.course_title}", size="Medium"),
        text(f"Your place on **{run.run_code}** is confirmed."),
        session_facts(run.sessions, zone, missed=view.missed_positions),
    ]
    details = [("Join online", JOIN_WITH_BUTTON if run.join_url else JOIN_LINK_TO_FOLLOW)]
    if run.prerequisites:
        details.append(("You will need", run.prerequisites))
    details.append(
        (
            "Price",
            price_text(
                view.price_pence, view.price_band, view.organisation_name, confirmed=view.organisation_confirmed
            ),
        )
    )
    body.append(facts(details))
    if offsets:
        body.append(text(f"I'll remind you {offsets_text(offsets)} before each session, with the join button."))
    body.append(text(f"Times are UK time ({zone.key}).", subtle=True))
    return card(body, participant_links(run, calendar_url))


def _pending(view: EnrolmentView, zone: ZoneInfo) -> CardMessage:
    run = view.run
    body: list[Element] = [
        heading("Your place is waiting for the trainers", size="Medium"),
        text(f"**{run.course_title}** ({run.run_code})"),
    ]
    if view.clash_sessions:
        body.append(text("You can't attend:"))
        body.append(session_facts(view.clash_sessions, zone, count=run.session_count))
        body.append(literal(view.clash_reason or ""))
    body.append(
        text(
            "Your place is held while the trainers decide whether you can still complete the course. "
            "I'll message you here with their answer."
        )
    )
    body.append(session_facts(run.sessions, zone))
    return card(body, [submit("My courses", "my courses")])


def _waitlisted(view: EnrolmentView, offer_hold: timedelta) -> CardMessage:
    run, hold = view.run, duration_text(offer_hold, largest="hour")
    body: list[Element] = [
        heading("You're on the waitlist", size="Medium"),
        text(
            f"You are number **{view.waitlist_position or 1}** on the waitlist for {run.course_title} ({run.run_code})."
        ),
        text(f"If a place comes up I'll offer it to you here and hold it for {hold}."),
    ]
    return card(body, [submit("My courses", "my courses"), submit("Leave the waitlist", "withdraw", run.run_code)])


def _offered(view: EnrolmentView, zone: ZoneInfo) -> CardMessage:
    run = view.run
    until = local_moment(view.offer_expires_at, zone) if view.offer_expires_at else "soon"
    body: list[Element] = [
        heading("A place is free for you", size="Medium"),
        text(f"A place on {run.course_title} ({run.run_code}) has just come up and is held for you until {until}."),
    ]
    return card(body, offer_buttons(run.run_code, run.session_count))
