"""How the poll's shared card looks when the outbox posts or replaces it (``classroom.polls.notices``)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from classroom.polls.notices import PollCardNotice
from dialogs.cards.base import CardMessage
from dialogs.feature import Notification
from dialogs.polls.cards.poll import build_poll_card


def _shared_card(notice: PollCardNotice, zone: ZoneInfo) -> CardMessage:
    return build_poll_card(notice.poll, zone)


NOTIFICATIONS = (Notification(PollCardNotice, _shared_card),)
