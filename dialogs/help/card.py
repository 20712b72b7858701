"""What you can type here: generated from the command registry, filtered by role and scope."""

from __future__ import annotations

from dialogs.cards.base import CardMessage, card, facts, heading, text
from dialogs.routing import PERSONAL, Command


def build_help_card(commands: list[Command], scope: str) -> CardMessage:
    body = [
        heading("What I can do", size="Medium"),
        facts([(c.usage, c.description) for c in commands]),
    ]
    if scope != PERSONAL:
        body.append(text("In a group chat or channel, mention me first, e.g. **@Classroom courses**.", subtle=True))
    body.append(text("Type **cancel** to stop what you are in the middle of.", subtle=True))
    return card(body)
