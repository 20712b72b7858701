"""Keys that name one Teams activity for good, so its effects are recorded once however often it arrives."""

from __future__ import annotations

import hashlib

from botbuilder.core import TurnContext


def activity_key(turn_context: TurnContext, purpose: str) -> str | None:
    """``purpose:<hash of channel, conversation and activity id>``; None when the activity has no id.

    Activity ids are unique within a conversation, not across them, so the conversation is part of the key.
    """
    activity = turn_context.activity
    if not activity.id:
        return None
    conversation = activity.conversation.id if activity.conversation else ""
    digest = hashlib.sha256(f"{activity.channel_id}|{conversation}|{activity.id}".encode()).hexdigest()[:40]
    return f"{purpose}:{digest}"
