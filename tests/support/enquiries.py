"""Shared set-up for enquiry tests: people with roles, stored conversations, enquiries made the short way."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from classroom.coordinators import ChatMember
from classroom.enquiries.fields import EnquiryDraft
from classroom.enquiries.service import EnquiryService
from classroom.enquiries.submission import Submitted
from classroom.people import assign_roles
from storage.models import ConversationRecord, EnquiryKind, Role

COORDINATOR_AAD = "00000000-0000-0000-0000-0000000000022"  # Adele Vance in the Playground's mock data
COORDINATOR_NAME = "Adele Vance"
SECOND_COORDINATOR_AAD = "00000000-0000-0000-0000-0000000000024"  # Patti Fernandez
PARTICIPANT_AAD = "00000000-0000-0000-0000-0000000000020"  # Alex Wilber
SERVICE_URL = "https://test.com"  # botbuilder TestAdapter's service URL
COORDINATORS_CHAT = "19:coordinators@thread.v2"
COORDINATORS_ONLY = [ChatMember(COORDINATOR_AAD, COORDINATOR_NAME)]  # the members of COORDINATORS_CHAT
BOT = {"id": "28:bot-app-id", "name": "Classroom"}

# Answers to every question of the dialog, in order, for each kind of enquiry.
QUESTION_ANSWERS = [
    "1",
    "PERM4",
    "ok",
    "alex@example.org",
    "Brighton & Hove City Council",
    "Social worker",
    "Is there a later date for PERM4? I'm in court on the 14th.",
]
DELIVERY_ANSWERS = [
    "2",
    "PERM4, permplan",
    "ok",
    "alex@example.org",
    "Brighton & Hove City Council",
    "Team manager",
    "12",
    "March or April 2027",
    "1",
    "Our new starters need permanence planning before the summer.",
]


async def make_coordinator(
    session_factory: async_sessionmaker[AsyncSession],
    aad_object_id: str = COORDINATOR_AAD,
    name: str = COORDINATOR_NAME,
) -> None:
    async with session_factory.begin() as session:
        await assign_roles(session, aad_object_id, [Role.COORDINATOR], name)


def conversation_record(
    conversation_id: str, kind: str, *, user: str | None = None, service_url: str = SERVICE_URL
) -> ConversationRecord:
    return ConversationRecord(
        conversation_id=conversation_id,
        conversation_type=kind,
        tenant_id="tenant-1",
        service_url=service_url,
        user_aad_object_id=user,
        reference={
            "bot": BOT,
            "user": {"id": f"29:{user}", "aadObjectId": user} if user else None,
            "conversation": {"id": conversation_id, "conversationType": kind, "tenantId": "tenant-1"},
            "channelId": "msteams",
            "serviceUrl": service_url,
        },
        installed=True,
    )


async def store_conversations(session_factory: async_sessionmaker[AsyncSession], *records: ConversationRecord) -> None:
    async with session_factory.begin() as session:
        session.add_all(records)


def draft(kind: EnquiryKind = EnquiryKind.QUESTION, **changes: Any) -> EnquiryDraft:
    values: dict[str, Any] = {
        "kind": kind,
        "course_codes": ["PERM4"],
        "name": "Alex Wilber",
        "email": "alex@example.org",
        "organisation": "Brighton & Hove City Council",
        "role": "Social worker",
        "message": "Is there a later date for PERM4?",
    }
    if kind is EnquiryKind.DELIVERY:
        values.update(participants=12, preferred_dates="March 2027", preferred_platform="Microsoft Teams")
    values.update(changes)
    return EnquiryDraft(**values)


async def submitted(
    session_factory: async_sessionmaker[AsyncSession],
    now: datetime,
    key: str = "k1",
    *,
    enquirer: str = PARTICIPANT_AAD,
    **changes: Any,
) -> Submitted:
    service = EnquiryService(session_factory, StoppedClock(now))
    return await service.submit(draft(**changes), enquirer=enquirer, idempotency_key=key)


class StoppedClock:
    """A clock that always says ``now``."""

    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now


async def count(session_factory: async_sessionmaker[AsyncSession], model: type, *where: Any) -> int:
    async with session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)
