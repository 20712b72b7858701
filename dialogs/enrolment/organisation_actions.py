"""Confirm / Correct on the coordinators' organisation card, answered in place (``Action.Execute``), and the
``organisation`` command the buttons fall back to.

Only coordinators may act: the domain checks the sender's Entra object id against the stored roles, never what
the card sends (which only names the person, and for a correction the organisation chosen from its list). The
answer is the card as it now stands, with a note for the coordinator who pressed; the outbox replaces every other
copy, and the person is told.
"""

from __future__ import annotations

from typing import Any

from botbuilder.core import InvokeResponse

from classroom.enrolment.notices import OrganisationCheckNotice
from classroom.enrolment.organisations import OrganisationAlreadySettled
from classroom.enrolment.service import EnrolmentService
from classroom.errors import ClassroomError, NotAllowed, NotFound
from dialogs.card_actions import CardActionRequest, card_answer, message_answer
from dialogs.cards.formatting import without_markdown
from dialogs.enrolment.cards.organisation_check import (
    ORGANISATION_CONFIRM,
    ORGANISATION_INPUT,
    build_organisation_check_card,
)
from dialogs.enrolment.replies import NOT_SIGNED_IN

REFUSAL = "Sorry, only coordinators can confirm or correct someone's organisation. Nothing was changed."
_ID_DIGITS = 9


def positive_id(value: Any) -> int | None:
    """Card data is untrusted: a positive id the database can hold (a number, or its digits), or nothing."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= _ID_DIGITS:
        value = int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31 else None


async def decide(
    enrolment: EnrolmentService, actor: str, person_id: int, organisation_id: int | None, where: str = ""
) -> tuple[OrganisationCheckNotice | None, str]:
    """Confirm (``organisation_id`` None) or correct; returns the card as it stands (None: not to be shown to
    this person) and the words for the one who pressed."""
    try:
        notice = await enrolment.decide_organisation(actor, person_id, organisation_id, where=where)
    except NotAllowed:
        return None, REFUSAL
    except OrganisationAlreadySettled:
        try:
            return await enrolment.organisation_check(actor, person_id), "This was already settled; nothing changed."
        except ClassroomError:
            return None, "This was already settled; nothing changed."
    except NotFound:
        return None, "Sorry, I can't find that person or organisation any more. Nothing was changed."
    outcome = notice.outcome
    assert outcome is not None
    name = without_markdown(notice.person_name)
    verb = "Corrected" if outcome.decision == "corrected" else "Confirmed"
    return notice, f"{verb}: {name} works for {outcome.organisation}. I've told them."


async def act(request: CardActionRequest) -> InvokeResponse:
    if not request.sender_id:
        return message_answer(NOT_SIGNED_IN)
    person_id = positive_id(request.data.get("person"))
    if person_id is None:
        return message_answer("Sorry, that card is out of date.")
    organisation_id = None
    if request.verb != ORGANISATION_CONFIRM:
        organisation_id = positive_id(request.data.get(ORGANISATION_INPUT))
        if organisation_id is None:
            return message_answer("Choose their organisation from the list first, then press Correct.")
    notice, note = await decide(
        request.services.enrolment, request.sender_id, person_id, organisation_id, request.where
    )
    if notice is None:
        return message_answer(note)
    return card_answer(build_organisation_check_card(notice, request.services.zone, note=note).card)
