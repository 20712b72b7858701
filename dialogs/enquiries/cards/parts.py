"""Pieces every enquiry card shares: labels, a field row, a history line, times as people read them.

Anything a person typed (names, emails, messages, replies, even Teams display names) goes into RichTextBlock
TextRuns, which Teams shows literally; only our own words go into TextBlocks.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from classroom.enquiries.views import CourseRef, EventView
from dialogs.cards.base import (
    Element,
    field_row,  # noqa: F401  (re-exported for the enquiry cards)
)
from dialogs.cards.formatting import short_time
from storage.models import EnquiryAction, EnquiryKind, EnquiryStatus

CARD_ACTION_VERB_PREFIX = "enquiry."
ASSIGN, REPLY, CLOSE, REOPEN = "enquiry.assign", "enquiry.reply", "enquiry.close", "enquiry.reopen"
REPLY_INPUT = "reply"  # the coordinator card's reply box; its text arrives in the action's data
ANSWER_INPUT = "text"  # the enquirer's answer box on a reply card

KIND_LABELS = {
    EnquiryKind.QUESTION: "Question about a course",
    EnquiryKind.DELIVERY: "Request to deliver a course",
}
STATUS_LABELS = {
    EnquiryStatus.AWAITING_REPLY: "Waiting for our reply",
    EnquiryStatus.ANSWERED: "Answered",
    EnquiryStatus.CLOSED: "Closed",
}
_EVENT_WORDS = {
    EnquiryAction.CREATED: "sent the enquiry",
    EnquiryAction.ASSIGNED: "took it on",
    EnquiryAction.REPLIED: "replied:",
    EnquiryAction.ENQUIRER_REPLIED: "wrote back:",
    EnquiryAction.CLOSED: "closed it",
    EnquiryAction.REOPENED: "reopened it",
}


def kind_label(kind: EnquiryKind | str) -> str:
    return KIND_LABELS[EnquiryKind(kind)]


def run(value: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextRun", "text": value, **style}


def runs(*parts: dict[str, Any], spacing: str | None = None) -> Element:
    """One paragraph of literal runs (some of them ours, some typed by people: all shown verbatim)."""
    block: Element = {"type": "RichTextBlock", "inlines": list(parts)}
    if spacing:
        block["spacing"] = spacing
    return block


def courses_text(courses: list[CourseRef]) -> str:
    if not courses:
        return "No particular course (a general question)"
    return "; ".join(f"{c.code} – {c.title}" if c.title else c.code for c in courses)


def history_items(events: list[EventView], earlier: int, zone: ZoneInfo) -> list[Element]:
    items: list[Element] = []
    if earlier:
        items.append(
            {
                "type": "TextBlock",
                "text": f"{earlier} earlier entries are not shown here.",
                "isSubtle": True,
                "wrap": True,
                "spacing": "Small",
            }
        )
    for event in events:
        items.append(
            runs(
                run(short_time(event.at, zone) + " · ", isSubtle=True),
                run(event.actor_name or "Someone", weight="Bolder"),
                run(" " + _EVENT_WORDS[event.action]),
                spacing="Small",
            )
        )
        if event.text:
            items.append(
                {"type": "Container", "style": "emphasis", "spacing": "None", "items": [runs(run(event.text))]}
            )
    return items
