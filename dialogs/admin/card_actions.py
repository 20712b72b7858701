"""The role-change confirmation's buttons (``Action.Execute``). What the card sends (the person's Entra object id,
name and the role) is untrusted and bounded here; whether the presser is an admin is decided again by the service
from their own Entra object id and stored roles."""

from __future__ import annotations

from botbuilder.core import InvokeResponse

from classroom.errors import ClassroomError
from dialogs.admin.cards import CANCEL, GRANT, REVOKE, build_cancelled_card, build_role_changed_card
from dialogs.admin.commands import NOT_SIGNED_IN, ROLE_NAMES, explain
from dialogs.card_actions import CardActionRequest, CardActionRouter, card_answer, message_answer
from dialogs.mentions import MAX_NAME, aad_object_id

OUT_OF_DATE = "Sorry, that card is out of date. Type grant or revoke again."


async def change_role(request: CardActionRequest) -> InvokeResponse:
    if not request.sender_id:
        return message_answer(NOT_SIGNED_IN)
    data = request.data
    subject, role_name, name = aad_object_id(data.get("person")), data.get("role"), data.get("name")
    role = ROLE_NAMES.get(role_name) if isinstance(role_name, str) else None
    if subject is None or role is None:
        return message_answer(OUT_OF_DATE)
    name = name[:MAX_NAME] if isinstance(name, str) else ""
    try:
        change = await request.services.admin.change_role(
            request.sender_id, subject, name, role, grant=request.verb == GRANT, where=request.where
        )
    except ClassroomError as error:
        return message_answer(explain(error).replace("**", ""))
    return card_answer(build_role_changed_card(change).card)


async def cancel(_request: CardActionRequest) -> InvokeResponse:
    return card_answer(build_cancelled_card().card)


router = CardActionRouter()
router.verb(GRANT, change_role)
router.verb(REVOKE, change_role)
router.verb(CANCEL, cancel)
