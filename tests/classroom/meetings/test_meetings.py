"""The live session: the start card, the register from join/leave events (replays once, rejoins merged, never-left
closed at the end), the end's effects (prompts now, summary to the trainer, kind word to who missed), accepted
clashes, completion after the last session, corrections and the run report."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from classroom.certificates.notices import ISSUED as CERTIFICATE
from classroom.errors import InvalidInput, NotAllowed
from classroom.evaluation.notices import SURVEY
from classroom.meetings.notices import MISSED, STARTED, SUMMARY
from classroom.meetings.reports import csv_rows
from classroom.polls.service import PollService
from classroom.reflection.notices import PROMPT
from storage.models import (
    AttendanceCorrection,
    AttendanceEvent,
    AttendanceStatus,
    Certificate,
    ChatRunLink,
    Completion,
    MeetingSession,
    NotificationStatus,
    Person,
)
from tests.support.enrolment import outbox
from tests.support.meetings import (
    ALEX,
    GROUP_CHAT,
    ISAIAH,
    JOIN,
    JOIN_URL,
    LEAVE,
    LYNNE,
    MEETING,
    MULTI_RUN,
    ZOE,
    at,
    enrol,
    load_meeting_world,
    run_whole_session,
    session_times,
    who,
)
from tests.support.polls import TRAINER_AAD, chat_info, draft

ATTENDED, PARTLY, ABSENT = AttendanceStatus.ATTENDED, AttendanceStatus.PARTLY, AttendanceStatus.ABSENT


async def _statuses(meetings, position: int = 1) -> dict[str, AttendanceStatus]:  # type: ignore[no-untyped-def]
    register = await meetings.register(MULTI_RUN, position, by=TRAINER_AAD)
    return {row.name: row.status for row in register.rows}


async def test_the_start_records_the_time_and_posts_the_card_with_the_prepared_polls_once(
    meetings, session_factory, clock
) -> None:
    polls = PollService(session_factory, clock)
    await polls.prepare(MULTI_RUN, draft(), by=ZOE)
    start, _end = session_times(1)
    clock.set(start - timedelta(minutes=5))
    ref = await meetings.started(chat_info(), MEETING, join_url=JOIN_URL, at=start - timedelta(minutes=5))
    again = await meetings.started(chat_info(), MEETING, join_url=JOIN_URL, at=start)  # a replay, later
    assert ref is not None and again is not None and ref.position == 1
    [card] = await outbox(session_factory, STARTED)
    assert card.conversation_key == GROUP_CHAT
    assert card.payload["session_position"] == 1 and card.payload["session_count"] == 4
    assert [p["question"] for p in card.payload["prepared"]] == [draft().question]
    async with session_factory() as session:
        meeting = await session.get(MeetingSession, ref.session_id)
    assert meeting is not None and meeting.started_at == start - timedelta(minutes=5)


async def test_a_meeting_in_a_chat_not_linked_is_linked_by_its_join_url_and_time(session_factory, clock) -> None:
    await load_meeting_world(session_factory, clock, link=False)
    from classroom.meetings.service import MeetingService

    meetings = MeetingService(session_factory, clock)
    start, _ = session_times(2)
    clock.set(start)
    assert await meetings.started(chat_info(), MEETING, join_url="https://example.org/other", at=start) is None
    ref = await meetings.started(chat_info(), MEETING, join_url=JOIN_URL + "/", at=start)
    assert ref is not None and ref.position == 2
    async with session_factory() as session:
        link = await session.get(ChatRunLink, GROUP_CHAT)
    assert link is not None and link.linked_by_aad_object_id == ""


async def test_an_unlinked_chat_whose_meeting_is_no_run_records_nothing(session_factory, clock) -> None:
    await load_meeting_world(session_factory, clock, link=False)
    from classroom.meetings.service import MeetingService

    meetings = MeetingService(session_factory, clock)
    start, _ = session_times(1)
    clock.set(start)
    assert await meetings.started(chat_info(), MEETING, join_url=None, at=start) is None
    assert await meetings.participants(GROUP_CHAT, MEETING, JOIN, who(ALEX), at=start) == 0
    assert await meetings.ended(GROUP_CHAT, MEETING, at=start) is None
    assert await outbox(session_factory, STARTED) == []


async def test_a_chat_that_cannot_be_linked_is_not_linked_nor_recorded(session_factory, clock) -> None:
    await load_meeting_world(session_factory, clock, link=False)
    from classroom.meetings.service import MeetingService

    meetings = MeetingService(session_factory, clock)
    start, _ = session_times(2)
    clock.set(start)
    personal = chat_info("a:1on1-with-zoe", "personal")  # the join URL is the run's, but a 1:1 chat is no class
    assert await meetings.link_meeting(personal, JOIN_URL, at=start) is None
    assert await meetings.started(personal, MEETING, join_url=JOIN_URL, at=start) is None
    assert await outbox(session_factory, STARTED) == []
    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(ChatRunLink)) == 0
        assert await session.scalar(select(func.count()).select_from(MeetingSession)) == 0


async def test_the_register_from_joins_and_leaves(meetings, session_factory, clock) -> None:
    start, _end = session_times(1)
    clock.set(start)
    await meetings.started(chat_info(), MEETING, join_url=JOIN_URL, at=start)
    await meetings.participants(GROUP_CHAT, MEETING, JOIN, who(ALEX, LYNNE, "aad-guest"), at=at(1, 0))
    assert await meetings.participants(GROUP_CHAT, MEETING, JOIN, who(ALEX), at=at(1, 0)) == 0  # a replay
    await meetings.participants(GROUP_CHAT, MEETING, LEAVE, who(LYNNE), at=at(1, 120))
    await meetings.participants(GROUP_CHAT, MEETING, LEAVE, who(ALEX), at=at(1, 60))  # a dropped connection
    await meetings.participants(GROUP_CHAT, MEETING, JOIN, who(ALEX), at=at(1, 65))
    clock.set(at(1, 300))
    register = await meetings.ended(GROUP_CHAT, MEETING, at=at(1, 300))
    assert register is not None
    rows = {row.name: row for row in register.rows}
    assert rows["Alex Wilber"].status is ATTENDED and rows["Alex Wilber"].present == timedelta(minutes=295)
    assert rows["Lynne Robbins"].status is PARTLY and rows["Lynne Robbins"].present == timedelta(minutes=120)
    assert rows["Isaiah Langer"].status is ABSENT
    assert [g.name for g in register.guests] == ["Guest Person"]
    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(AttendanceEvent)) == 6


async def test_the_end_brings_the_prompts_forward_sends_the_summary_and_a_kind_word_once(
    meetings, session_factory, clock
) -> None:
    await run_whole_session(meetings, clock, 1, present={ALEX: (0, 300), LYNNE: (0, 100)})
    end = clock.now()
    prompts = await outbox(session_factory, PROMPT)
    assert {p.recipient_aad_object_id for p in prompts if p.due_at == end} == {ALEX, LYNNE, ISAIAH}
    [summary] = await outbox(session_factory, SUMMARY)
    assert summary.recipient_aad_object_id == TRAINER_AAD  # the one trainer linked to a person
    statuses = {p["name"]: p["status"] for p in summary.payload["participants"]}
    assert statuses == {"Alex Wilber": "attended", "Lynne Robbins": "partly", "Isaiah Langer": "absent"}
    assert summary.payload["expected"] == 3 and summary.payload["share_percent"] == 75
    missed = await outbox(session_factory, MISSED)
    assert {m.recipient_aad_object_id: m.payload["status"] for m in missed} == {LYNNE: "partly", ISAIAH: "absent"}
    # The same end again (a redelivery, or the other process): nothing more.
    assert await meetings.ended(GROUP_CHAT, MEETING, at=end) is None
    assert len(await outbox(session_factory, SUMMARY)) == 1 and len(await outbox(session_factory, MISSED)) == 2
    assert len(await outbox(session_factory, PROMPT)) == len(prompts)


async def test_a_prompt_already_sent_is_not_sent_again_at_the_end(meetings, session_factory, clock) -> None:
    start, _ = session_times(1)
    clock.set(start + timedelta(minutes=10))
    await meetings.started(chat_info(), MEETING, join_url=JOIN_URL, at=start)
    # The trainer asked for the prompts during the session (``reflect``), and they went.
    await meetings_reflect_now(session_factory, clock)
    async with session_factory.begin() as session:
        from sqlalchemy import update

        from storage.models import OutboxNotification

        await session.execute(
            update(OutboxNotification)
            .where(OutboxNotification.kind == PROMPT, OutboxNotification.status == NotificationStatus.PENDING)
            .values(status=NotificationStatus.SENT)
        )
    sent = len(await outbox(session_factory, PROMPT, status=NotificationStatus.SENT))
    clock.set(at(1, 300))
    await meetings.ended(GROUP_CHAT, MEETING, at=at(1, 300))
    pending_prompts = [p for p in await outbox(session_factory, PROMPT) if not p.payload.get("nudge")]
    assert sent >= 3 and pending_prompts == []


async def meetings_reflect_now(session_factory, clock) -> None:  # type: ignore[no-untyped-def]
    from classroom.reflection.on_demand import prompt_now
    from classroom.reflection.policy import ReflectionTiming

    async with session_factory.begin() as session:
        await prompt_now(session, GROUP_CHAT, TRAINER_AAD, now=clock.now(), timing=ReflectionTiming())


async def test_an_accepted_clash_excuses_the_session_and_a_pending_one_does_not(session_factory, clock) -> None:
    await load_meeting_world(session_factory, clock)
    from classroom.meetings.service import MeetingService
    from storage.models import EnrolmentStatus
    from tests.support.enrolment import add_person

    await add_person(session_factory, "aad-megan-p", "Megan Participant")
    await add_person(session_factory, "aad-pat", "Pat Pending")
    await enrol(session_factory, "aad-megan-p", clash_positions=(1,))
    await enrol(session_factory, "aad-pat", status=EnrolmentStatus.PENDING_REVIEW, clash_positions=(1,))
    meetings = MeetingService(session_factory, clock)
    await run_whole_session(meetings, clock, 1, present={ALEX: (0, 300), LYNNE: (0, 300), ISAIAH: (0, 300)})
    missed = await outbox(session_factory, MISSED)
    assert [m.payload["status"] for m in missed] == ["absent"] and len(missed) == 1
    register = await meetings.register(MULTI_RUN, 1, by=TRAINER_AAD)
    excused = {r.name: r.excused for r in register.rows}
    assert excused["Megan Participant"] is True and excused["Pat Pending"] is False


async def test_who_attended_every_session_completes_after_the_last(meetings, session_factory, clock) -> None:
    for position in (1, 2, 3):
        await run_whole_session(meetings, clock, position, present={ALEX: (0, 300), LYNNE: (0, 300), ISAIAH: (0, 300)})
    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(Completion)) == 0
    await run_whole_session(meetings, clock, 4, present={ALEX: (0, 300), LYNNE: (0, 60)})
    # Alex completed: his certificate, with its congratulations in his 1:1 chat.
    assert await _certificate_holders(session_factory) == [ALEX]
    [congratulations] = await outbox(session_factory, CERTIFICATE)
    assert congratulations.recipient_aad_object_id == ALEX
    report = await meetings.attendance(MULTI_RUN, by=TRAINER_AAD)
    assert {line.name: line.completed for line in report.people} == {
        "Alex Wilber": True,
        "Isaiah Langer": False,
        "Lynne Robbins": False,
    }
    rows = csv_rows(report)
    assert rows[0] == ["Participant", "Session 1", "Session 2", "Session 3", "Session 4", "Completed"]
    assert ["Lynne Robbins", "attended", "attended", "attended", "partly", "no"] in rows
    # The trainer corrects Lynne's last session (she followed on a colleague's laptop): she completes too.
    lynne = next(line for line in report.people if line.name == "Lynne Robbins")
    corrected = await meetings.correct(
        MULTI_RUN, 4, {lynne.person_id: ATTENDED}, by=TRAINER_AAD, by_name="Zoe Rosenfield"
    )
    assert corrected.changed == 1 and corrected.withdrawn == ()
    row = next(r for r in corrected.register.rows if r.person_id == lynne.person_id)
    assert row.status is ATTENDED and row.measured is PARTLY and row.corrected_by == "Zoe Rosenfield"
    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(Completion)) == 2
        [correction] = (await session.scalars(select(AttendanceCorrection))).all()
    assert correction.corrected_by_aad_object_id == TRAINER_AAD
    assert await _certificate_holders(session_factory) == sorted([ALEX, LYNNE])  # hers too, and Alex's only once


async def test_the_last_meeting_ending_early_sends_the_evaluation_survey_then(meetings, session_factory, clock) -> None:
    for position in (1, 2, 3):
        await run_whole_session(meetings, clock, position, present={ALEX: (0, 300)})
    start, end = session_times(4)
    clock.set(start)
    await meetings.started(chat_info(), MEETING, join_url=JOIN_URL, at=start)
    early = end - timedelta(hours=1)  # the trainer finished an hour early
    clock.set(early)
    await meetings.ended(GROUP_CHAT, MEETING, at=early)
    after = [s for s in await outbox(session_factory, SURVEY) if s.payload["phase"] == "after"]
    assert {s.recipient_aad_object_id for s in after} == {ALEX, LYNNE, ISAIAH}  # the confirmed places
    assert {s.due_at for s in after} == {early}  # not the scheduled end, an hour later
    await meetings.ended(GROUP_CHAT, MEETING, at=early)  # Teams says it again: nothing more
    assert len([s for s in await outbox(session_factory, SURVEY) if s.payload["phase"] == "after"]) == 3


async def _certificate_holders(session_factory) -> list[str]:  # type: ignore[no-untyped-def]
    async with session_factory() as session:
        holders = await session.scalars(
            select(Person.aad_object_id)
            .join(Certificate, Certificate.person_id == Person.id)
            .order_by(Person.aad_object_id)
        )
        return list(holders)


async def test_only_the_runs_trainers_and_coordinators_see_or_correct_the_register(meetings) -> None:
    with pytest.raises(NotAllowed):
        await meetings.register(MULTI_RUN, 1, by=ALEX)
    with pytest.raises(NotAllowed):
        await meetings.attendance(MULTI_RUN, by=ALEX)
    with pytest.raises(NotAllowed):
        await meetings.correct(MULTI_RUN, 1, {}, by=ALEX, by_name="Alex")
    with pytest.raises(InvalidInput):
        await meetings.correct(MULTI_RUN, 1, {999_999: ATTENDED}, by=TRAINER_AAD, by_name="Zoe")


async def test_a_participant_who_never_leaves_is_closed_at_the_meeting_end(meetings, clock) -> None:
    start, _ = session_times(1)
    clock.set(start)
    await meetings.started(chat_info(), MEETING, join_url=JOIN_URL, at=start)
    await meetings.participants(GROUP_CHAT, MEETING, JOIN, who(LYNNE), at=at(1, 200))
    clock.set(at(1, 240))
    register = await meetings.ended(GROUP_CHAT, MEETING, at=at(1, 240))  # the trainer ended an hour early
    assert register is not None
    lynne = next(r for r in register.rows if r.name == "Lynne Robbins")
    assert lynne.present == timedelta(minutes=40) and lynne.status is PARTLY
    assert register.span.length == timedelta(minutes=240)


async def test_an_event_time_far_from_our_clock_is_not_believed(meetings, clock, session_factory) -> None:
    start, _ = session_times(1)
    clock.set(start)
    await meetings.started(chat_info(), MEETING, join_url=JOIN_URL, at=start + timedelta(days=30))
    async with session_factory() as session:
        [meeting] = (await session.scalars(select(MeetingSession))).all()
    assert meeting.started_at == start
