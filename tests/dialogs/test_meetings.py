"""The trainer's side of the register in their 1:1 chat: ``attendance RUN`` (the run across its sessions, who
completed), ``attendance RUN N`` (a session's register) and its Save button (a correction recorded with who made
it), and the roster's sessions showing who came once held."""

from __future__ import annotations

from typing import Any

from classroom.meetings.service import MeetingService
from tests.support.bot_harness import Conversation
from tests.support.meetings import ALEX, LYNNE, MULTI_RUN, load_meeting_world, run_whole_session
from tests.support.polls import TRAINER_AAD


def _words(replies) -> str:  # type: ignore[no-untyped-def]
    parts = []
    for reply in replies:
        parts.append(reply.text or "")
        for attachment in reply.attachments or []:
            parts.append(str(attachment.content.get("fallbackText", "")))
    return "\n".join(parts)


def _card(replies) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    [reply] = [r for r in replies if r.attachments]
    return reply.attachments[0].content  # type: ignore[no-any-return]


async def _held_session(session_factory, clock) -> Conversation:  # type: ignore[no-untyped-def]
    await load_meeting_world(session_factory, clock)
    meetings = MeetingService(session_factory, clock)
    await run_whole_session(meetings, clock, 1, present={ALEX: (0, 300), LYNNE: (0, 120)})
    return Conversation(session_factory, clock, aad_object_id=TRAINER_AAD, name="Zoe Rosenfield")


async def test_attendance_shows_the_run_and_a_sessions_register(session_factory, clock) -> None:
    zoe = await _held_session(session_factory, clock)
    report = _words(await zoe.say(f"attendance {MULTI_RUN}"))
    assert "Session 1" in report and "1 attended, 1 partly, 1 absent" in report
    assert "Lynne Robbins · 1: partly" in report
    register = _card(await zoe.say(f"attendance {MULTI_RUN} 1"))
    inputs = {e["id"]: e for e in register["body"] if e.get("type") == "Input.ChoiceSet"}
    assert sorted(e["label"] for e in inputs.values()) == ["Alex Wilber", "Isaiah Langer", "Lynne Robbins"]
    assert {e["value"] for e in inputs.values()} == {"attended", "partly", "absent"}


async def test_saving_the_register_records_the_correction_by_the_presser(session_factory, clock) -> None:
    zoe = await _held_session(session_factory, clock)
    register = _card(await zoe.say(f"attendance {MULTI_RUN} 1"))
    lynne = next(e["id"] for e in register["body"] if e.get("label") == "Lynne Robbins")
    save = next(a for a in register["actions"] if a["verb"] == "meetings.correct")
    answer, _ = await zoe.execute(save["verb"], {**save["data"], lynne: "attended", "status-999999": "absent"})
    assert "out of date" in str(answer.body.value)  # someone not on the register: nothing saved
    answer, _ = await zoe.execute(save["verb"], {**save["data"], lynne: "attended"})
    text = answer.body.value["fallbackText"]
    assert "Saved: 1 change." in text and "corrected by Zoe Rosenfield" in text
    again, _ = await zoe.execute(save["verb"], {**save["data"], lynne: "attended"})
    assert "No changes to save." in again.body.value["fallbackText"]
    assert "2 attended, 0 partly, 1 absent" in _words(await zoe.say(f"attendance {MULTI_RUN}"))


async def test_a_participant_cannot_see_or_correct_the_register(session_factory, clock) -> None:
    zoe = await _held_session(session_factory, clock)
    alex = zoe.as_someone_else(ALEX, "Alex Wilber")
    assert "Lynne" not in _words(await alex.say(f"attendance {MULTI_RUN} 1"))
    answer, _ = await alex.execute("meetings.correct", {"run": MULTI_RUN, "session": 1, "status-1": "absent"})
    assert "isn't yours to see" in str(answer.body.value)
    assert "out of date" in str(
        (await alex.execute("meetings.correct", {"run": MULTI_RUN, "session": "1"}))[0].body.value
    )


async def test_the_roster_shows_who_came_to_a_held_session(session_factory, clock) -> None:
    zoe = await _held_session(session_factory, clock)
    roster = _words(await zoe.say(f"roster {MULTI_RUN}"))
    assert "Held: 1 attended, 1 partly, 1 absent" in roster
    assert roster.count("Held:") == 1  # sessions 2-4 are still to come


async def test_a_correction_after_the_last_session_says_the_completion_was_withdrawn(session_factory, clock) -> None:
    from sqlalchemy import select

    from storage.models import Certificate

    await load_meeting_world(session_factory, clock)
    meetings = MeetingService(session_factory, clock)
    for position in (1, 2, 3, 4):
        await run_whole_session(meetings, clock, position, present={ALEX: (0, 300)})
    async with session_factory() as session:
        code = await session.scalar(select(Certificate.code))
    zoe = Conversation(session_factory, clock, aad_object_id=TRAINER_AAD, name="Zoe Rosenfield")
    assert "Alex Wilber" in _words(await zoe.say(f"certificate {code}"))
    register = _card(await zoe.say(f"attendance {MULTI_RUN} 3"))
    alex = next(e["id"] for e in register["body"] if e.get("label") == "Alex Wilber")
    save = next(a for a in register["actions"] if a["verb"] == "meetings.correct")
    answer, _ = await zoe.execute(save["verb"], {**save["data"], alex: "absent"})
    text = answer.body.value["fallbackText"]
    assert "Completion withdrawn" in text and "Alex Wilber" in text
    assert "Alex Wilber · 1: attended, 2: attended, 3: absent" in _words(await zoe.say(f"attendance {MULTI_RUN}"))
    assert "Alex Wilber" not in _words(await zoe.say(f"certificate {code}"))


async def test_a_register_card_naming_an_impossible_session_is_out_of_date(session_factory, clock) -> None:
    zoe = await _held_session(session_factory, clock)
    register = _card(await zoe.say(f"attendance {MULTI_RUN} 1"))
    save = next(a for a in register["actions"] if a["verb"] == "meetings.correct")
    for session in (2**31, 10**30, 0, -1, 1001):
        answer, _ = await zoe.execute(save["verb"], {**save["data"], "session": session})
        assert "out of date" in str(answer.body.value)
