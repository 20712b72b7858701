"""Commands people type (or send with a card button), one router per feature.

Every command says who may use it (``roles=EVERYONE`` or the roles that may) and where (``scopes``): there is no
default, so a command cannot be added without a role rule. The routers are the single source of truth for
routing, ``help`` and the app manifest's command lists. A command may also be typed in people's own words: its
``aliases`` (other names) and ``phrases`` (whole messages) stay beside it in its feature and are never listed.
"""

from __future__ import annotations

import re
from collections import OrderedDict
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
    """Attributes:
    name: what people type, and what ``help`` and the app's command menu show.
    aliases: other names people type for it ("book" for ``enrol``), followed by the same arguments; never listed.
    phrases: whole messages that mean it ("what time is my course?"); a group named ``args`` gives its arguments.
    listed: shown in ``help`` and the command menu (a greeting is understood, not listed).
    aside: a quick answer (``help``, a greeting) that may be given in the middle of a dialog's question without
        leaving it: the question is asked again afterwards, even where the question takes free text.
    """

    name: str
    usage: str
    description: str
    handler: Handler
    roles: frozenset[Role] | Everyone
    scopes: frozenset[str] = ALL_SCOPES
    aliases: tuple[str, ...] = ()
    phrases: tuple[re.Pattern[str], ...] = ()
    listed: bool = True
    aside: bool = False

    @property
    def for_everyone(self) -> bool:
        return isinstance(self.roles, Everyone)

    @property
    def takes_args(self) -> bool:
        return self.usage != self.name

    def allowed_for(self, roles: Iterable[Role]) -> bool:
        return isinstance(self.roles, Everyone) or bool(self.roles & set(roles))


@dataclass(frozen=True)
class Invocation:
    """A message understood as a command: which one, the words it gets (as typed), and whether the whole message
    named it (a name, an alias or a phrase) rather than only its first words ("find out whether …")."""

    command: Command
    args: str = ""
    whole_message: bool = True

    @property
    def exact(self) -> bool:
        """Nothing but the command: no words after a command that takes none ("courses for my team" is not)."""
        return not self.args or self.command.takes_args

    @property
    def text(self) -> str:
        """The command as its canonical name would type it."""
        return f"{self.command.name} {self.args}".strip()


_CLOSING_PUNCTUATION = "?!.,;: "


def _matchable(text: str) -> str:
    """Typed text as phrases are matched: single spaces, straight apostrophes."""
    return " ".join(text.replace("\u2019", "'").replace("\u2018", "'").split())


def plain_words(text: str) -> str:
    """A message as a word list compares it: lower case, single spaces, no closing punctuation ("Cancel!")."""
    return _matchable(text).rstrip(_CLOSING_PUNCTUATION).lower()


# Messages whose reading is kept (``Router.recognise``): people send the same few commands over and over ("courses",
# "course PERM4"). Only a command alone or with one code-like word is kept: any other text may be a person's own
# words (an answer to a question, a reason), which the bot must not hold on to where erasing cannot reach.
RECOGNISED_KEPT = 512
_KEPT_ARGUMENT = re.compile(r"[A-Za-z0-9-]{0,32}")


def _phrase(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?:{pattern})[{re.escape(_CLOSING_PUNCTUATION)}]*", re.IGNORECASE)


@dataclass
class Router:
    commands: dict[str, Command] = field(default_factory=dict)
    _names: dict[str, Command] = field(default_factory=dict, repr=False)  # every name and alias, lower case
    # What recent messages were read as (least recently used last out); forgotten when a command is added.
    _recognised: OrderedDict[str, Invocation] = field(default_factory=OrderedDict, repr=False)

    def command(
        self,
        name: str,
        *,
        roles: RoleRule,
        description: str,
        usage: str | None = None,
        scopes: Iterable[str] = ALL_SCOPES,
        aliases: Iterable[str] = (),
        phrases: Iterable[str] = (),
        listed: bool = True,
        aside: bool = False,
    ) -> Callable[[Handler], Handler]:
        rule = roles if isinstance(roles, Everyone) else frozenset(roles)
        if not rule:
            raise ValueError(f"command {name!r}: no role may use it; give roles=EVERYONE or the roles that may")
        scopes = frozenset(scopes)
        if not scopes or not scopes <= ALL_SCOPES:
            raise ValueError(f"command {name!r}: scopes must be some of {sorted(ALL_SCOPES)}")
        aliases = tuple(aliases)
        for word in (name, *aliases):
            if word != word.lower() or word != " ".join(word.split()) or not word:
                raise ValueError(f"command {name!r}: names and aliases are lower case, single-spaced: {word!r}")
        compiled = tuple(_phrase(pattern) for pattern in phrases)

        def register(handler: Handler) -> Handler:
            self.add(Command(name, usage or name, description, handler, rule, scopes, aliases, compiled, listed, aside))
            return handler

        return register

    def add(self, command: Command) -> None:
        if command.name in self.commands:
            raise ValueError(f"command {command.name!r} registered twice")
        for word in (command.name, *command.aliases):
            if word in self._names:
                raise ValueError(f"{word!r} names both {self._names[word].name!r} and {command.name!r}")
        self.commands[command.name] = command
        self._names.update(dict.fromkeys((command.name, *command.aliases), command))
        self._recognised.clear()

    def include(self, other: Router) -> None:
        for command in other.commands.values():
            self.add(command)

    def recognise(self, text: str) -> Invocation | None:
        """The command a message means, or None.

        In order: the whole message is a name or an alias ("my courses", "bookings?"); a command's phrase matches
        the whole message ("cancel my place on PERM4"); the message starts with a name or an alias, the longest
        first ("my courses" before "my"), and the rest are its arguments, exactly as typed.

        A message read recently is not read again: the router does not change once built (adding a command
        forgets every reading), so the same text always means the same invocation, and an invocation is
        immutable, so one can be shared by every turn that sent that text.
        """
        kept = self._recognised
        if text in kept:
            kept.move_to_end(text)
            return kept[text]
        invocation = self._recognise(text)
        if invocation is not None and _KEPT_ARGUMENT.fullmatch(invocation.args):
            kept[text] = invocation
            if len(kept) > RECOGNISED_KEPT:
                kept.popitem(last=False)
        return invocation

    def _recognise(self, text: str) -> Invocation | None:
        said = _matchable(text)
        whole = self._names.get(plain_words(said))
        if whole is not None:
            return Invocation(whole)
        for command in self.commands.values():
            for phrase in command.phrases:
                found = phrase.fullmatch(said)
                if found is not None:
                    return Invocation(command, (found.groupdict().get("args") or "").strip())
        words = list(re.finditer(r"\S+", text))
        longest = max((len(name.split()) for name in self._names), default=0)
        for count in range(min(len(words), longest), 0, -1):
            named = self._names.get(" ".join(word.group() for word in words[:count]).lower())
            if named is not None:
                return Invocation(named, text[words[count - 1].end() :].strip(), whole_message=False)
        return None

    def names_of(self, commands: Iterable[Command]) -> dict[str, str]:
        """Every name and alias of ``commands``, to its command's name (for "did you mean")."""
        return {word: command.name for command in commands for word in (command.name, *command.aliases)}

    def visible_to(self, roles: Iterable[Role], scope: str) -> list[Command]:
        """The listed commands these roles may use here (what ``help`` shows)."""
        roles = set(roles)
        return [c for c in self.commands.values() if c.listed and c.allowed_for(roles) and scope in c.scopes]
