"""Coordinators can see delivery health in Teams; participants cannot."""

from __future__ import annotations

from datetime import timedelta

from classroom.outbox import TextNotice, enqueue
from classroom.people import assign_roles
from storage.models import Role
from tests.support.bot_harness import Conversation, card_text


async def test_coordinator_sees_outbox_counts_and_participant_is_refused(session_factory, clock) -> None:
    async with session_factory.begin() as session:
        await assign_roles(session, "coordinator-aad", [Role.COORDINATOR], "Adele Vance")
        for n in range(3):
            await enqueue(
                session,
                TextNotice(text=f"hello {n}"),
                due_at=clock.now() - timedelta(minutes=5),
                dedupe_key=f"test:{n}",
                recipient="someone",
            )
    coordinator = Conversation(session_factory, clock, aad_object_id="coordinator-aad", conversation_id="c-1")
    [reply] = await coordinator.say("outbox")
    text = card_text(reply)
    assert "Waiting to send: 3" in text and "the oldest has waited 5 minutes" in text

    participant = Conversation(session_factory, clock, conversation_id="c-2")
    [reply] = await participant.say("outbox")
    assert "only for" in reply.text and "coordinators" in reply.text
