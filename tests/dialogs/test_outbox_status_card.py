"""The coordinators' outbox card: counts, backlog age, failures with reasons, in London time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from classroom.outbox import NotificationView, OutboxSummary
from dialogs.outbox.card import build_outbox_status_card, outbox_status_text
from storage.models import NotificationStatus

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)


def summary(**overrides) -> OutboxSummary:  # type: ignore[no-untyped-def]
    counts = {status: 0 for status in NotificationStatus}
    counts.update(overrides.pop("counts", {}))
    return OutboxSummary(
        counts=counts, oldest_due_pending=overrides.pop("oldest", None), recent_failures=overrides.pop("failures", [])
    )


def test_card_is_adaptive_1_5_with_counts_and_failures() -> None:
    failure = NotificationView(
        id=42,
        kind="enquiries.card",
        target="19:coordinators",
        status=NotificationStatus.UNDELIVERABLE,
        attempts=1,
        due_at=NOW,
        updated_at=NOW,
        last_error="HTTP 403 **BotNotInConversationRoster**",
    )
    message = build_outbox_status_card(
        summary(
            counts={NotificationStatus.PENDING: 3, NotificationStatus.SENT: 120, NotificationStatus.UNDELIVERABLE: 1},
            oldest=NOW - timedelta(minutes=7),
            failures=[failure],
        ),
        now=NOW,
        zone=LONDON,
    )
    content = message.card
    assert content["type"] == "AdaptiveCard" and content["version"] == "1.5"
    facts = {f["title"]: f["value"] for f in content["body"][2]["facts"]}
    assert facts["Waiting to send"] == "3" and facts["Sent"] == "120" and facts["Cancelled"] == "0"
    text = message.fallback_text
    assert "3 messages to send; the oldest has waited 7 minutes." in text
    assert "#42 enquiries.card to 19:coordinators: undeliverable, Wed 1 Jul 2026 10:00 BST" in text
    assert "classroom-bot outbox retry 42" in text
    # Teams' error text is shown literally (a RichTextBlock run), never as markdown.
    runs = [i for b in content["body"] if b["type"] == "Container" for i in b["items"] if i["type"] == "RichTextBlock"]
    assert runs[0]["inlines"][0]["text"] == "HTTP 403 **BotNotInConversationRoster**"


def test_quiet_and_scheduled_outboxes() -> None:
    assert "Nothing waiting to send." in outbox_status_text(summary(), now=NOW, zone=LONDON)
    winter = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
    text = outbox_status_text(summary(counts={NotificationStatus.PENDING: 1}, oldest=winter), now=NOW, zone=LONDON)
    assert "1 message scheduled; the next is due Tue 1 Dec 2026 08:30 GMT." in text
