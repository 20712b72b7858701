"""An enquiry as its enquirer sees it: what they asked, where it stands, and the conversation so far."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from classroom.enquiries.views import EnquiryView
from dialogs.cards.base import CardMessage, Element, card, heading, text
from dialogs.cards.formatting import short_time
from dialogs.enquiries.cards.parts import courses_text, field_row, kind_label, run, runs
from dialogs.enquiries.cards.reply import answer_form
from storage.models import EnquiryAction, EnquiryKind, EnquiryStatus

_ENQUIRER_STATUS = {
    EnquiryStatus.AWAITING_REPLY: "With the training team: we will reply here",
    EnquiryStatus.ANSWERED: "Answered: write back below if you need more",
    EnquiryStatus.CLOSED: "Closed: writing back reopens it",
}
_CONVERSATION = (EnquiryAction.REPLIED, EnquiryAction.ENQUIRER_REPLIED)


def build_enquirer_enquiry_card(view: EnquiryView, zone: ZoneInfo) -> CardMessage:
    body: list[Element] = [
        heading(f"Your enquiry {view.reference}", size="Medium"),
        text(f"{kind_label(view.kind)} · sent {short_time(view.created_at, zone)}", subtle=True, spacing="None"),
        text(f"**{_ENQUIRER_STATUS[view.status]}**"),
        field_row("Courses", courses_text(view.courses)),
    ]
    if view.kind is EnquiryKind.DELIVERY:
        body += [
            field_row("Participants", str(view.participants or "")),
            field_row("Preferred dates", view.preferred_dates or ""),
            field_row("Platform", view.preferred_platform or ""),
        ]
    body.append(field_row("Message", view.message))
    conversation = [e for e in view.events if e.action in _CONVERSATION]
    if conversation:
        body.append(text("**Conversation**", spacing="Medium"))
    for event in conversation:
        who = "You" if event.action is EnquiryAction.ENQUIRER_REPLIED else (event.actor_name or "The training team")
        body.append(runs(run(short_time(event.at, zone) + " · ", isSubtle=True), run(who, weight="Bolder")))
        body.append(
            {"type": "Container", "style": "emphasis", "spacing": "None", "items": [runs(run(event.text or ""))]}
        )
    body += answer_form(view.reference)
    return card(body)
