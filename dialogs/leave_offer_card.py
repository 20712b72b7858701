"""Asked when someone types a command where a question takes free text: did they mean to leave the dialog?"""

from __future__ import annotations

from dialogs.cards.base import CardMessage, card, submit, text

CARRY_ON, LEAVE_IT = "carry on", "leave it"  # what the buttons send, as if typed


def build_leave_offer_card(topic: str, command: str) -> CardMessage:
    """``topic``: the dialog in progress ("your enquiry"); ``command``: the name of the command typed (ours, never
    the person's own words, which are kept in the dialog's state for when they choose to leave)."""
    return card(
        [text(f"You're in the middle of {topic}. Carry on with it, or leave it and go to **{command}**?")],
        [submit(f"Carry on with {topic}", CARRY_ON, style="positive"), submit(f"Leave it: {command}", LEAVE_IT)],
    )
