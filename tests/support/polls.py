"""A small world for poll tests: the enrolment tests' catalogue (run PERMX-A with Zoe Rosenfield as its linked
trainer; Megan Bowen a trainer of no run of it; Adele Vance a coordinator), participants, and a group chat."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from classroom.conversations import ConversationInfo
from classroom.polls.kinds import PollDraft, PollSettings, SingleChoice
from classroom.polls.polls import Voter
from storage.models import Base, OutboxNotification
from tests.support.enrolment import (
    COORDINATOR_AAD,
    MULTI_RUN,
    ONE_DAY_RUN,
    OTHER_TRAINER_AAD,
    TRAINER_AAD,
    add_person,
    load_world,
    world,
)

__all__ = ["COORDINATOR_AAD", "MULTI_RUN", "ONE_DAY_RUN", "OTHER_TRAINER_AAD", "TRAINER_AAD"]

GROUP_CHAT = "19:session-chat@thread.v2"
ALEX, ISAIAH, LYNNE = "aad-alex", "aad-isaiah", "aad-lynne"
ZOE = Voter(TRAINER_AAD, "Zoe Rosenfield")
MEGAN = Voter(OTHER_TRAINER_AAD, "Megan Bowen")
ADELE = Voter(COORDINATOR_AAD, "Adele Vance")
QUESTION = "Which principle comes first?"
OPTIONS = ("Presume capacity", "Support to decide", "Best interests")


async def load_poll_world(session_factory: async_sessionmaker[AsyncSession]) -> None:
    from datetime import date

    await load_world(session_factory, world(date(2026, 12, 14)))
    await add_person(session_factory, ALEX, "Alex Wilber")
    await add_person(session_factory, ISAIAH, "Isaiah Langer")


def chat_info(conversation_id: str = GROUP_CHAT, conversation_type: str = "groupChat") -> ConversationInfo:
    return ConversationInfo(
        conversation_id=conversation_id,
        conversation_type=conversation_type,
        service_url="https://smba.example/teams/",
        reference={
            "bot": {"id": "28:bot", "name": "Classroom"},
            "conversation": {"id": conversation_id, "conversationType": conversation_type},
            "channelId": "msteams",
            "serviceUrl": "https://smba.example/teams/",
        },
    )


def draft(*, anonymous: bool = False, changeable: bool = True, options: tuple[str, ...] = OPTIONS) -> PollDraft:
    return PollDraft(QUESTION, SingleChoice(options), PollSettings(anonymous=anonymous, changeable=changeable))


async def every_stored_value(session_factory: async_sessionmaker[AsyncSession]) -> list[tuple[str, str, Any]]:
    """(table, column, value) for every column of every row of every table the bot has."""
    found: list[tuple[str, str, Any]] = []
    async with session_factory() as session:
        for table in Base.metadata.sorted_tables:
            for row in (await session.execute(select(table))).mappings():
                found.extend((table.name, column, value) for column, value in row.items() if value is not None)
    return found


def shows(value: Any, needle: str) -> bool:
    """Whether a stored value contains ``needle`` in any readable form (text, JSON, bytes as hex or text)."""
    if isinstance(value, bytes | bytearray | memoryview):
        raw = bytes(value)
        return needle in raw.hex() or needle.encode() in raw
    return needle in str(value)


async def as_sent(session_factory: async_sessionmaker[AsyncSession], row: OutboxNotification) -> dict[str, Any]:
    """A poll card's payload as the dispatcher sends it now: drawn afresh from the tallies (votes do not rewrite the
    card's row; ``classroom.polls.notices``)."""
    from classroom.polls.notices import CARD, fresh_card, fresh_results

    async with session_factory() as session:
        return await (fresh_card if row.kind == CARD else fresh_results)(session, row.payload)
