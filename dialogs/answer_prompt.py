"""A question (``dialogs.questions.Question``) that also takes its answer from the answer buttons on its card.

An answer arrives typed, from an ``Action.Submit`` answer button (a message whose ``value`` carries the answer and
no ``verb``), or from an ``Action.Execute`` one (an ``adaptiveCard/action`` invoke with verb ``ANSWER_VERB``; the
dispatcher hands it to the dialog in progress). Whichever way, the prompt's validator decides whether it will do.
A press is always an answer, never a command: the dispatcher does not read it for one. What typed text means
(an answer, or a command mid-question) is ``Question``'s, by the kind of answer the question takes.

When a question is asked, its card's buttons are named after it (``dialogs.cards.answers.name_question``); a
button of another question (an earlier card still on the screen) is refused rather than taken as this answer.
A pressed ``Action.Execute`` gets an answer of its own (:func:`press_answer`): the question card in its answered
state, which Teams puts in place of the card that was pressed.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, cast

from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.dialogs import Dialog, DialogContext, DialogTurnResult
from botbuilder.dialogs.prompts import PromptOptions, PromptRecognizerResult, PromptValidatorContext
from botbuilder.schema import Activity, ActivityTypes

from dialogs.card_actions import card_answer, message_answer
from dialogs.card_question_options import CardQuestionOptions
from dialogs.cards.answers import ANSWER_KEY, ANSWER_VERB, QUESTION_KEY, answered_card, name_question, question_of
from dialogs.questions import Question

__all__ = ["ANSWER_KEY", "AnswerPrompt", "PressedAnswer", "is_answer_press", "press_answer", "pressed_answer"]

MAX_ANSWER_LENGTH = 4000  # card data is untrusted: longer than any answer we ask for
EARLIER_QUESTION = "That button belongs to an earlier question, not the one I'm asking now, so I didn't take it."
NOT_TAKEN = "I couldn't take that answer; my reply in the chat says why."
NO_QUESTION = "That question is no longer open. Type **help** to see what I can do."
_PRESS_ANSWER = "dialogs.answer_prompt.press_answer"  # this turn's answer to a pressed Action.Execute


@dataclass(frozen=True)
class PressedAnswer:
    """An answer button pressed: its answer and the question it names (None: a card from before questions were
    named); ``executed`` when it came as an ``Action.Execute`` invoke rather than a message."""

    answer: str
    question: str | None
    executed: bool


def _action_data(activity: Activity) -> dict[str, Any] | None:
    """The data of an answer button's ``Action.Execute`` (its inputs merged in), or None for anything else."""
    if activity.type != ActivityTypes.invoke or activity.name != "adaptiveCard/action":
        return None
    value = activity.value if isinstance(activity.value, dict) else {}
    action = value.get("action")
    if not isinstance(action, dict) or action.get("verb") != ANSWER_VERB:
        return None
    data = action.get("data")
    return data if isinstance(data, dict) else None


def pressed_answer(turn_context: TurnContext) -> PressedAnswer | None:
    """The answer button this activity is a press of, if it is one."""
    activity = turn_context.activity
    data = _action_data(activity)
    executed = data is not None
    if data is None and activity.type == ActivityTypes.message and isinstance(activity.value, dict):
        data = activity.value if "verb" not in activity.value else None  # with a verb it is a command
    if data is None or not isinstance(data.get(ANSWER_KEY), str):
        return None
    question = data.get(QUESTION_KEY)
    named = question[:64] if isinstance(question, str) and question else None
    return PressedAnswer(data[ANSWER_KEY][:MAX_ANSWER_LENGTH], named, executed)


def is_answer_press(turn_context: TurnContext) -> bool:
    """Whether this activity is an ``Action.Execute`` answer button (what the dispatcher passes to the dialog)."""
    return _action_data(turn_context.activity) is not None


def press_answer(turn_context: TurnContext) -> InvokeResponse:
    """The answer to a pressed ``Action.Execute`` answer button, once the dialog has taken (or refused) it."""
    kept = turn_context.turn_state.get(_PRESS_ANSWER)
    if isinstance(kept, InvokeResponse):
        return kept
    return message_answer(EARLIER_QUESTION)  # the question in progress takes no buttons: the card is older


def _question_card(options: PromptOptions) -> dict[str, Any] | None:
    if isinstance(options, CardQuestionOptions):
        return options.card  # without making its activity
    prompt = options.prompt
    for attachment in (prompt.attachments or []) if prompt is not None else []:
        if isinstance(attachment.content, dict):
            return attachment.content
    return None


def _asked(options: PromptOptions) -> str | None:
    """The question ``options`` asked: the name its buttons carry (None when they carry none)."""
    if isinstance(options, CardQuestionOptions) and options.question is not None:
        return options.question
    card = _question_card(options)
    return question_of(card) if card is not None else None


class AnswerPrompt(Question):
    """Typed text, or the answer of a pressed button of this question; the validator decides what is acceptable.

    ``answers`` and ``gives_way`` as ``Question``'s: with ``answers`` it takes a set of answers (its buttons' among
    them), without it free text (a "Keep this" button, say)."""

    async def begin_dialog(self, dialog_context: DialogContext, options: object = None) -> DialogTurnResult:
        card = _question_card(options) if isinstance(options, PromptOptions) else None
        if card is not None:
            question = secrets.token_hex(6)
            name_question(card, question)  # stored with the prompt's options, sent on its card
            if isinstance(options, CardQuestionOptions):
                options.question = question  # kept: a press is checked against it without reading the card for it
        return await super().begin_dialog(dialog_context, options)

    async def on_recognize(
        self, turn_context: TurnContext, state: dict[str, object], options: PromptOptions
    ) -> PromptRecognizerResult:
        pressed = pressed_answer(turn_context)
        if pressed is not None:
            return PromptRecognizerResult(succeeded=True, value=pressed.answer)
        return await super().on_recognize(turn_context, state, options)

    async def continue_dialog(self, dialog_context: DialogContext) -> DialogTurnResult:
        context = dialog_context.context
        options = dialog_context.active_dialog.state[self.persisted_options]
        pressed = pressed_answer(context)
        if pressed is not None and pressed.question is not None and pressed.question != _asked(options):
            if pressed.executed:
                context.turn_state[_PRESS_ANSWER] = message_answer(EARLIER_QUESTION)
            else:
                await context.send_activity(f"{EARLIER_QUESTION} Please answer the question above, or type cancel.")
            return Dialog.end_of_turn
        if pressed is None or not pressed.executed:
            # A message: typed (perhaps also a command, which Question weighs), or an Action.Submit button.
            return await super().continue_dialog(dialog_context)
        return await self._take_pressed(dialog_context, pressed, options, _question_card(options))

    async def _take_pressed(
        self, dialog_context: DialogContext, pressed: PressedAnswer, options: PromptOptions, card: dict[str, Any] | None
    ) -> DialogTurnResult:
        """botbuilder's ``Prompt.continue_dialog`` for an ``Action.Execute`` press (it ignores all but messages)."""
        context = dialog_context.context
        state = dialog_context.active_dialog.state[self.persisted_state]
        recognized = await self.on_recognize(context, state, options)
        valid = recognized.succeeded
        if self._validator is not None:
            validator = cast(Callable[[PromptValidatorContext], Awaitable[bool]], self._validator)
            valid = await validator(PromptValidatorContext(context, recognized, state, options))
            options.number_of_attempts += 1
        if valid:
            taken = card_answer(answered_card(card, pressed.answer)) if card is not None else message_answer("Thanks.")
            context.turn_state[_PRESS_ANSWER] = taken
            return await dialog_context.end_dialog(recognized.value)
        if not context.responded:
            await self.on_prompt(context, state, options, True)
        context.turn_state[_PRESS_ANSWER] = message_answer(NOT_TAKEN)
        return Dialog.end_of_turn
