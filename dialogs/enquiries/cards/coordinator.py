"""The coordinators' card for one enquiry: every field, who did what when, and what can be done next.

Its buttons are ``Action.Execute``: Teams sends an ``adaptiveCard/action`` invoke and shows our answer (this
card, updated) in place of the clicked one; the copies other people see are updated by the bot as well.
What a button may do is decided from the clicker's stored roles, never from the data the card sends back.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from classroom.enquiries.views import EnquiryView
from dialogs.cards.base import CardMessage, Element, card, container, execute, heading, text
from dialogs.cards.formatting import short_time
from dialogs.enquiries.cards.parts import (
    ASSIGN,
    CLOSE,
    REOPEN,
    REPLY,
    REPLY_INPUT,
    STATUS_LABELS,
    courses_text,
    field_row,
    history_items,
    kind_label,
    run,
    runs,
)
from storage.models import EnquiryKind, EnquiryStatus

REPLY_MAX_LENGTH = 2000


def _button(title: str, verb: str, enquiry_id: int, *, style: str | None = None) -> Element:
    return execute(title, verb, {"enquiry": enquiry_id}, style=style)


def _status_line(view: EnquiryView, zone: ZoneInfo) -> Element:
    parts = [run(STATUS_LABELS[view.status], weight="Bolder"), run(" · ")]
    if view.assignee_name is not None:
        parts += [run("Assigned to "), run(view.assignee_name or "a coordinator", weight="Bolder")]
    else:
        parts.append(run("Unassigned", color="Attention"))
    parts.append(run(f" · received {short_time(view.created_at, zone)}", isSubtle=True))
    return runs(*parts, spacing="None")


def _fields(view: EnquiryView) -> list[Element]:
    rows = [
        field_row("From", view.enquirer_name),
        field_row("Email", view.enquirer_email),
        field_row("Organisation", view.organisation),
        field_row("Role", view.job_role),
        field_row("Course" if len(view.courses) == 1 else "Courses", courses_text(view.courses)),
    ]
    if view.kind is EnquiryKind.DELIVERY:
        rows += [
            field_row("Participants", str(view.participants or "")),
            field_row("Preferred dates", view.preferred_dates or ""),
            field_row("Platform", view.preferred_platform or ""),
        ]
    rows.append(field_row("Message", view.message))
    return rows


def _actions(view: EnquiryView) -> list[Element]:
    if view.status is EnquiryStatus.CLOSED:
        return [_button("Reopen", REOPEN, view.id)]
    reply_form = {
        "type": "AdaptiveCard",
        "body": [
            {
                "type": "Input.Text",
                "id": REPLY_INPUT,
                "label": "Your reply (the enquirer gets it in their chat with me)",
                "isMultiline": True,
                "isRequired": True,
                "errorMessage": "Write a reply first",
                "maxLength": REPLY_MAX_LENGTH,
            }
        ],
        "actions": [_button("Send reply", REPLY, view.id, style="positive")],
    }
    # Every coordinator sees the same copy, so once someone has it "Assign to me" is offered to nobody: the
    # assignee would see it too. The others can still reply and close it.
    assign = [_button("Assign to me", ASSIGN, view.id)] if view.assignee_name is None else []
    return [
        *assign,
        {"type": "Action.ShowCard", "title": "Reply", "card": reply_form},
        _button("Close", CLOSE, view.id, style="destructive"),
    ]


def build_enquiry_card(view: EnquiryView, zone: ZoneInfo, *, notice: str | None = None) -> CardMessage:
    """The card; ``notice`` (only in the answer to the person who clicked) says what just happened."""
    body: list[Element] = []
    if notice:
        body.append(container([runs(run(notice, weight="Bolder"))], style="accent"))
    body += [
        heading(f"{view.reference} · {kind_label(view.kind)}", size="Medium"),
        _status_line(view, zone),
        *_fields(view),
        text("**History**", spacing="Medium"),
        *history_items(view.events, view.earlier_events, zone),
    ]
    return card(body, _actions(view))
