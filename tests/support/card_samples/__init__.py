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
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import dialogs
from bot.manifest_package import registered_commands
from classroom.catalogue.importer import import_catalogue
from classroom.demo.catalogue import demo_catalogue
from dialogs.cards.base import CardMessage
from dialogs.feature import Feature
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
    (a command, a cancel word, or the answer to an offer to leave a dialog: carry on, leave it), or, without a verb,
    its ``answer_key`` answers the question a dialog asked.
    ``Action.Execute`` arrives as an invoke, answered by the dispatcher's card-action registry by its verb."""

    commands: frozenset[str]
    card_actions: frozenset[str]
    answer_key: str | None


def answered_verbs(features: Sequence[Feature] | None = None) -> Verbs:
    """The verbs the bot answers, from the feature registry exactly as the running bot builds it."""
    from bot.features import FEATURES
    from dialogs.dispatcher import CANCEL_WORDS, CARRY_ON_WORDS, LEAVE_WORDS
    from dialogs.enquiries.answer_prompt import ANSWER_KEY
    from dialogs.registry import FeatureRegistry

    registry = FeatureRegistry(FEATURES if features is None else features)
    return Verbs(
        frozenset(registry.commands.commands) | CANCEL_WORDS | CARRY_ON_WORDS | LEAVE_WORDS,
        frozenset(registry.card_actions.handlers),
        ANSWER_KEY,
    )


def card_builders() -> set[str]:
    """Every card builder of the bot: each ``build_*`` function in ``dialogs`` that returns a ``CardMessage``."""
    found = set()
    for module_info in pkgutil.walk_packages(dialogs.__path__, prefix="dialogs."):
        module = importlib.import_module(module_info.name)
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if not name.startswith("build_") or function.__module__ != module.__name__:
                continue
            if inspect.signature(function).return_annotation in ("CardMessage", CardMessage):
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
