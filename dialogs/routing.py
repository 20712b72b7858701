"""Commands people type (or send with a card button), one router per feature.

Every command says who may use it (``roles=EVERYONE`` or the roles that may) and where (``scopes``): there is no
default, so a command cannot be added without a role rule. The routers are the single source of truth for
routing, ``help`` and the app manifest's command lists.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Final

from botbuilder.dialogs import DialogContext

from dialogs.cards.base import CardMessage
from dialogs.cards.messages import card_activity
from dialogs.sender import SentByPerson
from dialogs.services import Services
from storage.models import Role

PERSONAL, GROUP_CHAT, TEAM = "personal", "groupChat", "team"
ALL_SCOPES = frozenset({PERSONAL, GROUP_CHAT, TEAM})


@dataclass(frozen=True)
class Everyone:
    """The role rule of a command anyone may use (participants we have never met included)."""

    def __repr__(self) -> str:
        return "EVERYONE"


EVERYONE: Final = Everyone()
RoleRule = Everyone | Iterable[Role]


@dataclass(frozen=True)
class CommandRequest(SentByPerson):
    """One command to run: who asked, where, and the words after the command name."""

    dialog_context: DialogContext
    services: Services
    args: str
    roles: frozenset[Role]
    scope: str
    commands: Router  # every feature's commands (for help)

    async def say(self, words: str) -> None:
        await self.turn_context.send_activity(words)

    async def show(self, message: CardMessage) -> None:
        await self.turn_context.send_activity(card_activity(message))


Handler = Callable[[CommandRequest], Awaitable[None]]


@dataclass(frozen=True)
class Command:
    name: str
    usage: str
    description: str
    handler: Handler
    roles: frozenset[Role] | Everyone
    scopes: frozenset[str] = ALL_SCOPES

    @property
    def for_everyone(self) -> bool:
        return isinstance(self.roles, Everyone)

    def allowed_for(self, roles: Iterable[Role]) -> bool:
        return isinstance(self.roles, Everyone) or bool(self.roles & set(roles))


@dataclass
class Router:
    commands: dict[str, Command] = field(default_factory=dict)

    def command(
        self,
        name: str,
        *,
        roles: RoleRule,
        description: str,
        usage: str | None = None,
        scopes: Iterable[str] = ALL_SCOPES,
    ) -> Callable[[Handler], Handler]:
        rule = roles if isinstance(roles, Everyone) else frozenset(roles)
        if not rule:
            raise ValueError(f"command {name!r}: no role may use it; give roles=EVERYONE or the roles that may")
        scopes = frozenset(scopes)
        if not scopes or not scopes <= ALL_SCOPES:
            raise ValueError(f"command {name!r}: scopes must be some of {sorted(ALL_SCOPES)}")
        if name != name.lower() or not name.strip():
            raise ValueError(f"command {name!r}: names are lower case")

        def register(handler: Handler) -> Handler:
            self.add(Command(name, usage or name, description, handler, rule, scopes))
            return handler

        return register

    def add(self, command: Command) -> None:
        if command.name in self.commands:
            raise ValueError(f"command {command.name!r} registered twice")
        self.commands[command.name] = command

    def include(self, other: Router) -> None:
        for command in other.commands.values():
            self.add(command)

    def find(self, name: str) -> Command | None:
        return self.commands.get(name.lower())

    def visible_to(self, roles: Iterable[Role], scope: str) -> list[Command]:
        roles = set(roles)
        return [c for c in self.commands.values() if c.allowed_for(roles) and scope in c.scopes]
