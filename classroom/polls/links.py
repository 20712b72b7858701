"""Which course run a chat belongs to: ``link RUN`` in the chat, ``unlink``; polls (and later attendance,
reflection and evaluation) hang off that run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.conversations import ConversationInfo, remember_conversation
from classroom.errors import InvalidInput
from classroom.polls.authorisation import require_poll_runner, run_by_code, run_by_id
from classroom.polls.errors import NotLinked
from classroom.text import bounded
from storage.models import ChatRunLink, Course, CourseRun
from storage.upsert import insert_or_ignore, insert_or_update

SHARED_CHATS = frozenset({"groupChat", "channel"})


@dataclass(frozen=True)
class LinkView:
    run_code: str
    course_title: str
    linked_by_name: str
    linked_at: datetime


async def _view(session: AsyncSession, link: ChatRunLink) -> LinkView:
    run = await session.get(CourseRun, link.run_id)
    assert run is not None  # the link goes with the run (ON DELETE CASCADE)
    course = await session.get(Course, run.course_id)
    return LinkView(run.code, course.title if course else "", link.linked_by_name, link.linked_at)


async def find_link(session: AsyncSession, conversation_id: str) -> ChatRunLink:
    link = await session.get(ChatRunLink, conversation_id)
    if link is None:
        raise NotLinked("this chat is not linked to a course run")
    return link


async def link_chat(
    session: AsyncSession, here: ConversationInfo, run_code: str, *, by: str, by_name: str, now: datetime
) -> LinkView:
    """Link the chat to the run (replacing an earlier link); the caller must run polls for the run.

    The chat is stored as a conversation the bot can post to (the poll cards go there through the outbox).
    Raises NotFound (no such run), NotAllowed, InvalidInput (a one-to-one chat).
    """
    if here.conversation_type not in SHARED_CHATS:
        raise InvalidInput("only a group chat, meeting chat or channel can be linked to a run")
    run = await run_by_code(session, run_code)
    await require_poll_runner(session, run, by)
    await remember_conversation(session, here)
    await insert_or_update(
        session,
        ChatRunLink.__table__,  # type: ignore[arg-type]
        {
            "conversation_id": here.conversation_id,
            "run_id": run.id,
            "linked_by_aad_object_id": by,
            "linked_by_name": bounded(by_name, 200),
            "linked_at": now,
        },
        ["conversation_id"],
        ["run_id", "linked_by_aad_object_id", "linked_by_name", "linked_at"],
    )
    return await _view(session, await find_link(session, here.conversation_id))


async def show_link(session: AsyncSession, conversation_id: str) -> LinkView:
    return await _view(session, await find_link(session, conversation_id))


async def unlink_chat(session: AsyncSession, conversation_id: str, *, by: str) -> LinkView:
    """Remove the chat's link (polls already run keep their run). Raises NotLinked, NotAllowed."""
    link = await find_link(session, conversation_id)
    run = await run_by_id(session, link.run_id)
    await require_poll_runner(session, run, by)
    view = await _view(session, link)
    await session.execute(delete(ChatRunLink).where(ChatRunLink.conversation_id == conversation_id))
    return view


async def linked_run(session: AsyncSession, conversation_id: str) -> CourseRun:
    link = await find_link(session, conversation_id)
    return await run_by_id(session, link.run_id)


TEAMS_LINKED = "Teams (the meeting's join link)"


async def link_automatically(session: AsyncSession, here: ConversationInfo, run_id: int, *, now: datetime) -> bool:
    """Link a meeting chat to the run whose join link the meeting has (matched by the meetings feature); an
    existing link is kept. Nobody linked it, so no one's id is recorded. True when the chat is now linked to this
    run; False when it is no shared chat (not linked) or another link won."""
    if here.conversation_type not in SHARED_CHATS:
        return False
    await remember_conversation(session, here)
    await insert_or_ignore(
        session,
        ChatRunLink.__table__,  # type: ignore[arg-type]
        {
            "conversation_id": here.conversation_id,
            "run_id": run_id,
            "linked_by_aad_object_id": "",
            "linked_by_name": TEAMS_LINKED,
            "linked_at": now,
        },
        ["conversation_id"],
    )
    return (
        await session.scalar(select(ChatRunLink.run_id).where(ChatRunLink.conversation_id == here.conversation_id))
        == run_id
    )
