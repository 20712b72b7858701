"""A card message is sent as built: botbuilder's copy of every outgoing activity shares the card, and the wire
form is what botbuilder's own serializer writes."""

from __future__ import annotations

import copy

from botbuilder.core.serializer_helper import serializer_helper

from bot.connector.serialization import to_wire
from dialogs.cards.base import card, facts, submit, text
from dialogs.cards.messages import card_activity


def test_botbuilders_copy_of_a_card_message_shares_the_card() -> None:
    message = card([text("**PERM4**"), facts([("Places left", "3 of 12")])], [submit("Enrol", "enrol", "PERM4")])
    activity = card_activity(message)
    copied = copy.deepcopy(activity)  # what TurnContext.send_activities does to every activity
    assert copied is not activity
    assert copied.attachments[0].content is message.card  # not a copy of its thousand objects
    assert to_wire(copied) == serializer_helper(activity)
    assert copied.attachments[0].content_type == "application/vnd.microsoft.card.adaptive"
