"""How the reflection prompt and its nudge look when the outbox sends them (``classroom.reflection.notices``)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from classroom.reflection.notices import ReflectionPromptNotice
from dialogs.cards.base import CardMessage
from dialogs.feature import Notification
from dialogs.reflection.cards.prompt import build_prompt_card


def _prompt(notice: ReflectionPromptNotice, zone: ZoneInfo) -> CardMessage:
    return build_prompt_card(notice, zone)


NOTIFICATIONS = (Notification(ReflectionPromptNotice, _prompt),)
