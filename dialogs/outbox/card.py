"""The outbox at a glance, for coordinators (``outbox`` in Teams) and operators (``classroom-bot outbox status``).

Counts by status, how long the oldest waiting message has waited, and the latest failures with their reasons,
so someone can tell "reminders are flowing" from "Teams is throttling us" or "a chat removed the bot".
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from classroom.outbox import NotificationView, OutboxSummary
from classroom.outbox.notice import ErasedNotice
from dialogs.cards.base import CardMessage, Element, card, container, facts, heading, literal, text
from dialogs.cards.formatting import plural
from storage.models import NotificationStatus

STATUS_LABELS = {
    NotificationStatus.PENDING: "Waiting to send",
    NotificationStatus.SENDING: "Being sent",
    NotificationStatus.SENT: "Sent",
    NotificationStatus.DEAD: "Failed (gave up)",
    NotificationStatus.UNDELIVERABLE: "Undeliverable (app not added there, or removed or blocked)",
    NotificationStatus.CANCELLED: "Cancelled",
}


def local_moment(moment: datetime, zone: ZoneInfo) -> str:
    """'Mon 23 Nov 2026 09:00 GMT'."""
    local = moment.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %Y %H:%M %Z}"


def _waited(oldest: datetime, now: datetime) -> str:
    minutes = max(0, int((now - oldest).total_seconds() // 60))
    if minutes < 1:
        return "less than a minute"
    if minutes < 120:
        return plural(minutes, "minute")
    return plural(minutes // 60, "hour")


def _failure(view: NotificationView, zone: ZoneInfo) -> Element:
    label = "failed" if view.status is NotificationStatus.DEAD else "undeliverable"
    return container(
        [
            text(
                f"#{view.id} {view.kind} to {view.target}: {label}, {local_moment(view.updated_at, zone)}",
                weight="Bolder",
            ),
            # The reason quotes Teams' own error codes: shown literally, never as markdown.
            literal(view.last_error or "no reason recorded"),
            text(f"Retry with: classroom-bot outbox retry {view.id}", subtle=True),
        ],
        separator=True,
    )


def build_outbox_status_card(summary: OutboxSummary, *, now: datetime, zone: ZoneInfo) -> CardMessage:
    """An Adaptive Card 1.5 with its plain-text fallback (``CardMessage.fallback_text``)."""
    body: list[Element] = [heading("Outgoing messages")]
    backlog = summary.counts[NotificationStatus.PENDING] + summary.counts[NotificationStatus.SENDING]
    if summary.oldest_due_pending is not None and summary.oldest_due_pending <= now:
        body.append(
            text(
                f"{plural(backlog, 'message')} to send; the oldest has waited "
                f"{_waited(summary.oldest_due_pending, now)}."
            )
        )
    elif summary.oldest_due_pending is not None:
        body.append(
            text(
                f"{plural(backlog, 'message')} scheduled; the next is due "
                f"{local_moment(summary.oldest_due_pending, zone)}."
            )
        )
    else:
        body.append(text("Nothing waiting to send."))
    body.append(facts([(STATUS_LABELS[status], str(summary.counts[status])) for status in NotificationStatus]))
    if summary.recent_failures:
        body.append(text("Latest failures", weight="Bolder", spacing="Medium"))
        body.extend(_failure(view, zone) for view in summary.recent_failures)
    return card(body)


def outbox_status_text(summary: OutboxSummary, *, now: datetime, zone: ZoneInfo) -> str:
    """The same report as plain text (the card's fallback; what the command line prints)."""
    return build_outbox_status_card(summary, now=now, zone=zone).fallback_text


def build_erased_card(_notice: ErasedNotice, _zone: ZoneInfo) -> CardMessage:
    """What a message about someone erased at their request becomes in everyone's chat."""
    return card(
        [
            heading("Removed", size="Medium"),
            text(
                "This message was about someone who asked us to erase their personal data, so its content has been "
                "removed. The training team keeps what the law requires, without their name."
            ),
        ]
    )
