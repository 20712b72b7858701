"""What flows need from the host, handed to them per turn (no globals, easy to fake in tests)."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from classroom.clock import Clock


@dataclass(frozen=True)
class BotServices:
    session_factory: async_sessionmaker[AsyncSession]
    clock: Clock
    zone: ZoneInfo
