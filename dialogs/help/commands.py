"""``help``: the commands this person can use here, from every feature's registry."""

from __future__ import annotations

from dialogs.cards.base import CardMessage
from dialogs.help.card import build_help_card
from dialogs.routing import EVERYONE, CommandRequest, Router
from storage.models import Role

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
    await request.show(_help_card(request.commands, request.roles, request.scope))


# The card depends only on the registry, the asker's roles and the scope, so each is built once (cards are never
# changed once built). Keyed by the registry's identity and size: a registry is complete before the bot serves.
_KEPT_MAX = 64
_kept: dict[tuple[int, int, frozenset[Role], str], tuple[Router, CardMessage]] = {}


def _help_card(commands: Router, roles: frozenset[Role], scope: str) -> CardMessage:
    key = (id(commands), len(commands.commands), roles, scope)
    kept = _kept.get(key)
    if kept is None or kept[0] is not commands:
        if len(_kept) >= _KEPT_MAX:
            _kept.clear()
        kept = _kept[key] = (commands, build_help_card(commands.visible_to(roles, scope), scope))
    return kept[1]
