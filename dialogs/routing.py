"""Commands people type (or send with a card button), collected from one router per feature.

The command list is the single source of truth for routing, ``help`` and the app manifest's command lists.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

from botbuilder.core import TurnContext
from botbuilder.dialogs import DialogContext

from dialogs.services import BotServices
from storage.models import Role

PERSONAL, GROUP_CHAT, TEAM = "personal", "groupChat", "team"
ALL_SCOPES = frozenset({PERSONAL, GROUP_CHAT, TEAM})


@dataclass
class CommandRequest:
    """One command to run: who asked, where, and the words after the command name."""

    turn_context: TurnContext
    dialog_context: DialogContext
    services: BotServices
    args: str
    roles: frozenset[Role]
    scope: str


Handler = Callable[[CommandRequest], Awaitable[None]]


@dataclass(frozen=True)
class Command:
    name: str
    usage: str
    description: str
    handler: Handler
    roles: frozenset[Role] | None = None  # None: anyone
    scopes: frozenset[str] = ALL_SCOPES

    def allowed_for(self, roles: Iterable[Role]) -> bool:
        return self.roles is None or bool(self.roles & set(roles))


@dataclass
class Router:
    commands: dict[str, Command] = field(default_factory=dict)

    def command(
        self,
        name: str,
        *,
        usage: str | None = None,
        description: str,
        roles: Iterable[Role] | None = None,
        scopes: Iterable[str] = ALL_SCOPES,
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            if name in self.commands:
                raise ValueError(f"command {name!r} registered twice")
            self.commands[name] = Command(
                name,
                usage or name,
                description,
                handler,
                frozenset(roles) if roles is not None else None,
                frozenset(scopes),
            )
            return handler

        return register

    def include(self, other: Router) -> None:
        for command in other.commands.values():
            if command.name in self.commands:
                raise ValueError(f"command {command.name!r} registered twice")
            self.commands[command.name] = command

    def find(self, name: str) -> Command | None:
        return self.commands.get(name.lower())

    def visible_to(self, roles: Iterable[Role], scope: str) -> list[Command]:
        roles = set(roles)
        return [c for c in self.commands.values() if c.allowed_for(roles) and scope in c.scopes]
