"""How the poll's shared card, and the launcher's copy in their 1:1 chat, look when the outbox posts or replaces
them (``classroom.polls.notices``)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from classroom.polls.notices import PollCardNotice, PollResultsNotice, fresh_card, fresh_results
from dialogs.cards.base import CardMessage
from dialogs.feature import Notification
from dialogs.polls.cards.poll import build_poll_card


def _shared_card(notice: PollCardNotice, zone: ZoneInfo) -> CardMessage:
    return build_poll_card(notice.poll, zone)


def _launchers_card(notice: PollResultsNotice, zone: ZoneInfo) -> CardMessage:
    return build_poll_card(notice.poll, zone, for_launcher=True)


# Drawn from the tallies when sent: votes do not rewrite the cards' rows (``classroom.polls.notices``).
NOTIFICATIONS = (
    Notification(PollCardNotice, _shared_card, fresh=fresh_card),
    Notification(PollResultsNotice, _launchers_card, fresh=fresh_results),
)
