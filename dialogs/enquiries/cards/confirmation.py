"""Everything the enquirer told us, shown back literally before it is sent, with Send / Change / Cancel."""

from __future__ import annotations

from classroom.enquiries.views import CourseRef
from dialogs.cards.answers import answer_button, answer_hint
from dialogs.cards.base import CardMessage, Element, card, heading, submit, text
from dialogs.enquiries.cards.parts import courses_text, field_row, kind_label
from storage.models import EnquiryKind

SEND, CHANGE = "send", "change"


def build_enquiry_confirmation_card(draft: dict[str, object], courses: list[CourseRef]) -> CardMessage:
    kind = EnquiryKind(str(draft["kind"]))
    body: list[Element] = [
        heading("Please check your enquiry", size="Medium"),
        text(kind_label(kind), weight="Bolder"),
        field_row("Courses", courses_text(courses)),
        field_row("Name", str(draft["name"])),
        field_row("Email", str(draft["email"])),
        field_row("Organisation", str(draft["organisation"])),
        field_row("Role", str(draft["role"])),
    ]
    if kind is EnquiryKind.DELIVERY:
        body += [
            field_row("Participants", str(draft["participants"])),
            field_row("Preferred dates", str(draft["dates"])),
            field_row("Platform", str(draft["platform"])),
        ]
    body.append(field_row("Message", str(draft["message"])))
    body.append(
        answer_hint("Send it to the training team? Type **send**, **change** to correct something, or **cancel**.")
    )
    return card(
        body,
        [
            answer_button("Send", SEND, style="positive"),
            answer_button("Change something", CHANGE),
            submit("Cancel", "cancel"),
        ],
    )
