"""How the meetings feature's outbox rows look when sent (``classroom.meetings.notices``)."""

from __future__ import annotations

from classroom.meetings.notices import MissedSessionNotice, SessionStartedNotice, SessionSummaryNotice
from dialogs.feature import Notification
from dialogs.meetings.cards.missed import build_missed_card
from dialogs.meetings.cards.started import build_started_card
from dialogs.meetings.cards.summary import build_session_summary_card

NOTIFICATIONS = (
    Notification(SessionStartedNotice, build_started_card),
    Notification(SessionSummaryNotice, build_session_summary_card),
    Notification(MissedSessionNotice, build_missed_card),
)
