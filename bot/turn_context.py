"""The turn context of our adapter: botbuilder's, with replies that are cheaper to address and copy.

botbuilder deep-copies every activity it sends (``TurnContext.send_activities``), so that addressing the copy leaves
the caller's activity as it was. For ``send_activity("some text")`` the activity is botbuilder's own, made from the
text a moment before and seen by nobody else, and the copy only has its own fields set (conversation, sender,
recipient, type, input hint: plain assignments): a shallow copy is as good as a deep one, 45 us less per text reply
(the deep copy walks every one of an activity's fifty fields). Cards already are (``dialogs/cards/messages.py``).

Each ``send_activities`` also made the reply's address anew from the activity received (a ``ConversationReference``
and copies of its sender, recipient and conversation: ~12 us), and handed the send through its send handlers when
there are none. Here the address is made once a turn, each reply given shallow copies of its conversation, sender
and recipient (so a send handler changing one reply's address leaves the others'), and a turn with no send handlers
sends straight away.
"""

from __future__ import annotations

import copy
from copy import deepcopy
from typing import Any, cast

from botbuilder.core import TurnContext
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    ConversationReference,
    DeliveryModes,
    InputHints,
    ResourceResponse,
)


class _TextActivity(Activity):
    """The activity botbuilder makes of a text to send, copied shallowly by its per-send deep copy."""

    def __deepcopy__(self, memo: dict[int, Any]) -> _TextActivity:
        return copy.copy(self)


class EdgeTurnContext(TurnContext):
    _reply_reference: ConversationReference | None = None  # the reply's address, made at the turn's first send

    # botbuilder annotates speak and input_hint `str = None` and means `str | None`.
    async def send_activity(
        self, activity_or_text: Activity | str, speak: str | None = None, input_hint: str | None = None
    ) -> ResourceResponse | None:
        if isinstance(activity_or_text, str):  # as botbuilder builds it, in a class that is cheap to copy
            activity_or_text = _TextActivity(
                text=activity_or_text, input_hint=input_hint or InputHints.accepting_input, speak=cast(str, speak)
            )
        return await super().send_activity(activity_or_text, cast(str, speak), cast(str, input_hint))

    async def send_activities(self, activities: list[Activity]) -> list[ResourceResponse]:
        """botbuilder 4.17's ``TurnContext.send_activities``, with the reply's address made once a turn and no
        hand-over through send handlers when there are none (see the module's notes)."""
        output = [self._addressed(activity) for activity in activities]
        sent_non_trace_activity = any(addressed.type != ActivityTypes.trace for addressed in output)

        async def logic() -> list[ResourceResponse]:
            if self.activity.delivery_mode == DeliveryModes.expect_replies:
                responses = []
                for addressed in output:
                    self.buffered_reply_activities.append(addressed)
                    # The invoke's answer kept in the turn state, as the adapter would have kept it.
                    if addressed.type == ActivityTypes.invoke_response:
                        self.turn_state[TurnContext._INVOKE_RESPONSE_KEY] = addressed
                    responses.append(ResourceResponse())
                if sent_non_trace_activity:
                    self.responded = True
                return responses
            sent = await self.adapter.send_activities(self, output)
            if sent_non_trace_activity:
                self.responded = True
            return cast(list[ResourceResponse], sent)

        handlers = cast(list[Any], self._on_send_activities)  # botbuilder annotates the list as one handler
        if not handlers:
            return await logic()
        return cast(list[ResourceResponse], await self._emit(handlers, output, logic()))

    def _addressed(self, activity: Activity) -> Activity:
        """A copy of ``activity`` addressed as a reply in this turn's conversation, as botbuilder's makes it."""
        reference = self._reply_reference
        if reference is None:
            reference = self._reply_reference = TurnContext.get_conversation_reference(self.activity)
        addressed = TurnContext.apply_conversation_reference(deepcopy(activity), reference)
        # Each reply its own address objects, as botbuilder makes them afresh on every send: a send handler that
        # changes one reply's address (to a thread, say) must not change the next reply's.
        addressed.conversation = copy.copy(addressed.conversation)
        addressed.from_property = copy.copy(addressed.from_property)
        addressed.recipient = copy.copy(addressed.recipient)
        if not getattr(addressed, "type", None):
            addressed.type = ActivityTypes.message
        if not addressed.input_hint:
            addressed.input_hint = "acceptingInput"
        addressed.id = None  # type: ignore[assignment]  # as botbuilder's: annotated str, may be None
        return addressed
