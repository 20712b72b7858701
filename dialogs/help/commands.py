"""``help``: the commands this person can use here, from every feature's registry."""

from __future__ import annotations

from dialogs.help.card import build_help_card
from dialogs.routing import EVERYONE, CommandRequest, Router

router = Router()


@router.command(
    "help",
    roles=EVERYONE,
    description="Show what I can do",
    aliases=("commands", "menu"),
    phrases=(r"what can (?:you|i) do(?: here)?", r"how does (?:this|it) work", r"help me(?: please)?"),
    aside=True,  # answered in the middle of a question, which is then asked again
)
async def show_help(request: CommandRequest) -> None:
    await request.show(build_help_card(request.commands.visible_to(request.roles, request.scope), request.scope))
