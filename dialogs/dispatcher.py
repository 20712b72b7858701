"""Everything an activity can mean, routed through the features' registry: an answer to a question in
progress, a command, a card button, a Teams event, or something we did not understand (which gets a
suggestion, never silence)."""

from __future__ import annotations

import difflib
import logging

from botbuilder.core import InvokeResponse, StatePropertyAccessor, TurnContext
from botbuilder.dialogs import DialogContext, DialogSet, DialogTurnStatus

from dialogs.feature import EventHandler, EventRequest, NotUnderstood
from dialogs.registry import FeatureRegistry
from dialogs.routing import GROUP_CHAT, PERSONAL, TEAM, Command, CommandRequest, Everyone
from dialogs.sender import sender_roles
from dialogs.services import Services
from storage.models import Role

log = logging.getLogger(__name__)

CANCEL_WORDS = frozenset({"cancel", "stop", "quit", "exit"})
MAX_COMMAND_LENGTH = 1000
_SCOPES = {"personal": PERSONAL, "groupChat": GROUP_CHAT, "channel": TEAM}


def conversation_scope(turn_context: TurnContext) -> str:
    conversation = turn_context.activity.conversation
    return _SCOPES.get((conversation.conversation_type if conversation else None) or PERSONAL, PERSONAL)


def _command_text(turn_context: TurnContext) -> tuple[str, bool]:
    """The command the person sent, and whether it came from a card button."""
    activity = turn_context.activity
    value = activity.value
    if isinstance(value, dict) and isinstance(value.get("verb"), str):
        # Card data comes back from the client: treat it exactly like typed text, nothing more.
        args = value.get("args")
        return f"{value['verb']} {args if isinstance(args, str) else ''}".strip(), True
    if not activity.text:
        return "", False
    TurnContext.remove_recipient_mention(activity)
    return (activity.text or "").replace("\u00a0", " ").strip(), False


def _who_may(command: Command) -> str:
    roles = command.roles
    return "everyone" if isinstance(roles, Everyone) else " or ".join(sorted(f"{role.value}s" for role in roles))


class Dispatcher:
    def __init__(self, registry: FeatureRegistry, services: Services, dialog_state: StatePropertyAccessor) -> None:
        self.registry = registry
        self.services = services
        self.dialogs = DialogSet(dialog_state)
        for dialog in registry.dialogs(services):
            self.dialogs.add(dialog)

    async def roles(self, turn_context: TurnContext) -> frozenset[Role]:
        return await sender_roles(turn_context, self.services.people)

    # -- messages -------------------------------------------------------------------------------------------

    async def on_message(self, turn_context: TurnContext) -> None:
        text, from_card = _command_text(turn_context)
        text = text[:MAX_COMMAND_LENGTH]
        dialog_context = await self.dialogs.create_context(turn_context)

        if text.lower() in CANCEL_WORDS:
            if dialog_context.active_dialog is not None:
                await dialog_context.cancel_all_dialogs()
                await turn_context.send_activity("Cancelled. Type **help** to see what I can do.")
            else:
                await turn_context.send_activity("There's nothing to cancel. Type **help** to see what I can do.")
            return

        if dialog_context.active_dialog is not None:
            if not from_card:
                result = await dialog_context.continue_dialog()
                if result.status != DialogTurnStatus.Empty:
                    return
            else:
                await dialog_context.cancel_all_dialogs()  # a button press is a new, explicit request

        if not text:
            await turn_context.send_activity("Type **help** to see what I can do.")
            return
        name, _, args = text.partition(" ")
        name, args = self._two_word_command(name, args.strip())
        await self._run(turn_context, dialog_context, name, args)

    def _two_word_command(self, name: str, args: str) -> tuple[str, str]:
        """A registered two-word name ("my enquiries") wins over a command named by its first word."""
        second, _, rest = args.partition(" ")
        if second and self.registry.commands.find(f"{name} {second}") is not None:
            return f"{name} {second}", rest.strip()
        return name, args

    async def _run(self, turn_context: TurnContext, dialog_context: DialogContext, name: str, args: str) -> None:
        roles = await self.roles(turn_context)
        scope = conversation_scope(turn_context)
        request = CommandRequest(
            turn_context, dialog_context, self.services, args, roles, scope, self.registry.commands
        )
        command = self.registry.commands.find(name)
        if command is None:
            await self._not_understood(request, name)
            return
        if not command.allowed_for(roles):
            await turn_context.send_activity(f"Sorry, **{command.name}** is only for {_who_may(command)}.")
            return
        if scope not in command.scopes:
            await turn_context.send_activity(
                f"**{command.name}** works in our one-to-one chat. Message me directly to use it."
            )
            return
        await command.handler(request)

    async def _not_understood(self, request: CommandRequest, name: str) -> None:
        known = [c.name for c in self.registry.commands.visible_to(request.roles, request.scope)]
        near_misses = difflib.get_close_matches(name.lower(), known, n=2, cutoff=0.6)
        message = NotUnderstood(request, f"{name} {request.args}".strip(), near_misses)
        for fallback in self.registry.fallbacks:
            if await fallback(message):
                return
        hint = f"Did you mean **{near_misses[0]}**? " if near_misses else ""
        await request.say(
            f"Sorry, I didn't understand that. {hint}Type **courses** to see what's on, **find** to search, "
            "or **help** for everything I can do."
        )

    # -- buttons and events ---------------------------------------------------------------------------------

    async def on_card_action(self, turn_context: TurnContext) -> InvokeResponse:
        """An ``Action.Execute`` button (an ``adaptiveCard/action`` invoke); the answer replaces the card."""
        return await self.registry.card_actions.handle(turn_context, self.services)

    async def on_installed(self, turn_context: TurnContext) -> None:
        await self._event(turn_context, self.registry.on_installed)

    async def on_added(self, turn_context: TurnContext) -> None:
        await self._event(turn_context, self.registry.on_added)

    async def on_uninstalled(self, turn_context: TurnContext) -> None:
        await self._event(turn_context, self.registry.on_uninstalled)

    async def _event(self, turn_context: TurnContext, handlers: list[EventHandler]) -> None:
        if not handlers:
            return
        request = EventRequest(
            turn_context,
            self.services,
            await self.roles(turn_context),
            conversation_scope(turn_context),
            self.registry.commands,
        )
        for handler in handlers:
            await handler(request)
