"""``reflect`` in a linked session chat: the latest begun session's prompt goes now to each confirmed participant's
1:1 chat (never the group), brought forward under the planned key, so nobody gets it twice; not for someone who
told us they would miss the session; only the run's trainers and coordinators may ask."""

from __future__ import annotations

from datetime import timedelta

import pytest

from classroom.conversations import ConversationInfo
from classroom.enrolment.enrolments import Clash
from classroom.errors import NotAllowed, NotFound
from classroom.polls.polls import Voter
from classroom.polls.service import PollService
from classroom.reflection.notices import PROMPT
from storage.models import NotificationStatus
from tests.classroom.reflection.conftest import ALEX, FIRST_DAY, ISAIAH, PATTI
from tests.support.enrolment import (
    COORDINATOR_AAD,
    MULTI_RUN,
    OTHER_TRAINER_AAD,
    TRAINER_AAD,
    delivered,
    outbox,
    weekly_session,
)

CHAT = "19:session-chat@thread.v2"


async def _linked(session_factory, clock) -> None:  # type: ignore[no-untyped-def]
    reference = {"conversation": {"id": CHAT}, "serviceUrl": "https://smba.example/", "channelId": "msteams"}
    chat = ConversationInfo(CHAT, "groupChat", "https://smba.example/", reference)
    await PollService(session_factory, clock).link(chat, MULTI_RUN, by=Voter(TRAINER_AAD, "Zoe Rosenfield"))


def _now_due(rows, clock):  # type: ignore[no-untyped-def]
    return {r.recipient_aad_object_id for r in rows if not r.payload["nudge"] and r.due_at == clock.now()}


async def test_the_trainer_prompts_everyone_now_in_their_own_chats_and_never_twice(
    enrolment, reflection, session_factory, clock
) -> None:
    await enrolment.enrol(ALEX, MULTI_RUN)
    await enrolment.enrol(PATTI, MULTI_RUN)
    pending = await enrolment.enrol(ISAIAH, MULTI_RUN, clash=Clash((2,), "court"))
    await enrolment.decide_clash(TRAINER_AAD, pending.id, accept=True)
    await _linked(session_factory, clock)
    clock.set(weekly_session(FIRST_DAY, 2)[0] + timedelta(hours=4))  # session 2 is under way

    sent = await reflection.prompt_now(CHAT, TRAINER_AAD)
    assert (sent.session_position, sent.prompted, sent.already) == (2, 2, 0)
    rows = await outbox(session_factory, PROMPT)
    assert _now_due(rows, clock) == {ALEX, PATTI}  # Isaiah told us he would miss session 2
    assert all(r.conversation_key is None for r in rows)  # 1:1 chats only, never the group
    session_2 = [r for r in rows if r.payload["session_position"] == 2 and not r.payload["nudge"]]
    assert len(session_2) == 2  # brought forward, not a second prompt

    await delivered(session_factory, PROMPT)
    again = await reflection.prompt_now(CHAT, COORDINATOR_AAD)
    assert (again.prompted, again.already) == (0, 2)
    assert await outbox(session_factory, PROMPT) == []
    assert await outbox(session_factory, PROMPT, status=NotificationStatus.CANCELLED) == []


async def test_only_the_runs_trainers_and_coordinators_may_and_only_in_a_linked_chat(
    enrolment, reflection, session_factory, clock
) -> None:
    await enrolment.enrol(ALEX, MULTI_RUN)
    with pytest.raises(NotFound):
        await reflection.prompt_now(CHAT, TRAINER_AAD)  # not linked yet
    await _linked(session_factory, clock)
    with pytest.raises(NotFound):
        await reflection.prompt_now(CHAT, TRAINER_AAD)  # no session has begun
    clock.set(weekly_session(FIRST_DAY, 1)[1])
    for who in (OTHER_TRAINER_AAD, ALEX):
        with pytest.raises(NotAllowed):
            await reflection.prompt_now(CHAT, who)
