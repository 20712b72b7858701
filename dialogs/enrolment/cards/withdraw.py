"""``withdraw CODE``: asks before giving up a place (a cancelled place goes to the next person waiting)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from classroom.enrolment.views import EnrolmentView
from dialogs.cards.base import CardMessage, card, heading, submit, text
from dialogs.enrolment.cards.parts import run_span
from storage.models import EnrolmentStatus


def build_withdraw_card(view: EnrolmentView, zone: ZoneInfo) -> CardMessage:
    run = view.run
    if view.status == EnrolmentStatus.WAITLISTED:
        question, button = f"Leave the waitlist for {run.course_title} ({run.run_code})?", "Yes, leave the waitlist"
        detail = f"You are number {view.waitlist_position or 1}; leaving gives up your turn."
    elif view.status == EnrolmentStatus.OFFERED:
        question, button = f"Turn down the place offered on {run.course_title} ({run.run_code})?", "Yes, turn it down"
        detail = "The place will be offered to the next person waiting."
    else:
        question, button = f"Cancel your place on {run.course_title} ({run.run_code})?", "Yes, cancel my place"
        detail = f"{run_span(run.sessions, zone)}. Your place will be offered to the next person waiting."
    return card(
        [heading(question, size="Medium"), text(detail)],
        [
            submit(button, "withdraw", f"{run.run_code} confirm", style="destructive"),
            submit("Keep it", "my courses"),
        ],
    )
