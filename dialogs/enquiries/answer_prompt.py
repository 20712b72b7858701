"""A text prompt that also takes its answer from a card button (``{"args": answer}``, no ``verb``)."""

from __future__ import annotations

from botbuilder.core import TurnContext
from botbuilder.dialogs.prompts import PromptOptions, PromptRecognizerResult

from dialogs.enquiries.cards.prompt import ANSWER_KEY
from dialogs.questions import Question

__all__ = ["ANSWER_KEY", "AnswerPrompt", "button_answer"]  # ANSWER_KEY: the data key of answer buttons


def button_answer(turn_context: TurnContext) -> str | None:
    value = turn_context.activity.value
    if isinstance(value, dict) and "verb" not in value and isinstance(value.get(ANSWER_KEY), str):
        return value[ANSWER_KEY]
    return None


class AnswerPrompt(Question):
    """Typed text, or the answer of a pressed button; the validator decides what is acceptable."""

    async def on_recognize(
        self, turn_context: TurnContext, state: dict[str, object], options: PromptOptions
    ) -> PromptRecognizerResult:
        pressed = button_answer(turn_context)
        if pressed is not None:
            return PromptRecognizerResult(succeeded=True, value=pressed)
        return await super().on_recognize(turn_context, state, options)
