"""The enrol flow in a chat, and its refusals: dates, organisation, eligibility, price, every session, clash,
waitlist, confirmation with the join link and calendar; my courses, withdraw, offers, roster and clash decisions."""

from __future__ import annotations

import re
from typing import Any

import pytest
from botbuilder.schema import Activity
from sqlalchemy import select, update

from classroom.enrolment import notices
from classroom.enrolment.errors import CourseFull
from classroom.enrolment.service import EnrolmentService
from storage.models import CourseRun, Enrolment, EnrolmentStatus, RunSession
from tests.classroom.enrolment.conftest import FIRST_DAY
from tests.support.bot_harness import PARTICIPANT_AAD, Conversation, card_of, card_text, texts
from tests.support.cards import card_actions
from tests.support.catalogue import load_demo_catalogue
from tests.support.enrolment import (
    BHCC,
    COORDINATOR_AAD,
    DOWNLAND,
    MULTI,
    MULTI_RUN,
    ONE_DAY,
    ONE_DAY_RUN,
    OTHER_TRAINER_AAD,
    SOUTHCOAST,
    TRAINER_AAD,
    add_person,
    load_world,
    outbox,
    world,
)

CALENDAR_LINK = re.compile(r"^http://127\.0\.0\.1:3978/calendar/([A-Za-z0-9_-]{43})\.ics$")


@pytest.fixture
async def chat(session_factory, clock) -> Conversation:
    """Alex Wilber, who works for Brighton & Hove City Council, in a 1:1 chat."""
    await load_world(session_factory, world(FIRST_DAY))
    await add_person(session_factory, PARTICIPANT_AAD, "Alex Wilber", BHCC)
    return Conversation(session_factory, clock)


def _as(chat: Conversation, aad_object_id: str, name: str) -> Conversation:
    return chat.as_someone_else(aad_object_id, name)


def _replies(activity: Activity) -> list[str]:
    """The answers offered as suggested replies (tapping one sends its text as if typed)."""
    if activity.suggested_actions is None:
        return []
    return [action.value for action in activity.suggested_actions.actions]


def _urls(card: dict[str, Any]) -> dict[str, str]:
    return {a["title"]: a["url"] for a in card_actions(card) if a["type"] == "Action.OpenUrl"}


async def _status(session_factory, aad_object_id: str, run_code: str = MULTI_RUN) -> EnrolmentStatus | None:
    async with session_factory() as session:
        return await session.scalar(
            select(Enrolment.status)
            .join(CourseRun, CourseRun.id == Enrolment.run_id)
            .join(Enrolment.person)
            .where(CourseRun.code == run_code, Enrolment.person.has(aad_object_id=aad_object_id))
        )


async def test_enrolling_on_the_four_session_course_shows_the_terms_then_the_confirmation(
    chat, session_factory, clock
) -> None:
    [terms] = await chat.say(f"enrol {MULTI}")
    shown = card_text(terms)
    sessions = re.findall(r"Session (\d) of 4: (\w+day \d+ \w+ \d{4}), 10:00–15:00 GMT", shown)
    assert [s[0] for s in sessions] == ["1", "2", "3", "4"]
    assert sessions[0][1] == "Monday 14 December 2026"
    assert "Price: £320.00 per place (Tier 1, the band of Brighton & Hove City Council)" in shown
    assert "Places: 3 of 3 left" in shown
    assert "You will need: Microsoft Teams, online learning session" in shown
    assert _replies(terms) == ["I can attend every date", "I have a clash", "No thanks"]

    [confirmation] = await chat.say("I can attend every date")
    confirmed = card_text(confirmation)
    assert "You're enrolled: Permanence in four sessions" in confirmed
    assert len(re.findall(r"Session \d of 4: ", confirmed)) == 4
    assert "Join online: https://teams.microsoft.com/l/meetup-join/test-permx" in confirmed
    assert "I'll remind you 7 days, 1 day and 1 hour before each session" in confirmed
    urls = _urls(card_of(confirmation))
    assert urls["Course outline"] == "https://example.org/permx-outline.pdf"
    assert urls["Join link"] == "https://teams.microsoft.com/l/meetup-join/test-permx"
    token = CALENDAR_LINK.match(urls["Add to calendar"])
    assert token is not None
    calendar = await EnrolmentService(session_factory, clock).calendar_file(token.group(1))
    assert calendar.content.count(b"BEGIN:VEVENT") == 4
    assert await _status(session_factory, PARTICIPANT_AAD) == EnrolmentStatus.CONFIRMED
    assert len(await outbox(session_factory, notices.REMINDER)) == 12


async def test_the_course_cards_enrol_button_starts_the_same_flow(chat) -> None:
    [terms] = await chat.press("enrol", MULTI)
    assert "Enrol on Permanence in four sessions" in card_text(terms)


async def test_several_runs_are_offered_as_a_choice(session_factory, clock) -> None:
    await load_demo_catalogue(session_factory, clock)
    await add_person(session_factory, PARTICIPANT_AAD, "Alex Wilber", "Downland County Council")
    chat = Conversation(session_factory, clock)
    [choice] = await chat.say("enrol permplan")
    listing = card_text(choice)
    assert "Which dates would you like?" in listing and "1. PERMPLAN-1" in listing and "2. PERMPLAN-2" in listing
    assert _replies(choice) == ["PERMPLAN-1", "PERMPLAN-2"]
    [retry] = await chat.say("the autumn one")
    assert "number or the code" in retry.text
    [terms] = await chat.say("2")
    assert "PERMPLAN-2" in card_text(terms) and "£110.00 per place (Tier 2" in card_text(terms)
    assert _replies(terms) == ["Confirm my place", "No thanks"]  # one day: no clash question
    [done] = await chat.say("confirm my place")
    assert "You're enrolled: Permanence Planning" in card_text(done)


async def test_an_unknown_organisation_is_asked_for_and_sets_the_price(chat, session_factory) -> None:
    newcomer = _as(chat, "aad-newcomer", "Lynne Robbins")
    [question] = await newcomer.say(f"enrol {MULTI}")
    assert "Which organisation do you work for?" in card_text(question)
    assert DOWNLAND in _replies(question)
    [retry] = await newcomer.say("the council")
    assert "number or the name of your organisation" in retry.text
    [terms] = await newcomer.say(DOWNLAND)
    assert "£360.00 per place (Tier 2, the band of Downland County Council)" in card_text(terms)
    [declined] = await newcomer.say("no thanks")
    assert "I haven't enrolled you" in declined.text
    assert await _status(session_factory, "aad-newcomer") is None
    [terms] = await newcomer.say(f"enrol {MULTI}")  # the organisation is remembered
    assert "Enrol on" in card_text(terms)


async def test_someone_not_eligible_is_told_why_and_what_to_do(chat, session_factory) -> None:
    await add_person(session_factory, "aad-lynne", "Lynne Robbins", SOUTHCOAST)
    [refusal] = await _as(chat, "aad-lynne", "Lynne Robbins").say(f"enrol {MULTI}")
    assert "Sorry, you can't enrol on PERMX-A" in refusal.text
    assert "Children's Services staff of two councils" in refusal.text and SOUTHCOAST in refusal.text
    assert f"enquire {MULTI}" in refusal.text
    assert await _status(session_factory, "aad-lynne") is None


async def test_a_clash_goes_to_the_trainers_who_decide_and_the_participant_hears(chat, session_factory) -> None:
    await chat.say(f"enrol {MULTI}")
    [which] = await chat.say("I have a clash")
    assert "Which session can't you attend?" in card_text(which)
    assert "3. Monday 28 December 2026, 10:00–15:00 GMT" in card_text(which)
    assert _replies(which) == []  # four answers: more than Teams shows as suggestions, so typed
    [why] = await chat.say("Session 3")
    assert "What is the clash?" in why.text
    [pending] = await chat.say("A court hearing **I must attend**")
    held = card_text(pending)
    assert "Your place is waiting for the trainers" in held and "session 3 of 4" in held
    reason = [b for b in card_of(pending)["body"] if b["type"] == "RichTextBlock"]
    assert reason[0]["inlines"][0]["text"] == "A court hearing **I must attend**"  # shown literally
    [review] = await outbox(session_factory, notices.CLASH_REVIEW)
    assert review.recipient_aad_object_id == TRAINER_AAD
    enrolment_id = review.payload["enrolment_id"]

    # Card data names the enrolment; who may decide is checked from the sender's stored roles and links.
    [refused] = await chat.press("clash", f"accept {enrolment_id}")
    assert "only for" in refused.text
    megan = _as(chat, OTHER_TRAINER_AAD, "Megan Bowen")  # a trainer, of another run
    [not_theirs] = await megan.press("clash", f"accept {enrolment_id}")
    [no_such] = await megan.press("clash", f"accept {enrolment_id + 1000}")
    assert not_theirs.text == no_such.text, "someone else's request and no request are answered alike"
    assert "no clash request with that number that you can decide" in not_theirs.text
    assert "PERMX" not in not_theirs.text
    assert await _status(session_factory, PARTICIPANT_AAD) == EnrolmentStatus.PENDING_REVIEW

    trainer = _as(chat, TRAINER_AAD, "Zoe Rosenfield")
    [accepted] = await trainer.press("clash", f"accept {enrolment_id}")
    assert "Accepted: Alex Wilber's place on PERMX-A is confirmed" in accepted.text
    [again] = await _as(chat, COORDINATOR_AAD, "Adele Vance").press("clash", f"decline {enrolment_id}")
    assert "already accepted by Zoe Rosenfield" in again.text
    [decision] = await outbox(session_factory, notices.CLASH_DECISION)
    assert decision.recipient_aad_object_id == PARTICIPANT_AAD and decision.payload["accepted"] is True
    assert await _status(session_factory, PARTICIPANT_AAD) == EnrolmentStatus.CONFIRMED


async def test_a_full_run_offers_the_waitlist(chat, session_factory, clock) -> None:
    await add_person(session_factory, "aad-first", "First Person", BHCC)
    await EnrolmentService(session_factory, clock).enrol("aad-first", ONE_DAY_RUN)
    [terms] = await chat.say(f"enrol {ONE_DAY}")
    assert "This date is full. You can join the waitlist as number 1" in card_text(terms)
    assert "hold it for 48 hours" in card_text(terms)
    assert _replies(terms) == ["Join the waitlist", "No thanks"]
    [waiting] = await chat.say("join the waitlist")
    assert "You are number **1** on the waitlist" in card_text(waiting)
    [again] = await chat.say(f"enrol {ONE_DAY}")
    assert "already number 1 on the waitlist" in again.text


async def test_the_last_place_taken_while_deciding_offers_the_waitlist(chat, session_factory, clock) -> None:
    [terms] = await chat.say(f"enrol {ONE_DAY}")
    assert "Places: 1 of 1 left" in card_text(terms)
    await add_person(session_factory, "aad-quick", "Quick Person", BHCC)
    await EnrolmentService(session_factory, clock).enrol("aad-quick", ONE_DAY_RUN)
    [gone] = await chat.say("confirm my place")
    assert "someone took the last place on ONEDAY-1" in card_text(gone) and "number 1" in card_text(gone)
    [waiting] = await chat.say("1")
    assert "on the waitlist" in card_text(waiting)
    assert await _status(session_factory, PARTICIPANT_AAD, ONE_DAY_RUN) == EnrolmentStatus.WAITLISTED


async def test_an_offered_place_is_accepted_through_the_flow(chat, session_factory, clock) -> None:
    service = EnrolmentService(session_factory, clock)
    await add_person(session_factory, "aad-holder", "Place Holder", BHCC)
    await service.enrol("aad-holder", ONE_DAY_RUN)
    with pytest.raises(CourseFull):
        await service.enrol(PARTICIPANT_AAD, ONE_DAY_RUN)
    await service.join_waitlist(PARTICIPANT_AAD, ONE_DAY_RUN)
    await service.withdraw("aad-holder", ONE_DAY_RUN)
    [offer] = await outbox(session_factory, notices.WAITLIST_OFFER)
    assert offer.recipient_aad_object_id == PARTICIPANT_AAD

    [terms] = await chat.press("offer", f"accept {ONE_DAY_RUN}")
    assert "A place is held for you until Wednesday 25 November 2026 at 09:00 GMT" in card_text(terms)
    [done] = await chat.say("yes")
    assert "You're enrolled" in card_text(done)
    assert await _status(session_factory, PARTICIPANT_AAD, ONE_DAY_RUN) == EnrolmentStatus.CONFIRMED


async def test_refusals_and_things_not_understood(chat, session_factory, clock) -> None:
    [usage] = await chat.say("enrol")
    assert "Type **enrol** and its code" in usage.text
    [unknown] = await chat.say("enrol NOPE99")
    assert "can't find a course or run with the code NOPE99" in unknown.text
    await chat.say(f"enrol {MULTI}")
    [cancelled] = await chat.say("cancel")
    assert cancelled.text.startswith("Cancelled.")
    await chat.say(f"enrol {MULTI}")
    await chat.say("1")
    [already] = await chat.say(f"enrol {MULTI}")
    assert "You already have a place on PERMX-A: it is confirmed" in already.text
    async with session_factory.begin() as session:  # the course has begun
        await session.execute(update(RunSession).values(starts_at=clock.now()))
    [closed] = await chat.say(f"enrol {ONE_DAY}")
    assert "no dates open for enrolment" in closed.text and f"enquire {ONE_DAY}" in closed.text


async def test_my_courses_and_withdrawing_with_a_confirmation(chat, session_factory) -> None:
    [empty] = await chat.say("my courses")
    assert "You have no places" in card_text(empty)
    await chat.say(f"enrol {MULTI}")
    await chat.say("I can attend every date")
    [mine] = await chat.say("my courses")
    listing = card_text(mine)
    assert "Permanence in four sessions" in listing and "PERMX-A · Confirmed" in listing
    assert CALENDAR_LINK.match(_urls(card_of(mine))["Add to calendar"])
    assert {"verb": "withdraw", "args": MULTI_RUN} in [a.get("data") for a in card_actions(card_of(mine))]

    [question] = await chat.say(f"withdraw {MULTI}")
    assert "Cancel your place on Permanence in four sessions (PERMX-A)?" in card_text(question)
    assert await _status(session_factory, PARTICIPANT_AAD) == EnrolmentStatus.CONFIRMED  # nothing yet
    [done] = await chat.press("withdraw", f"{MULTI_RUN} confirm")
    assert "Your place on PERMX-A is cancelled" in done.text
    assert await _status(session_factory, PARTICIPANT_AAD) == EnrolmentStatus.CANCELLED
    assert await outbox(session_factory, notices.REMINDER) == []
    [again] = await chat.press("withdraw", f"{MULTI_RUN} confirm")  # a replayed press
    assert "no place or waitlist entry on PERMX-A" in again.text


async def test_roster_is_for_the_runs_trainers_and_coordinators_only(chat, session_factory) -> None:
    await chat.say(f"enrol {MULTI}")
    await chat.say("I can attend every date")
    [participant] = await chat.say(f"roster {MULTI}")
    assert "only for" in participant.text
    [other_trainer] = await _as(chat, OTHER_TRAINER_AAD, "Megan Bowen").say(f"roster {MULTI}")
    assert "only a run's trainers and coordinators" in other_trainer.text
    for aad, name in ((TRAINER_AAD, "Zoe Rosenfield"), (COORDINATOR_AAD, "Adele Vance")):
        [roster] = await _as(chat, aad, name).say(f"roster {MULTI}")
        shown = card_text(roster)
        assert "Roster: Permanence in four sessions" in shown and "1 of 3 places taken" in shown
        assert "Confirmed (1)" in shown and "Alex Wilber (Brighton & Hove City Council)" in shown


async def test_a_coordinator_reschedules_a_session_and_participants_are_told(chat, session_factory) -> None:
    await chat.say(f"enrol {MULTI}")
    await chat.say("I can attend every date")
    coordinator = _as(chat, COORDINATOR_AAD, "Adele Vance")
    [usage] = await coordinator.say("reschedule PERMX-A 2 next tuesday")
    assert "reschedule PERM4-A 3 2027-09-20 10:00-15:00" in usage.text
    [moved] = await coordinator.say("reschedule permx-a 2 2026-12-22 13:00-16:00")
    assert "Session 2 of PERMX-A moved from Monday 21 December 2026, 10:00–15:00 GMT to Tuesday 22 December" in (
        moved.text
    )
    assert "told 1 person" in moved.text
    [notice] = await outbox(session_factory, notices.SESSION_MOVED)
    assert notice.recipient_aad_object_id == PARTICIPANT_AAD
    [refused] = await chat.say("reschedule PERMX-A 2 2026-12-22 13:00-16:00")
    assert "only for" in refused.text


async def test_help_lists_the_enrolment_commands(chat) -> None:
    [reply] = await chat.say("help")
    listing = texts([reply])
    for usage in ("enrol CODE:", "my courses:", "withdraw CODE:"):
        assert usage in listing
    assert "roster CODE" not in listing  # participants do not see the trainers' commands
