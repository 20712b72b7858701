"""A tiny feature built the way README's "How to add a feature" describes: a command, a card button, a
notification kind and a periodic job. The feature tests add it to the host's list and find each part wired.

In the product each part has its own file (``classroom/greetings/notices.py``, ``dialogs/greetings/commands.py``,
``dialogs/greetings/cards.py`` ...); here they share one so the tests can read it at a glance.
"""

from __future__ import annotations

from typing import ClassVar
from zoneinfo import ZoneInfo

from botbuilder.core import InvokeResponse
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.clock import Clock
from classroom.outbox import Notice, enqueue
from classroom.periodic import PeriodicJob
from dialogs.card_actions import CardActionRequest, CardActionRouter, card_answer
from dialogs.cards.base import CardMessage, card, execute, text
from dialogs.feature import Feature, Job, Notification
from dialogs.routing import EVERYONE, CommandRequest, Router
from dialogs.services import Services

WAVE = "greetings.wave"
GREETINGS_CHAT = "19:greetings@thread.v2"


class WaveNotice(Notice):
    """What the feature puts in the outbox (classroom/greetings/notices.py)."""

    KIND: ClassVar[str] = WAVE
    name: str


def morning_wave(clock: Clock) -> PeriodicJob:
    """A periodic job: it runs in the transaction that claims its period, once across all replicas."""

    async def job(session: AsyncSession) -> None:
        now = clock.now()
        key = f"greetings-wave:{now.date().isoformat()}"
        await enqueue(session, WaveNotice(name="everyone"), due_at=now, dedupe_key=key, conversation_key=GREETINGS_CHAT)

    return job


def build_wave_card(name: str) -> CardMessage:
    return card([text(f"Hello, {name}!")], actions=[execute("Wave back", WAVE, {})])


def _wave_notification(notice: WaveNotice, _zone: ZoneInfo) -> CardMessage:
    return build_wave_card(notice.name)


router = Router()


@router.command("hello", roles=EVERYONE, description="Say hello")
async def hello(request: CommandRequest) -> None:
    await request.show(build_wave_card(request.sender_name or "there"))


async def wave_back(request: CardActionRequest) -> InvokeResponse:
    return card_answer(card([text(f"{request.sender_name} waved back.")]).card)


buttons = CardActionRouter()
buttons.verb(WAVE, wave_back)


def _jobs(services: Services) -> list[Job]:
    return [Job("greetings-morning", "0 8 * * mon-fri", morning_wave(services.clock))]


feature = Feature(
    name="greetings",
    commands=router,
    card_actions=buttons,
    notifications=[Notification(WaveNotice, _wave_notification)],
    jobs=_jobs,
)
