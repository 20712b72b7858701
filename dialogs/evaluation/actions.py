"""Answering or skipping a survey: shared by the card's ``Action.Execute`` buttons and their ``Action.Submit``
fallbacks. The card supplies only which enrolment and phase and the answers; the service decides from the sender's
Entra object id that the survey is theirs."""

from __future__ import annotations

from typing import Any

from botbuilder.core import TurnContext

from classroom.errors import InvalidInput, NotAllowed, NotFound
from classroom.evaluation.errors import SurveyClosed
from dialogs.cards.base import CardMessage
from dialogs.evaluation.cards.survey import build_survey_card, build_thanks_card
from dialogs.evaluation.parts import PHASES, survey_answers, typed_values
from dialogs.sender import sender_aad_object_id
from dialogs.services import Services

NOT_YOURS = "Sorry, that survey card is out of date or isn't yours."
SIGN_IN = "Please use Teams signed in with your work account to answer the survey."


async def act(
    services: Services, turn_context: TurnContext, mode: str, enrolment_id: int, phase_word: str, data: dict[str, Any]
) -> CardMessage | str:
    """What to show the person after they pressed Send or Skip on their survey: a card, or a short message."""
    aad_object_id = sender_aad_object_id(turn_context)
    if not aad_object_id:
        return SIGN_IN
    phase = PHASES.get(phase_word)
    if phase is None or mode not in ("answer", "skip"):
        return NOT_YOURS
    evaluation = services.evaluation
    try:
        if mode == "skip":
            return build_thanks_card(await evaluation.skip(aad_object_id, enrolment_id, phase), skipped=True)
        try:
            saved = await evaluation.answer(aad_object_id, enrolment_id, phase, survey_answers(data))
        except InvalidInput as error:  # a rating left out, text too long: the card again, as they filled it
            survey = await evaluation.survey(aad_object_id, enrolment_id, phase)
            return build_survey_card(survey, services.zone, note=f"Nearly there: {error}.", typed=typed_values(data))
        return build_thanks_card(saved, skipped=False)
    except (NotAllowed, NotFound):
        return NOT_YOURS
    except SurveyClosed as closed:
        return f"Sorry, {closed}."
