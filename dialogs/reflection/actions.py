"""Answering, drafting, skipping and reopening a reflection: shared by the card's ``Action.Execute`` buttons and
their ``Action.Submit`` fallbacks. The card supplies only which enrolment and session and the typed answers; the
service decides from the sender's Entra object id that the reflection is theirs."""

from __future__ import annotations

from typing import Any

from botbuilder.core import TurnContext

from classroom.errors import InvalidInput, NotAllowed, NotFound
from classroom.reflection.errors import ReflectionsNotSetUp
from classroom.reflection.identifying import find_in_answers
from classroom.reflection.reflections import bounded_answers
from classroom.reflection.sealing import SealBroken
from classroom.reflection.views import ReflectionState
from dialogs.cards.base import CardMessage
from dialogs.reflection.cards.prompt import build_prompt_card
from dialogs.reflection.cards.saved import build_saved_card, build_skipped_card
from dialogs.reflection.parts import chosen_outcomes, typed_answers
from dialogs.sender import sender_aad_object_id
from dialogs.services import Services

MODES = frozenset({"finish", "finish-anyway", "draft", "draft-anyway", "skip", "open"})
NOT_YOURS = "Sorry, that reflection card is out of date or isn't yours."
NOT_SET_UP = "Reflections aren't set up on this bot yet. Please tell the training team."
SIGN_IN = "Please use Teams signed in with your work account to reflect."
DRAFT_SAVED = "Draft saved. Only you can see it; I'll remind you once if it's still unfinished in a few days."


async def act(
    services: Services, turn_context: TurnContext, mode: str, enrolment_id: int, session_id: int, values: dict[str, Any]
) -> CardMessage | str:
    """What to show the person after they pressed a button of their prompt: a card, or a short message."""
    aad_object_id = sender_aad_object_id(turn_context)
    if not aad_object_id:
        return SIGN_IN
    if mode not in MODES:
        return NOT_YOURS
    reflection, zone = services.reflection, services.zone
    try:
        if mode == "open":
            view = await reflection.prompt(aad_object_id, enrolment_id, session_id)
            return build_prompt_card(view.prompt, zone, state=view.state)
        if mode == "skip":
            return build_skipped_card(await reflection.skip(aad_object_id, enrolment_id, session_id))
        answers, outcomes = typed_answers(values), chosen_outcomes(values)
        finish = mode.startswith("finish")
        try:
            clean = bounded_answers(answers)
        except InvalidInput as error:
            view = await reflection.prompt(aad_object_id, enrolment_id, session_id)
            return build_prompt_card(view.prompt, zone, state=view.state, note=str(error))
        findings = [] if mode.endswith("-anyway") else find_in_answers(clean)
        if findings:
            view = await reflection.prompt(aad_object_id, enrolment_id, session_id)
            typed = ReflectionState(view.state.status, clean, tuple(outcomes))
            return build_prompt_card(view.prompt, zone, state=typed, findings=findings)
        try:
            saved = await reflection.save(aad_object_id, enrolment_id, session_id, answers, outcomes, finish=finish)
        except InvalidInput as error:  # a required question left empty
            view = await reflection.prompt(aad_object_id, enrolment_id, session_id)
            typed = ReflectionState(view.state.status, clean, tuple(outcomes))
            return build_prompt_card(view.prompt, zone, state=typed, note=f"Nearly there: {error}.")
        if finish:
            return build_saved_card(saved, zone)
        return build_prompt_card(saved.prompt, zone, state=saved.state, note=DRAFT_SAVED)
    except (NotAllowed, NotFound):
        return NOT_YOURS
    except (ReflectionsNotSetUp, SealBroken):
        return NOT_SET_UP
