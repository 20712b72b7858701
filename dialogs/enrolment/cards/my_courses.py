"""``my courses``: each current place, review, offer and waitlist entry, with its next sessions and buttons."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from classroom.enrolment.views import EnrolmentView
from dialogs.cards.base import CardMessage, Element, card, container, heading, open_url, submit, text
from dialogs.enrolment.cards.parts import join_button, local_moment, session_facts, sessions_words
from storage.models import EnrolmentStatus


def _status(view: EnrolmentView, zone: ZoneInfo) -> str:
    if view.status == EnrolmentStatus.CONFIRMED:
        return "Confirmed"
    if view.status == EnrolmentStatus.PENDING_REVIEW:
        missed = f" (your clash with {sessions_words(view.missed_positions)})" if view.clash_sessions else ""
        return f"Waiting for the trainers' decision{missed}; your place is held"
    if view.status == EnrolmentStatus.OFFERED and view.offer_expires_at is not None:
        return f"A place is offered to you until {local_moment(view.offer_expires_at, zone)}"
    return f"Waitlist: you are number {view.waitlist_position or 1}"


def _entry(view: EnrolmentView, zone: ZoneInfo, now: datetime, calendar_url: str | None) -> Element:
    run = view.run
    upcoming = [s for s in run.sessions if s.ends_at > now]
    items: list[Element] = [
        text(f"**{run.course_title}**"),
        text(f"{run.run_code} · {_status(view, zone)}", subtle=True, spacing="None"),
    ]
    if upcoming:
        items.append(session_facts(upcoming, zone, missed=view.missed_positions, count=run.session_count))
    # Several courses share this card: each button names its run, so a screen reader's list of buttons (which
    # reads titles alone) tells them apart.
    code = run.run_code
    actions: list[Element] = []
    if view.status == EnrolmentStatus.OFFERED:
        actions.append(submit(f"Accept the place on {code}", "offer", f"accept {code}", style="positive"))
        actions.append(submit(f"Turn down {code}", "offer", f"decline {code}"))
    else:
        if calendar_url:
            actions.append(open_url(f"Add {code} to calendar", calendar_url))
        if view.status == EnrolmentStatus.CONFIRMED and run.join_url:
            actions.append(join_button(run.join_url, code))
        leave = (
            f"Leave the {code} waitlist" if view.status == EnrolmentStatus.WAITLISTED else f"Cancel my place on {code}"
        )
        actions.append(submit(leave, "withdraw", code))
    items.append({"type": "ActionSet", "actions": actions})
    return container(items, separator=True)


def build_my_courses_card(
    views: list[EnrolmentView], zone: ZoneInfo, now: datetime, calendar_urls: dict[int, str]
) -> CardMessage:
    """``calendar_urls``: a fresh "Add to calendar" link per enrolment id that has one."""
    body: list[Element] = [heading("My courses", size="Medium")]
    if not views:
        body.append(text("You have no places or waitlist entries at the moment. Type **courses** to see what's on."))
        return card(body, [submit("Our courses", "courses")])
    body.extend(_entry(v, zone, now, calendar_urls.get(v.id)) for v in views)
    body.append(text(f"Times are UK time ({zone.key}).", subtle=True))
    return card(body)
