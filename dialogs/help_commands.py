"""``help``: the commands this person can use here."""

from __future__ import annotations

from collections.abc import Callable

from dialogs.cards.help_card import build_help_card
from dialogs.messages import card_activity
from dialogs.routing import Command, CommandRequest, Router


def help_router(all_commands: Callable[[CommandRequest], list[Command]]) -> Router:
    router = Router()

    @router.command("help", description="Show what I can do")
    async def show_help(request: CommandRequest) -> None:
        await request.turn_context.send_activity(card_activity(build_help_card(all_commands(request), request.scope)))

    return router
