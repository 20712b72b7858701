"""Real examples of every card the bot can send, for the card tests (validation and rendering).

Each module in this package covers one feature's cards with ``async def samples(context) -> list[CardSample]``;
modules are found automatically, so a feature adds its own file here. ``card_builders()`` lists every
``build_*`` function of ``dialogs.cards``: a builder with no sample fails the card tests, so every card the bot
can send is checked.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import pkgutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import dialogs.cards
from bot.manifest_package import registered_commands
from classroom.catalogue.importer import import_catalogue
from classroom.demo.catalogue import demo_catalogue
from dialogs.cards.base import CardMessage
from dialogs.routing import Router
from storage.engine import create_engine, create_session_factory
from storage.migrate import upgrade


@dataclass(frozen=True)
class CardSample:
    name: str  # e.g. "course_details/PERM4"
    builder: str  # the dialogs.cards function that made it
    message: CardMessage


@dataclass(frozen=True)
class SampleContext:
    """A migrated SQLite database holding the demo catalogue as of ``now``, and the bot's command registry."""

    session_factory: async_sessionmaker[AsyncSession]
    now: datetime
    zone: ZoneInfo
    router: Router


SampleMaker = Callable[[SampleContext], Awaitable[list[CardSample]]]
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Verbs:
    """What card buttons may send. ``Action.Submit`` arrives as a message: its data's ``verb`` is run as if typed
    (a command or a cancel word), or, without a verb, its ``answer_key`` answers the question a dialog asked.
    ``Action.Execute`` arrives as an invoke, answered by the dispatcher's card-action registry by its verb."""

    commands: frozenset[str]
    card_actions: frozenset[str]
    answer_key: str | None


def answered_verbs() -> Verbs:
    """The verbs the bot answers, from the dispatcher exactly as the running bot builds it."""
    from botbuilder.core import ConversationState, MemoryStorage

    import dialogs.dispatcher
    from classroom.clock import SystemClock
    from dialogs.services import BotServices

    services = BotServices(None, SystemClock(), ZoneInfo("UTC"))  # type: ignore[arg-type]
    dispatcher = dialogs.dispatcher.MessageDispatcher(services, ConversationState(MemoryStorage()).create_property("s"))
    not_yet_open = getattr(dialogs.dispatcher, "_NOT_YET_OPEN", {})  # buttons of flows not open yet: an honest answer
    cancel_words: frozenset[str] = getattr(dialogs.dispatcher, "CANCEL_WORDS", frozenset())
    card_actions = getattr(getattr(dispatcher, "card_actions", None), "handlers", {})
    try:
        answer_key = importlib.import_module("dialogs.answer_prompt").ANSWER_KEY
    except (ImportError, AttributeError):
        answer_key = None
    return Verbs(
        frozenset(dispatcher.router.commands) | frozenset(not_yet_open) | frozenset(cancel_words),
        frozenset(card_actions),
        answer_key,
    )


def card_builders() -> set[str]:
    """Every ``build_*`` function defined in a ``dialogs.cards`` module."""
    found = set()
    for module_info in pkgutil.iter_modules(dialogs.cards.__path__):
        module = importlib.import_module(f"dialogs.cards.{module_info.name}")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("build_") and function.__module__ == module.__name__:
                found.add(name)
    return found


def sample_makers() -> dict[str, SampleMaker]:
    makers = {}
    for module_info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        makers[module_info.name] = module.samples
    return makers


async def _all_samples(database: Path) -> list[CardSample]:
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    try:
        await upgrade(engine)
        session_factory = create_session_factory(engine)
        async with session_factory.begin() as session:
            await import_catalogue(session, demo_catalogue(NOW.date()))
        context = SampleContext(session_factory, NOW, ZoneInfo("Europe/London"), registered_commands())
        samples: list[CardSample] = []
        for make in sample_makers().values():
            samples.extend(await make(context))
        return samples
    finally:
        await engine.dispose()


def build_card_samples(workdir: Path) -> list[CardSample]:
    """Every sample of every feature, built against a fresh SQLite database in ``workdir``."""
    samples = asyncio.run(_all_samples(workdir / "cards.sqlite3"))
    names = [sample.name for sample in samples]
    assert len(names) == len(set(names)), f"card sample names must be unique: {sorted(names)}"
    return samples
