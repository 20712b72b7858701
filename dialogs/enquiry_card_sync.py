"""Keep every copy of an enquiry's coordinator card showing its current state.

The outbox records the Teams message id of each copy it sent (the coordinators' channel, or each
coordinator's 1:1 chat). After a change commits, each copy is replaced through the Bot Connector
(``PUT /v3/conversations/{id}/activities/{activityId}``) in a proactive turn, so everyone sees the new state,
not only the person who clicked (whose card the invoke answer replaces). Copies not sent yet go out with the
new state anyway (the change rewrote their payload). A failed update is logged and left: the card's buttons
still act on the enquiry as it is, and the next change or ``enquiry REF`` shows it again.
"""

from __future__ import annotations

import asyncio
import logging

from botbuilder.core import TurnContext
from botbuilder.schema import ConversationAccount, ConversationReference

from classroom.enquiries.notifications import SentCard, sent_cards
from classroom.enquiries.views import EnquiryView
from dialogs.cards.enquiry_card import build_enquiry_card
from dialogs.messages import card_activity
from dialogs.services import BotServices

log = logging.getLogger(__name__)


async def _update_one(turn_context: TurnContext, copy: SentCard, view: EnquiryView, services: BotServices) -> bool:
    activity = card_activity(build_enquiry_card(view, services.zone))
    activity.id = copy.activity_id
    activity.conversation = ConversationAccount(id=copy.conversation_id)
    try:
        if copy.service_url == turn_context.activity.service_url:
            # The turn's own connector reaches it. Not a proactive turn: that would run the middleware again,
            # and the per-conversation turn lock is held by this very turn when the copy is in this chat.
            await turn_context.adapter.update_activity(turn_context, activity)
        else:
            reference = ConversationReference().deserialize(copy.reference)
            reference.service_url = copy.service_url
            reference.conversation = ConversationAccount(id=copy.conversation_id)

            async def update(context: TurnContext) -> None:
                await context.adapter.update_activity(context, activity)

            await turn_context.adapter.continue_conversation(reference, update)
    except Exception:  # noqa: BLE001 - one stale copy must not fail the action that was already saved
        log.warning("could not update the card of %s in %s", view.reference, copy.conversation_id, exc_info=True)
        return False
    return True


async def update_sent_cards(turn_context: TurnContext, services: BotServices, view: EnquiryView) -> int:
    """Replace every sent copy of ``view``'s card; returns how many were updated."""
    async with services.session_factory() as session:
        copies = await sent_cards(session, view.id)
    results = await asyncio.gather(*(_update_one(turn_context, copy, view, services) for copy in copies))
    return sum(results)
