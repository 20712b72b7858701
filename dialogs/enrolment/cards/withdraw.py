"""``withdraw CODE``: asks before giving something up (a cancelled place goes to the next person waiting), with
an optional reason for the trainers; then says what happened, with a file that takes the place's sessions out of
the person's calendar."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from classroom.enrolment.enrolments import MAX_REASON_LENGTH
from classroom.enrolment.views import EnrolmentView, Withdrawal
from dialogs.cards.base import CardMessage, Element, card, heading, open_url, submit, text
from dialogs.enrolment.cards.parts import run_span
from storage.models import EnrolmentStatus

REASON_INPUT = "withdraw_reason"  # the reason box's id: its text arrives with the confirm button's command


def _reason_box() -> Element:
    return {
        "type": "Input.Text",
        "id": REASON_INPUT,
        "label": "Why are you cancelling? (optional; the trainers and the training team will read it)",
        "isMultiline": True,
        "maxLength": MAX_REASON_LENGTH,
        "placeholder": "For example: my caseload has changed",
    }


def build_withdraw_card(view: EnrolmentView, zone: ZoneInfo) -> CardMessage:
    run = view.run
    code = run.run_code
    body: list[Element]
    if view.status == EnrolmentStatus.WAITLISTED:
        question, button = f"Leave the waitlist for {run.course_title} ({code})?", "Yes, leave the waitlist"
        body = [text(f"You are number {view.waitlist_position or 1}; leaving gives up your turn.")]
    elif view.status == EnrolmentStatus.OFFERED:
        question, button = f"Turn down the place offered on {run.course_title} ({code})?", "Yes, turn it down"
        body = [text("The place will be offered to the next person waiting.")]
    else:
        question, button = f"Cancel your place on {run.course_title} ({code})?", "Yes, cancel my place"
        body = [
            text(f"{run_span(run.sessions, zone)}. Your place will be offered to the next person waiting."),
            _reason_box(),
            text(f"You can also type **withdraw {code} confirm** followed by your reason.", subtle=True),
        ]
    return card(
        [heading(question, size="Medium"), *body],
        [
            submit(button, "withdraw", f"{code} confirm", style="destructive"),
            submit("No, keep it", "my courses"),
        ],
    )


def build_withdrawn_card(withdrawal: Withdrawal, calendar_url: str | None) -> CardMessage:
    """After giving up a place (or a place under review); ``calendar_url`` opens the cancellation of its events."""
    code = withdrawal.run_code
    body: list[Element] = [
        heading(f"Your place on {code} is cancelled", size="Medium"),
        text(
            "Your reminders are cancelled with it, and the place will be offered to the next person waiting. "
            "I've let the trainers and the training team know."
        ),
    ]
    actions: list[Element] = []
    if calendar_url:
        body.append(text("If you added the sessions to your calendar, open this file and they'll be removed."))
        actions.append(open_url("Remove from my calendar", calendar_url))
    actions.append(submit("My courses", "my courses"))
    return card(body, actions)
