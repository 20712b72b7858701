"""Everything an activity can mean, routed through the features' registry: an answer to a question in
progress, a command, a card button, a Teams event, or something we did not understand (which gets a
suggestion, never silence).

A command in the middle of a dialog is not swallowed as an answer: the question in front of the person says
what it means there (``dialogs/questions.py``), and the dialog is asked again after the command, offered to be
left for it, or left. A question's answer button (``dialogs.cards.answers``: an ``Action.Execute`` invoke, or its
``Action.Submit`` fallback) is always an answer, never a command: the question takes it if the button is its own
and refuses one of an earlier question. A dialog nobody has answered for ``DIALOG_TIMEOUT_HOURS`` is closed when
the person next writes or presses, and their message is read afresh.
"""

from __future__ import annotations

import difflib
import logging
from dataclasses import dataclass
from typing import cast

from botbuilder.core import InvokeResponse, StatePropertyAccessor, TurnContext
from botbuilder.dialogs import DialogContext, DialogSet, DialogState

from classroom.text import clean
from dialogs.answer_prompt import NO_QUESTION, is_answer_press, press_answer, pressed_answer
from dialogs.card_actions import message_answer
from dialogs.cards.formatting import short_time
from dialogs.cards.messages import card_activity
from dialogs.dialog_progress import DialogProgress, Offer, Progress
from dialogs.feature import EventHandler, EventRequest, NotUnderstood
from dialogs.leave_offer_card import CARRY_ON, LEAVE_IT, build_leave_offer_card
from dialogs.mentions import remove_bot_mention
from dialogs.questions import CommandHere, CommandMidQuestion, mid_question
from dialogs.registry import FeatureRegistry
from dialogs.resumable import ask_again, discard, topic_of
from dialogs.routing import GROUP_CHAT, PERSONAL, TEAM, Command, CommandRequest, Everyone, Invocation, plain_words
from dialogs.sender import sender_roles
from dialogs.services import Services
from dialogs.turn_dialog_context import TurnDialogContext
from storage.models import Role

log = logging.getLogger(__name__)

CANCEL_WORDS = frozenset({"cancel", "stop", "quit", "exit", "cancel it", "cancel that", "never mind", "forget it"})
CARRY_ON_WORDS = frozenset({CARRY_ON, "continue", "go on", "resume"})  # after an offer: stay in the dialog
LEAVE_WORDS = frozenset({LEAVE_IT, "leave"})  # after an offer: leave the dialog for the command
MAX_COMMAND_LENGTH = 1000
_SCOPES = {"personal": PERSONAL, "groupChat": GROUP_CHAT, "channel": TEAM}


def conversation_scope(turn_context: TurnContext) -> str:
    conversation = turn_context.activity.conversation
    return _SCOPES.get((conversation.conversation_type if conversation else None) or PERSONAL, PERSONAL)


@dataclass(frozen=True)
class Message:
    """What a message says, as a command would read it."""

    text: str
    from_card: bool  # sent by a card button (its data names a command): an explicit request, never an answer
    answer_button: bool = False  # sent by a question's answer button (``Action.Submit``): an answer, never a command

    @property
    def words(self) -> str:
        return plain_words(self.text)


def _message(turn_context: TurnContext) -> Message:
    activity = turn_context.activity
    value = activity.value
    if pressed_answer(turn_context) is not None:  # its answer is for the question, not to be read as a command
        return Message("", from_card=False, answer_button=True)
    if isinstance(value, dict) and isinstance(value.get("verb"), str):
        # Card data comes back from the client: treat it exactly like typed text, nothing more.
        args = value.get("args")
        typed, from_card = f"{value['verb']} {args if isinstance(args, str) else ''}", True
    elif activity.text:
        activity.text = remove_bot_mention(activity)  # what a dialog's question reads as the answer, too
        typed, from_card = activity.text, False
    else:  # a message with no text (an attachment, or a mention without words) has no command to strip
        typed, from_card = "", False
    return Message(clean(typed[:MAX_COMMAND_LENGTH].replace("\u00a0", " ")), from_card)


def _who_may(command: Command) -> str:
    roles = command.roles
    return "everyone" if isinstance(roles, Everyone) else " or ".join(sorted(f"{role.value}s" for role in roles))


def _joined(topics: list[str]) -> str:
    said = " and ".join(topics)
    return said[:1].upper() + said[1:]


class Dispatcher:
    def __init__(
        self,
        registry: FeatureRegistry,
        services: Services,
        dialog_state: StatePropertyAccessor,
        progress_state: StatePropertyAccessor,
    ) -> None:
        self.registry = registry
        self.services = services
        self.dialogs = DialogSet(dialog_state)
        self._dialog_state = dialog_state
        for dialog in registry.dialogs(services):
            self.dialogs.add(dialog)
        self.progress = DialogProgress(progress_state, services.clock, services.dialog_timeout)

    async def roles(self, turn_context: TurnContext) -> frozenset[Role]:
        return await sender_roles(turn_context, self.services.people)

    # -- messages -------------------------------------------------------------------------------------------

    async def on_message(self, turn_context: TurnContext) -> None:
        message = _message(turn_context)
        dialog_context, progress, offer, expired = await self._open(turn_context)
        if message.words in CANCEL_WORDS:
            if not expired:  # else closing it was all there was to cancel
                await self._cancel(dialog_context)
        elif dialog_context.active_dialog is None:
            await self._outside_dialog(dialog_context, message)
        elif message.answer_button:
            await dialog_context.continue_dialog()  # the question checks the button is its own
        else:
            await self._in_dialog(dialog_context, message, offer, progress)
        await self._close(dialog_context, progress)

    async def _open(self, turn_context: TurnContext) -> tuple[DialogContext, Progress, Offer | None, bool]:
        """This turn's dialogs and progress, with a dialog that waited too long closed (says so; True)."""
        dialog_context = await self._dialog_context(turn_context)
        progress = await self.progress.load(turn_context)
        offer, progress.offer = progress.offer, None  # an offer is taken up by the next message, or lapses
        expired = dialog_context.active_dialog is not None and self.progress.expired(progress)
        if expired:
            await self._close_expired(dialog_context, progress)
        return dialog_context, progress, offer, expired

    async def _dialog_context(self, turn_context: TurnContext) -> DialogContext:
        """``DialogSet.create_context``, for less: the memory scopes are built only if asked for, and a conversation
        with no dialog stored gets an empty stack that is stored only if a dialog starts on it (``_close``), so a
        one-shot command neither stores an empty stack nor has it to drop."""
        state = cast("DialogState | None", await self._dialog_state.get(turn_context))  # no default, none stored
        return TurnDialogContext(self.dialogs, turn_context, state if state is not None else DialogState())

    async def _close(self, dialog_context: DialogContext, progress: Progress) -> None:
        """Keep what this turn left: a dialog started on an empty stack is stored, and the progress recorded."""
        turn_context = dialog_context.context
        if dialog_context.stack and await self._dialog_state.get(turn_context) is None:
            await self._dialog_state.set(turn_context, DialogState(dialog_context.stack))
        await self.progress.save(turn_context, progress, in_dialog=bool(dialog_context.stack))

    async def _outside_dialog(self, dialog_context: DialogContext, message: Message) -> None:
        turn_context = dialog_context.context
        if message.from_card and message.words in CARRY_ON_WORDS | LEAVE_WORDS:  # a button of an old offer
            await turn_context.send_activity("That's all finished with. Type **help** to see what I can do.")
            return
        if message.answer_button:  # an answer button of a question no longer asked
            await turn_context.send_activity(NO_QUESTION)
            return
        if not message.text:
            await turn_context.send_activity("Type **help** to see what I can do.")
            return
        invocation = self.registry.commands.recognise(message.text)
        if invocation is None:
            await self._not_understood(dialog_context, message.text)
            return
        await self._run(dialog_context, invocation)

    async def _in_dialog(
        self, dialog_context: DialogContext, message: Message, offer: Offer | None, progress: Progress
    ) -> None:
        if message.words in CARRY_ON_WORDS | LEAVE_WORDS and (offer is not None or message.from_card):
            if offer is not None and message.words in LEAVE_WORDS:
                await self._leave_for(dialog_context, offer)
            else:  # carry on, or a button of an offer that has lapsed
                await ask_again(dialog_context)
            return
        retyped = offer is not None and message.text == offer.text  # offered, then typed again: it is the answer
        invocation = None if retyped else await self._command_here(dialog_context.context, message.text)
        if invocation is None:
            await dialog_context.continue_dialog()
            return
        meaning = await self._meaning_here(dialog_context, message)
        if meaning is None:
            return  # the question took it as its answer
        if meaning is CommandHere.OFFER_TO_LEAVE and not message.from_card and not invocation.whole_message:
            await dialog_context.continue_dialog()  # free text that starts with a command word: "book 12 places …"
            return
        if invocation.command.aside or (message.from_card and meaning is CommandHere.OFFER_TO_LEAVE):
            meaning = CommandHere.RUN_THEN_ASK_AGAIN  # an aside keeps the dialog; so does a button, explicitly
        if meaning is CommandHere.OFFER_TO_LEAVE:
            progress.offer = await self._offer(dialog_context, message, invocation)
        else:
            await self._run_in_dialog(dialog_context, invocation, leave=meaning is CommandHere.LEAVE_AND_RUN)

    async def _command_here(self, turn_context: TurnContext, text: str) -> Invocation | None:
        """The command a message in the middle of a dialog means: one this person may use here, typed with
        nothing after it unless it takes words ("courses for my team" is an answer, not ``courses``)."""
        invocation = self.registry.commands.recognise(text)
        if invocation is None or not invocation.exact:
            return None
        command = invocation.command
        here = conversation_scope(turn_context) in command.scopes
        return invocation if here and command.allowed_for(await self.roles(turn_context)) else None

    @staticmethod
    async def _meaning_here(dialog_context: DialogContext, message: Message) -> CommandHere | None:
        """Hand the message to the question in front of the person, telling it the message is also a command."""
        asked = CommandMidQuestion(from_button=message.from_card)
        mid_question(dialog_context.context, asked)
        try:
            await dialog_context.continue_dialog()
        finally:
            mid_question(dialog_context.context, None)
        return asked.meaning

    @staticmethod
    async def _offer(dialog_context: DialogContext, message: Message, invocation: Invocation) -> Offer:
        """Ask whether to leave the dialog for the command; returns the offer, kept for the answer to it."""
        name = invocation.command.name
        topic = topic_of(dialog_context, dialog_context.stack[0])
        await dialog_context.context.send_activity(card_activity(build_leave_offer_card(topic, name)))
        return Offer(message.text, name, invocation.args)

    async def _run_in_dialog(self, dialog_context: DialogContext, invocation: Invocation, *, leave: bool) -> None:
        """Run a command as if nothing were in progress; then the dialogs it interrupted come back underneath any
        it started (one of each kind: starting one again replaces it), or are asked again when it started none."""
        if leave:
            await discard(dialog_context, dialog_context.stack[0])
        paused = list(dialog_context.stack)
        dialog_context.stack.clear()
        await self._run(dialog_context, invocation)
        started = {instance.id for instance in dialog_context.stack}
        dialog_context.stack.extend(paused)
        for instance in paused:
            if instance.id in started:
                await discard(dialog_context, instance)
        if not started and dialog_context.stack:
            await ask_again(dialog_context)

    async def _leave_for(self, dialog_context: DialogContext, offer: Offer) -> None:
        command = self.registry.commands.commands.get(offer.command)
        if command is None:  # renamed since the offer was made
            await ask_again(dialog_context)
            return
        await self._run_in_dialog(dialog_context, Invocation(command, offer.args), leave=True)

    async def _cancel(self, dialog_context: DialogContext) -> None:
        turn_context = dialog_context.context
        if dialog_context.active_dialog is None:
            await turn_context.send_activity("There's nothing to cancel. Type **help** to see what I can do.")
            return
        await discard(dialog_context, dialog_context.active_dialog)
        if dialog_context.active_dialog is None:
            await turn_context.send_activity("Cancelled. Type **help** to see what I can do.")
            return
        await turn_context.send_activity("Cancelled.")
        await ask_again(dialog_context)  # the dialog it had interrupted

    async def _close_expired(self, dialog_context: DialogContext, progress: Progress) -> None:
        topics = [topic_of(dialog_context, instance) for instance in dialog_context.stack]
        await dialog_context.cancel_all_dialogs()
        since = f" since {short_time(progress.touched_at, self.services.zone)}" if progress.touched_at else ""
        await dialog_context.context.send_activity(
            f"Welcome back. {_joined(topics)} had waited for your answer{since}, so I closed "
            f"{'it' if len(topics) == 1 else 'them'}; nothing more was done. You can start again at any time."
        )

    async def _run(self, dialog_context: DialogContext, invocation: Invocation) -> None:
        turn_context = dialog_context.context
        roles = await self.roles(turn_context)
        scope = conversation_scope(turn_context)
        command = invocation.command
        if not command.allowed_for(roles):
            await turn_context.send_activity(f"Sorry, **{command.name}** is only for {_who_may(command)}.")
            return
        if scope not in command.scopes:
            where = (
                "our one-to-one chat. Message me directly to use it"
                if PERSONAL in command.scopes
                else "a group chat, meeting chat or channel: mention me there and type it"
            )
            await turn_context.send_activity(f"**{command.name}** works in {where}.")
            return
        await command.handler(self._request(dialog_context, invocation.args, roles, scope))

    def _request(self, dialog_context: DialogContext, args: str, roles: frozenset[Role], scope: str) -> CommandRequest:
        return CommandRequest(
            dialog_context.context, dialog_context, self.services, args, roles, scope, self.registry.commands
        )

    async def _not_understood(self, dialog_context: DialogContext, text: str) -> None:
        roles = await self.roles(dialog_context.context)
        scope = conversation_scope(dialog_context.context)
        request = self._request(dialog_context, "", roles, scope)
        commands = self.registry.commands
        names = commands.names_of(commands.visible_to(roles, scope))  # aliases too: "unenroll" is near "unenrol"
        first_word = text.split()[0].lower()
        near = difflib.get_close_matches(first_word, list(names), n=4, cutoff=0.6)
        near_misses = list(dict.fromkeys(names[word] for word in near))[:2]
        for fallback in self.registry.fallbacks:
            if await fallback(NotUnderstood(request, text, near_misses)):
                return
        hint = f"Did you mean **{near_misses[0]}**? " if near_misses else ""
        await request.say(
            f"Sorry, I didn't understand that. {hint}Type **courses** to see what's on, **find** to search, "
            "or **help** for everything I can do."
        )

    # -- buttons and events ---------------------------------------------------------------------------------

    async def on_card_action(self, turn_context: TurnContext) -> InvokeResponse:
        """An ``Action.Execute`` button (an ``adaptiveCard/action`` invoke); the answer replaces the card.

        An answer button goes to the question in progress as its answer (never as a command), as a typed answer
        would, and counts as answering the dialog (its timeout starts again); the others go to the feature that
        registered their verb."""
        if not is_answer_press(turn_context):
            return await self.registry.card_actions.handle(turn_context, self.services)
        dialog_context, progress, _offer, _expired = await self._open(turn_context)
        if dialog_context.active_dialog is None:
            answer = message_answer(NO_QUESTION)
        else:
            await dialog_context.continue_dialog()
            answer = press_answer(turn_context)
        await self._close(dialog_context, progress)
        return answer

    async def on_installed(self, turn_context: TurnContext) -> None:
        await self._event(turn_context, self.registry.on_installed)

    async def on_added(self, turn_context: TurnContext) -> None:
        await self._event(turn_context, self.registry.on_added)

    async def on_uninstalled(self, turn_context: TurnContext) -> None:
        await self._event(turn_context, self.registry.on_uninstalled)

    async def on_members_joined(self, turn_context: TurnContext) -> None:
        await self._event(turn_context, self.registry.on_members_joined)

    async def on_meeting_started(self, turn_context: TurnContext) -> None:
        await self._event(turn_context, self.registry.on_meeting_started)

    async def on_meeting_ended(self, turn_context: TurnContext) -> None:
        await self._event(turn_context, self.registry.on_meeting_ended)

    async def on_participants_joined(self, turn_context: TurnContext) -> None:
        await self._event(turn_context, self.registry.on_participants_joined)

    async def on_participants_left(self, turn_context: TurnContext) -> None:
        await self._event(turn_context, self.registry.on_participants_left)

    async def _event(self, turn_context: TurnContext, handlers: list[EventHandler]) -> None:
        if not handlers:
            return
        request = EventRequest(turn_context, self.services, conversation_scope(turn_context), self.registry.commands)
        for handler in handlers:
            await handler(request)
