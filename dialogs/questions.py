"""The questions dialogs ask, and what a command typed in answer to one means.

People type commands in the middle of a dialog: ``courses`` to look up a code while an enquiry asks which
course, ``help``, ``my courses``. Whether that is an answer depends on the question, so each question says what
it takes and the dispatcher acts on it (``dialogs/dispatcher.py``):

- A question with a closed set of answers (choices, course codes, a number, an email address) takes a message
  that is one of them as its answer, even when it is also a command word ("courses" where it asks which field
  to change). Any other command runs, and the question is asked again after it.
- A question that takes free text (a name, a message to the training team) might be given any words, so only a
  message that is nothing but a command ("courses", "what time is my course?") is taken for one, and even then
  only offered: "You're in the middle of your enquiry: carry on, or leave it and go to courses?". Text that
  merely starts with a command word ("courses for my team", "book 12 places in March") is an answer.
- A free-text question with nothing at stake (a search's only question) gives way: the command runs instead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum

from botbuilder.core import TurnContext
from botbuilder.dialogs import Dialog, DialogContext, DialogTurnResult
from botbuilder.dialogs.prompts import PromptValidatorContext, TextPrompt

Check = Callable[[PromptValidatorContext], Awaitable[bool]]
_TURN_KEY = "classroom.command_mid_question"


class CommandHere(Enum):
    """What a command typed (or sent by a button) while a question waits means there."""

    RUN_THEN_ASK_AGAIN = "run"  # the question's answers are known and this is none of them
    OFFER_TO_LEAVE = "offer"  # the question takes free text: the command may be the answer
    LEAVE_AND_RUN = "leave"  # nothing is lost by leaving the dialog for it


@dataclass
class CommandMidQuestion:
    """Handed to the question in front of the person (in the turn state) when their message is also a command.

    ``meaning`` stays None when the question took the message as its answer.
    """

    from_button: bool
    meaning: CommandHere | None = None


def mid_question(turn_context: TurnContext, command: CommandMidQuestion | None) -> None:
    """Show ``command`` to the question this turn's message reaches (None: the message is no command)."""
    if command is None:
        turn_context.turn_state.pop(_TURN_KEY, None)
    else:
        turn_context.turn_state[_TURN_KEY] = command


class Question(TextPrompt):
    """A question of a dialog, answered by typing (suggested replies type too).

    ``answers``: for a question with a closed set of answers, whether a message is one of them, without replying
    (it sets the recognised value, like a validator). Without it the question takes free text. ``gives_way``: a
    free-text question where leaving loses nothing the person gave, so a command runs instead of being offered.
    """

    def __init__(self, dialog_id: str, validator: Check, *, answers: Check | None = None, gives_way: bool = False):
        super().__init__(dialog_id, validator)
        self._answers = answers
        self._gives_way = gives_way

    async def continue_dialog(self, dialog_context: DialogContext) -> DialogTurnResult:
        command = dialog_context.context.turn_state.get(_TURN_KEY)
        if not isinstance(command, CommandMidQuestion):
            return await super().continue_dialog(dialog_context)
        if self._answers is not None and not command.from_button:
            instance = dialog_context.active_dialog
            state, options = instance.state[self.persisted_state], instance.state[self.persisted_options]
            recognized = await self.on_recognize(dialog_context.context, state, options)
            check = PromptValidatorContext(dialog_context.context, recognized, state, options)
            if recognized.succeeded and await self._answers(check):
                return await dialog_context.end_dialog(check.recognized.value)
        command.meaning = self._meaning_of_a_command()
        return Dialog.end_of_turn

    def _meaning_of_a_command(self) -> CommandHere:
        if self._answers is not None:
            return CommandHere.RUN_THEN_ASK_AGAIN
        return CommandHere.LEAVE_AND_RUN if self._gives_way else CommandHere.OFFER_TO_LEAVE
