"""Everything a message can mean: an answer to a question in progress, a command, a card button,
or something we did not understand (which gets a suggestion, never silence)."""

from __future__ import annotations

import difflib
import logging

from botbuilder.core import InvokeResponse, StatePropertyAccessor, TurnContext
from botbuilder.dialogs import DialogContext, DialogSet, DialogTurnStatus

from classroom.catalogue.queries import search_courses
from dialogs import catalogue_commands, enquiry_card_actions, enquiry_commands, outbox_commands
from dialogs.card_actions import CardActionRouter
from dialogs.cards.course_list_card import build_course_list_card
from dialogs.cards.enquiry_offer_card import build_enquiry_offer_card
from dialogs.cards.welcome_card import build_welcome_card
from dialogs.enquiry_dialog import EnquiryDialog
from dialogs.enquiry_offer import looks_like_question
from dialogs.enrol_dialog import EnrolDialog
from dialogs.enrolment_commands import build_enrolment_router
from dialogs.enrolment_options import EnrolmentOptions
from dialogs.find_dialog import FindCoursesDialog
from dialogs.help_commands import help_router
from dialogs.messages import card_activity
from dialogs.routing import GROUP_CHAT, PERSONAL, TEAM, CommandRequest, Router
from dialogs.sender_roles import sender_roles
from dialogs.services import BotServices
from storage.models import Role

log = logging.getLogger(__name__)

CANCEL_WORDS = frozenset({"cancel", "stop", "quit", "exit"})
MAX_COMMAND_LENGTH = 1000

# Card buttons for flows that are not open in Teams yet: an honest answer instead of "unknown command".
_NOT_YET_OPEN: dict[str, str] = {}


def conversation_scope(turn_context: TurnContext) -> str:
    kind = (
        (turn_context.activity.conversation.conversation_type or PERSONAL)
        if turn_context.activity.conversation
        else PERSONAL
    )
    return {"personal": PERSONAL, "groupChat": GROUP_CHAT, "channel": TEAM}.get(kind, PERSONAL)


def _command_text(turn_context: TurnContext) -> tuple[str, bool]:
    """The command the person sent, and whether it came from a card button."""
    activity = turn_context.activity
    value = activity.value
    if isinstance(value, dict) and isinstance(value.get("verb"), str):
        # Card data comes back from the client: treat it exactly like typed text, nothing more.
        args = value.get("args")
        return f"{value['verb']} {args if isinstance(args, str) else ''}".strip(), True
    TurnContext.remove_recipient_mention(activity)
    return (activity.text or "").replace("\u00a0", " ").strip(), False


class MessageDispatcher:
    def __init__(
        self, services: BotServices, dialog_state: StatePropertyAccessor, enrolment: EnrolmentOptions | None = None
    ) -> None:
        self.services = services
        self.enrolment = enrolment or EnrolmentOptions()
        self.router = Router()
        self.router.include(catalogue_commands.router)
        self.router.include(outbox_commands.router)
        self.router.include(enquiry_commands.router)
        self.router.include(build_enrolment_router(self.enrolment))
        self.router.include(help_router(lambda request: self.router.visible_to(request.roles, request.scope)))
        self.dialogs = DialogSet(dialog_state)
        self.dialogs.add(FindCoursesDialog(services))
        self.dialogs.add(EnquiryDialog(services))
        self.dialogs.add(EnrolDialog(services, self.enrolment))
        self.card_actions = CardActionRouter()
        self.card_actions.include(enquiry_card_actions.router)

    async def roles(self, turn_context: TurnContext) -> frozenset[Role]:
        return await sender_roles(turn_context, self.services)

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
        if second and self.router.find(f"{name} {second}") is not None:
            return f"{name} {second}", rest.strip()
        return name, args

    async def on_card_action(self, turn_context: TurnContext) -> InvokeResponse:
        """An ``Action.Execute`` button (an ``adaptiveCard/action`` invoke); the answer replaces the card."""
        return await self.card_actions.handle(turn_context, self.services)

    async def _run(self, turn_context: TurnContext, dialog_context: DialogContext, name: str, args: str) -> None:
        roles = await self.roles(turn_context)
        scope = conversation_scope(turn_context)
        command = self.router.find(name)
        if command is None:
            await self._not_understood(turn_context, name, args, roles, scope)
            return
        if not command.allowed_for(roles):
            allowed = " or ".join(sorted(f"{role.value}s" for role in command.roles or ()))
            await turn_context.send_activity(f"Sorry, **{command.name}** is only for {allowed}.")
            return
        if scope not in command.scopes:
            await turn_context.send_activity(
                f"**{command.name}** works in our one-to-one chat. Message me directly to use it."
            )
            return
        request = CommandRequest(turn_context, dialog_context, self.services, args, roles, scope)
        await command.handler(request)

    async def _not_understood(
        self, turn_context: TurnContext, name: str, args: str, roles: frozenset[Role], scope: str
    ) -> None:
        lowered = name.lower()
        if lowered in _NOT_YET_OPEN:
            code = args.split()[0].upper()[:32] if args.split() else "a course"
            await turn_context.send_activity(_NOT_YET_OPEN[lowered].format(code=code))
            return
        phrase = f"{name} {args}".strip()
        async with self.services.session_factory() as session:
            matches = await search_courses(session, phrase, self.services.clock.now())
        if matches:
            await turn_context.send_activity(
                card_activity(
                    build_course_list_card(
                        matches,
                        self.services.zone,
                        title="Did you mean one of these?",
                        intro="I didn't recognise that as a command, but these courses match what you wrote.",
                    )
                )
            )
            return
        known = [c.name for c in self.router.visible_to(roles, scope)]
        close = difflib.get_close_matches(lowered, known, n=2, cutoff=0.6)
        if scope == PERSONAL and not close and looks_like_question(phrase):
            # A question we cannot answer may go to the training team: offered, never assumed.
            await turn_context.send_activity(card_activity(build_enquiry_offer_card(phrase)))
            return
        hint = f"Did you mean **{close[0]}**? " if close else ""
        await turn_context.send_activity(
            f"Sorry, I didn't understand that. {hint}Type **courses** to see what's on, **find** to search, "
            "or **help** for everything I can do."
        )

    async def welcome(self, turn_context: TurnContext, name: str = "") -> None:
        roles = await self.roles(turn_context)
        await turn_context.send_activity(
            card_activity(build_welcome_card(name, roles, conversation_scope(turn_context)))
        )
