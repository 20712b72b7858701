"""The enrol flow in a chat, and its refusals: dates, organisation, eligibility, price, every session, clash,
waitlist, confirmation with the join link and calendar; my courses, withdraw, offers, roster and clash decisions."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import timedelta
from typing import Any

import pytest
from botbuilder.core import InvokeResponse
from botbuilder.schema import Activity
from sqlalchemy import select, update

from classroom.catalogue.file_format import RunSpec
from classroom.catalogue.importer import import_catalogue
from classroom.enrolment import notices
from classroom.enrolment.enrolments import Clash
from classroom.enrolment.errors import CourseFull
from classroom.enrolment.service import EnrolmentService
from dialogs.answer_prompt import EARLIER_QUESTION, NO_QUESTION, NOT_TAKEN
from dialogs.cards.messages import card_activity
from dialogs.enrolment.cards.clash_review import build_clash_review_card
from dialogs.enrolment.cards.waitlist_offer import build_waitlist_offer_card
from storage.models import CourseRun, Enrolment, EnrolmentStatus, RunSession
from tests.classroom.enrolment.conftest import FIRST_DAY
from tests.support.bot_harness import (
    PARTICIPANT_AAD,
    Conversation,
    button_titles,
    card_of,
    card_text,
    default_settings,
    texts,
)
from tests.support.cards import card_actions, elements
from tests.support.catalogue import load_demo_catalogue
from tests.support.enrolment import (
    BHCC,
    COORDINATOR_AAD,
    DOWNLAND,
    LONDON,
    MULTI,
    MULTI_RUN,
    ONE_DAY,
    ONE_DAY_RUN,
    OTHER_TRAINER_AAD,
    SOUTHCOAST,
    TRAINER_AAD,
    add_person,
    delivered,
    load_world,
    outbox,
    weekly_sessions,
    with_runs,
    world,
)

JOIN_URL = "https://teams.microsoft.com/l/meetup-join/test-permx"
CALENDAR_LINK = re.compile(r"^http://127\.0\.0\.1:3978/calendar/([A-Za-z0-9_-]{43})\.ics$")


@pytest.fixture
async def chat(session_factory, clock) -> Conversation:
    """Alex Wilber, who works for Brighton & Hove City Council, in a 1:1 chat."""
    await load_world(session_factory, world(FIRST_DAY))
    await add_person(session_factory, PARTICIPANT_AAD, "Alex Wilber", BHCC)
    return Conversation(session_factory, clock)


def _as(chat: Conversation, aad_object_id: str, name: str) -> Conversation:
    return chat.as_someone_else(aad_object_id, name)


def _card_answer(answer: InvokeResponse | None) -> dict[str, Any]:
    """The card an invoke was answered with (Teams puts it in place of the card pressed)."""
    assert answer is not None and answer.body.type == "application/vnd.microsoft.card.adaptive", answer
    card: dict[str, Any] = answer.body.value
    return card


def _answered(answer: InvokeResponse | None) -> dict[str, Any]:
    """The card Teams shows in place of a pressed question card: the question, answered, with nothing to press."""
    assert answer is not None and answer.body.type == "application/vnd.microsoft.card.adaptive", answer
    card: dict[str, Any] = answer.body.value
    assert not [a for a in card_actions(card) if a.get("verb") == "answer" or "args" in a.get("data", {})]
    return card


def _urls(card: dict[str, Any]) -> dict[str, str]:
    return {a["title"]: a["url"] for a in card_actions(card) if a["type"] == "Action.OpenUrl"}


def _shown(card: dict[str, Any]) -> str:
    """What the card shows as text (its buttons aside)."""
    shown = elements(card, lambda e: e.get("type") in ("TextBlock", "RichTextBlock", "FactSet"))
    return json.dumps(shown, ensure_ascii=False)


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
    assert button_titles(terms) == ["I can attend every date", "I have a clash", "No thanks"]

    answer, [confirmation] = await chat.tap(terms, "I can attend every date")
    assert "Your answer: I can attend every date" in _answered(answer)["fallbackText"]
    assert "Price: £320.00 per place" in _answered(answer)["fallbackText"]  # the terms stay readable
    confirmed = card_text(confirmation)
    assert "You're enrolled: Permanence in four sessions" in confirmed
    assert len(re.findall(r"Session \d of 4: ", confirmed)) == 4
    assert "Join online: in Microsoft Teams, with the “Join the session” button below" in confirmed
    assert JOIN_URL not in _shown(card_of(confirmation))  # a button, never the raw link in the text
    assert "I'll remind you 7 days, 1 day and 1 hour before each session" in confirmed
    urls = _urls(card_of(confirmation))
    assert urls["Course outline"] == "https://example.org/permx-outline.pdf"
    assert urls["Join the session"] == JOIN_URL
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
    assert button_titles(choice) == ["PERMPLAN-1", "PERMPLAN-2"]
    [retry] = await chat.say("the autumn one")
    assert "number or code" in retry.text
    [terms] = await chat.say("2")  # typing still works
    assert "PERMPLAN-2" in card_text(terms) and "£110.00 per place (Tier 2" in card_text(terms)
    assert button_titles(terms) == ["Confirm my place", "No thanks"]  # one day: no clash question
    [done] = await chat.say("confirm my place")
    assert "You're enrolled: Permanence Planning" in card_text(done)


async def test_buttons_of_an_earlier_question_or_of_a_finished_flow_are_not_taken(session_factory, clock) -> None:
    await load_demo_catalogue(session_factory, clock)
    await add_person(session_factory, PARTICIPANT_AAD, "Alex Wilber", "Downland County Council")
    chat = Conversation(session_factory, clock)
    [choice] = await chat.say("enrol permplan")
    answered, [terms] = await chat.tap(choice, "PERMPLAN-2")
    assert "Your answer: PERMPLAN-2" in _answered(answered)["fallbackText"]

    # The dates card still on the screen (a Teams client that did not replace it): its buttons are not answers
    # to the question now open.
    again, nothing = await chat.tap(choice, "PERMPLAN-1")
    assert again is not None and again.body.value == EARLIER_QUESTION and nothing == []
    _, [told] = await chat.tap(choice, "PERMPLAN-1", fallback=True)
    assert told.text.startswith(EARLIER_QUESTION)

    _, [done] = await chat.tap(terms, "Confirm my place")
    assert "You're enrolled: Permanence Planning" in card_text(done) and "PERMPLAN-2" in card_text(done)
    late, nothing = await chat.tap(terms, "No thanks")
    assert late is not None and late.body.value == NO_QUESTION and nothing == []
    _, [late_text] = await chat.tap(terms, "No thanks", fallback=True)
    assert late_text.text == NO_QUESTION
    assert await _status(session_factory, PARTICIPANT_AAD, "PERMPLAN-2") == EnrolmentStatus.CONFIRMED


async def test_an_unknown_organisation_is_asked_for_and_waits_for_confirmation(chat, session_factory) -> None:
    newcomer = _as(chat, "aad-newcomer", "Lynne Robbins")
    [question] = await newcomer.say(f"enrol {MULTI}")
    assert "Which organisation do you work for?" in card_text(question)
    assert DOWNLAND in button_titles(question) and "My organisation isn't listed" in button_titles(question)
    [retry] = await newcomer.say("the council")
    assert "number or name" in retry.text
    # A Teams client without Universal Actions sends the button's Action.Submit fallback: the same answer.
    _, [noted, waiting] = await newcomer.tap(question, DOWNLAND, fallback=True)
    assert "the training team will confirm it" in noted.text
    # PERMX-A is limited to two councils: it waits for a coordinator to confirm they work for Downland.
    assert "You can't enrol on PERMX-A just yet" in waiting.text and "yet to confirm" in waiting.text
    assert await _status(session_factory, "aad-newcomer") is None
    [terms] = await newcomer.say(f"enrol {ONE_DAY}")  # open to all; the organisation is remembered, not asked
    assert "Enrol on" in card_text(terms)
    assert "to be confirmed" in card_text(terms) and "Tier 2" in card_text(terms)


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
    assert "Which sessions can't you attend?" in card_text(which)
    assert "Session 3: Monday 28 December 2026, 10:00–15:00 GMT" in card_text(which)
    # Several may clash: a box to tick for each session, and one button that sends them.
    [boxes] = elements(card_of(which), lambda e: e.get("type") == "Input.ChoiceSet")
    assert boxes["isMultiSelect"] and [c["value"] for c in boxes["choices"]] == ["1", "2", "3", "4"]
    assert button_titles(which) == ["Send"]
    [retry] = await chat.say("1, 2, 3 and 4")  # every session is no place at all
    assert "type their numbers, from 1 to 4" in retry.text
    [retry] = await chat.say("sessions 1 and 5")
    assert "e.g. **1, 4**" in retry.text
    refused, _ = await chat.tap(which, "Send", inputs={boxes["id"]: "1,2,3,4"})  # ticked every box: no better
    assert refused is not None and refused.body.value == NOT_TAKEN
    answer, [why] = await chat.tap(which, "Send", inputs={boxes["id"]: "1,3"})
    assert (
        "Your answer: Session 1: Monday 14 December 2026, 10:00–15:00 GMT, Session 3: Monday 28 December 2026"
        in _answered(answer)["fallbackText"]
    )
    assert "What is the clash?" in why.text
    [pending] = await chat.say("A court hearing **I must attend**")
    held = card_text(pending)
    assert "Your place is waiting for the trainers" in held
    assert "Session 1 of 4: Monday 14 December 2026" in held and "Session 3 of 4: Monday 28 December 2026" in held
    assert "Session 2 of 4" not in held.split("I'll message you")[0]  # only the clashing ones are listed
    reason = [b for b in card_of(pending)["body"] if b["type"] == "RichTextBlock"]
    assert reason[0]["inlines"][0]["text"] == "A court hearing **I must attend**"  # shown literally
    [review] = await outbox(session_factory, notices.CLASH_REVIEW)
    assert review.recipient_aad_object_id == TRAINER_AAD
    assert [s["position"] for s in review.payload["clash_sessions"]] == [1, 3]
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


async def test_the_review_cards_buttons_decide_in_place_and_every_copy_then_says_so(chat, session_factory) -> None:
    await chat.say(f"enrol {MULTI}")
    await chat.say("I have a clash")
    await chat.say("3")
    await chat.say("A court hearing")
    [row] = await outbox(session_factory, notices.CLASH_REVIEW)
    await delivered(session_factory, notices.CLASH_REVIEW)
    review = card_activity(build_clash_review_card(notices.ClashReviewNotice.from_payload(row.payload), LONDON))
    assert button_titles(review) == ["Accept", "Decline", "Roster"]

    refused, _ = await _as(chat, OTHER_TRAINER_AAD, "Megan Bowen").tap(review, "Accept")
    assert refused is not None and "no clash request with that number that you can decide" in refused.body.value
    assert "PERMX-A" not in refused.body.value  # nothing said about whose run it is
    answer, nothing = await _as(chat, TRAINER_AAD, "Zoe Rosenfield").tap(review, "Accept")
    decided = _card_answer(answer)
    assert decided["fallbackText"].startswith("Accepted: Alex Wilber's place on PERMX-A is confirmed.")
    assert "Clash reviewed: Permanence in four sessions" in decided["fallbackText"]
    assert "Accepted by Zoe Rosenfield" in decided["fallbackText"]
    assert [a["title"] for a in card_actions(decided)] == ["Roster"] and nothing == []
    [replacement] = await outbox(session_factory, notices.CLASH_REVIEW)  # the trainer's copy, replaced for good
    replaced = build_clash_review_card(notices.ClashReviewNotice.from_payload(replacement.payload), LONDON)
    assert "Accepted by Zoe Rosenfield" in replaced.fallback_text and "Accept (type" not in replaced.fallback_text

    coordinator = _as(chat, COORDINATOR_AAD, "Adele Vance")
    late, _ = await coordinator.tap(review, "Decline")  # another copy, pressed after the decision
    assert "already settled" in _card_answer(late)["fallbackText"]
    assert "Accepted by Zoe Rosenfield" in _card_answer(late)["fallbackText"]
    _, [typed] = await coordinator.tap(review, "Decline", fallback=True)
    assert "already accepted by Zoe Rosenfield" in typed.text
    assert await _status(session_factory, PARTICIPANT_AAD) == EnrolmentStatus.CONFIRMED


async def test_a_decision_on_a_clash_whose_session_the_catalogue_dropped_says_what_it_did(
    chat, session_factory
) -> None:
    await chat.say(f"enrol {MULTI}")
    await chat.say("I have a clash")
    await chat.say("3")
    await chat.say("A court hearing")
    [row] = await outbox(session_factory, notices.CLASH_REVIEW)
    review = card_activity(build_clash_review_card(notices.ClashReviewNotice.from_payload(row.payload), LONDON))
    shortened = world(FIRST_DAY)  # the run now ends after session 2: the clashing session 3 is gone
    shortened = dataclasses.replace(
        shortened,
        courses=tuple(
            dataclasses.replace(
                course,
                runs=tuple(
                    dataclasses.replace(run, sessions=run.sessions[:2]) if run.code == MULTI_RUN else run
                    for run in course.runs
                ),
            )
            for course in shortened.courses
        ),
    )
    async with session_factory.begin() as session:
        await import_catalogue(session, shortened)
    answer, _ = await _as(chat, TRAINER_AAD, "Zoe Rosenfield").tap(review, "Accept")
    assert answer is not None  # no clash left to show: the answer is a message saying what the press did
    assert answer.body.value.startswith("Accepted: Alex Wilber's place on PERMX-A is confirmed.")
    assert await _status(session_factory, PARTICIPANT_AAD) == EnrolmentStatus.CONFIRMED


async def test_a_full_run_offers_the_waitlist(chat, session_factory, clock) -> None:
    await add_person(session_factory, "aad-first", "First Person", BHCC)
    await EnrolmentService(session_factory, clock).enrol("aad-first", ONE_DAY_RUN)
    [terms] = await chat.say(f"enrol {ONE_DAY}")
    assert "This date is full. You can join the waitlist as number 1" in card_text(terms)
    assert "hold it for 48 hours" in card_text(terms)
    assert button_titles(terms) == ["Join the waitlist", "No thanks"]
    [waiting] = await chat.say("join the waitlist")
    assert "You are number **1** on the waitlist" in card_text(waiting)
    [again] = await chat.say(f"enrol {ONE_DAY}")
    assert "already number 1 on the waitlist" in again.text


async def test_a_full_run_points_to_another_date_with_places(chat, session_factory, clock) -> None:
    later = RunSpec(code="ONEDAY-2", capacity=2, sessions=weekly_sessions(FIRST_DAY + timedelta(days=9), 1))
    async with session_factory.begin() as session:
        await import_catalogue(session, with_runs(world(FIRST_DAY), ONE_DAY, later))
    await add_person(session_factory, "aad-first", "First Person", BHCC)
    await EnrolmentService(session_factory, clock).enrol("aad-first", ONE_DAY_RUN)
    [terms] = await chat.say(f"enrol {ONE_DAY_RUN}")
    shown = card_text(terms)
    assert "This date is full" in shown
    assert "Other dates with places:" in shown and "ONEDAY-2**: Wednesday 23 December 2026" in shown
    assert button_titles(terms) == ["Book ONEDAY-2 instead", "Join the waitlist", "No thanks"]
    answer, [other] = await chat.tap(terms, "Book ONEDAY-2 instead")
    assert "Your answer: Book ONEDAY-2 instead" in _answered(answer)["fallbackText"]
    assert "ONEDAY-2" in card_text(other) and "Places: 2 of 2 left" in card_text(other)
    [done] = await chat.say("confirm my place")
    assert "Your place on **ONEDAY-2** is confirmed" in card_text(done)
    assert await _status(session_factory, PARTICIPANT_AAD, "ONEDAY-2") == EnrolmentStatus.CONFIRMED
    assert await _status(session_factory, PARTICIPANT_AAD, ONE_DAY_RUN) is None


async def test_the_last_place_gone_while_deciding_points_to_another_date(chat, session_factory, clock) -> None:
    later = RunSpec(code="ONEDAY-2", capacity=2, sessions=weekly_sessions(FIRST_DAY + timedelta(days=9), 1))
    async with session_factory.begin() as session:
        await import_catalogue(session, with_runs(world(FIRST_DAY), ONE_DAY, later))
    await chat.say(f"enrol {ONE_DAY_RUN}")
    await add_person(session_factory, "aad-quick", "Quick Person", BHCC)
    await EnrolmentService(session_factory, clock).enrol("aad-quick", ONE_DAY_RUN)
    [gone] = await chat.say("confirm my place")
    assert "someone took the last place on ONEDAY-1" in card_text(gone) and "ONEDAY-2**" in card_text(gone)
    assert button_titles(gone) == ["Book ONEDAY-2 instead", "Join the waitlist", "No thanks"]
    [other] = await chat.say("1")  # typed, by its number
    assert "Enrol on Permanence planning in a day" in card_text(other) and "ONEDAY-2" in card_text(other)


@pytest.mark.parametrize(
    ("hours", "held"), [(0.5, "30 minutes"), (1.5, "1 hour 30 minutes"), (36, "36 hours"), (48, "48 hours")]
)
async def test_the_waitlist_says_how_long_an_offer_is_held(session_factory, clock, hours, held) -> None:
    await load_world(session_factory, world(FIRST_DAY))
    await add_person(session_factory, PARTICIPANT_AAD, "Alex Wilber", BHCC)
    await add_person(session_factory, "aad-first", "First Person", BHCC)
    chat = Conversation(session_factory, clock, settings=default_settings(waitlist_offer_hours=hours))
    await chat.services.enrolment.enrol("aad-first", ONE_DAY_RUN)
    [terms] = await chat.say(f"enrol {ONE_DAY}")
    assert f"hold it for {held}." in card_text(terms)
    [waiting] = await chat.say("join the waitlist")
    assert f"hold it for {held}." in card_text(waiting)


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


async def _offered(session_factory, clock, run_code: str = ONE_DAY_RUN) -> Activity:
    """Alex waits for the full ``run_code`` and is offered the place freed; returns the offer card as sent."""
    service = EnrolmentService(session_factory, clock)
    holders = [f"aad-holder-{n}" for n in range(3 if run_code == MULTI_RUN else 1)]
    for holder in holders:
        await add_person(session_factory, holder, "Place Holder", BHCC)
        await service.enrol(holder, run_code)
    with pytest.raises(CourseFull):
        await service.enrol(PARTICIPANT_AAD, run_code)
    await service.join_waitlist(PARTICIPANT_AAD, run_code)
    await service.withdraw(holders[0], run_code)
    [offer] = await outbox(session_factory, notices.WAITLIST_OFFER)
    assert offer.recipient_aad_object_id == PARTICIPANT_AAD
    await delivered(session_factory, notices.WAITLIST_OFFER)
    notice = notices.WaitlistOfferNotice.from_payload(offer.payload)
    return card_activity(build_waitlist_offer_card(notice, LONDON))


async def test_an_offered_place_is_taken_with_one_press_and_its_card_stops_asking(chat, session_factory, clock) -> None:
    offer = await _offered(session_factory, clock)
    assert "held for you until **Wednesday 25 November 2026 at 09:00 GMT**" in card_text(offer)
    assert button_titles(offer) == ["Accept the place", "No thanks"]

    answer, [done] = await chat.tap(offer, "Accept the place")  # no terms again: the offer showed them
    assert "You're enrolled" in card_text(done) and "Add to calendar" in button_titles(done)
    assert await _status(session_factory, PARTICIPANT_AAD, ONE_DAY_RUN) == EnrolmentStatus.CONFIRMED
    settled = _card_answer(answer)
    assert settled["fallbackText"].startswith("Place taken: Permanence planning in a day")
    assert [a["title"] for a in card_actions(settled)] == ["My courses"]
    [replacement] = await outbox(session_factory, notices.WAITLIST_OFFER)  # the copy in the chat, replaced
    assert replacement.payload["outcome"] == "accepted"

    again, nothing = await chat.tap(offer, "Accept the place")  # the old card pressed again: its state, no error
    assert _card_answer(again)["fallbackText"].startswith("Place taken") and nothing == []
    _, [typed] = await chat.tap(offer, "Accept the place", fallback=True)  # a client without Universal Actions
    assert "No place is being held for you on ONEDAY-1 now" in typed.text


async def test_an_offer_turned_down_from_its_card_says_so(chat, session_factory, clock) -> None:
    offer = await _offered(session_factory, clock)
    answer, nothing = await chat.tap(offer, "No thanks")
    settled = _card_answer(answer)
    assert settled["fallbackText"].startswith("Done: the place goes to the next person waiting.")
    assert "Offer turned down" in settled["fallbackText"] and nothing == []
    assert await _status(session_factory, PARTICIPANT_AAD, ONE_DAY_RUN) == EnrolmentStatus.CANCELLED
    again, _ = await chat.tap(offer, "Accept the place")  # too late: nothing taken
    assert "Offer turned down" in _card_answer(again)["fallbackText"]
    assert await _status(session_factory, PARTICIPANT_AAD, ONE_DAY_RUN) == EnrolmentStatus.CANCELLED


async def test_an_offer_of_several_sessions_with_a_clash_asks_only_about_the_clash(
    chat, session_factory, clock
) -> None:
    offer = await _offered(session_factory, clock, MULTI_RUN)
    assert button_titles(offer) == ["Accept: I can attend every date", "I have a clash", "No thanks"]
    _, [which] = await chat.tap(offer, "I have a clash")
    assert "Which sessions can't you attend?" in card_text(which)  # straight to the clash, no terms again
    await chat.tap(which, "Send", inputs={"args": "2"})
    [pending] = await chat.say("A court hearing")
    assert "Your place is waiting for the trainers" in card_text(pending)
    [replacement] = await outbox(session_factory, notices.WAITLIST_OFFER)
    assert replacement.payload["outcome"] == "under_review"


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


async def test_my_courses_and_withdrawing_with_a_confirmation(chat, session_factory, clock) -> None:
    [empty] = await chat.say("my courses")
    assert "You have no places" in card_text(empty)
    await chat.say(f"enrol {MULTI}")
    await chat.say("I can attend every date")
    [mine] = await chat.say("my courses")
    listing = card_text(mine)
    assert "Permanence in four sessions" in listing and "PERMX-A · Confirmed" in listing
    urls = _urls(card_of(mine))
    assert CALENDAR_LINK.match(urls["Add PERMX-A to calendar"]) and urls["Join the PERMX-A session"] == JOIN_URL
    assert JOIN_URL not in _shown(card_of(mine))
    assert {"verb": "withdraw", "args": MULTI_RUN} in [a.get("data") for a in card_actions(card_of(mine))]

    [question] = await chat.say(f"withdraw {MULTI}")
    assert "Cancel your place on Permanence in four sessions (PERMX-A)?" in card_text(question)
    [reason_box] = elements(card_of(question), lambda e: e.get("type") == "Input.Text")
    assert "optional" in reason_box["label"]
    assert await _status(session_factory, PARTICIPANT_AAD) == EnrolmentStatus.CONFIRMED  # nothing yet
    # The confirm button, with what was typed in the reason box beside its data (as Teams sends it).
    [done] = await chat.submit(
        {"verb": "withdraw", "args": f"{MULTI_RUN} confirm", reason_box["id"]: "My team is short-staffed"}
    )
    assert "Your place on PERMX-A is cancelled" in card_text(done)
    assert await _status(session_factory, PARTICIPANT_AAD) == EnrolmentStatus.CANCELLED
    assert await outbox(session_factory, notices.REMINDER) == []
    told = await outbox(session_factory, notices.WITHDRAWN)
    assert {n.recipient_aad_object_id for n in told} == {TRAINER_AAD, COORDINATOR_AAD}
    assert {n.payload["reason"] for n in told} == {"My team is short-staffed"}
    # The answer's link takes the sessions out of a calendar they were added to.
    token = CALENDAR_LINK.match(_urls(card_of(done))["Remove from my calendar"])
    assert token is not None
    calendar = await EnrolmentService(session_factory, clock).calendar_file(token.group(1))
    assert b"METHOD:CANCEL" in calendar.content and calendar.content.count(b"STATUS:CANCELLED") == 4
    [again] = await chat.press("withdraw", f"{MULTI_RUN} confirm")  # a replayed press
    assert "no place or waitlist entry on PERMX-A" in again.text


async def test_a_reason_can_be_typed_after_confirm(chat, session_factory) -> None:
    await chat.say(f"enrol {ONE_DAY}")
    await chat.say("confirm")
    [done] = await chat.say("withdraw oneday confirm I have been signed off sick")
    assert "Your place on ONEDAY-1 is cancelled" in card_text(done)
    [told] = await outbox(session_factory, notices.WITHDRAWN)  # the one-day run has no linked trainer
    assert told.recipient_aad_object_id == COORDINATOR_AAD
    assert told.payload["reason"] == "I have been signed off sick"


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


async def test_the_roster_shows_who_misses_which_session(chat, session_factory, clock) -> None:
    service = EnrolmentService(session_factory, clock)
    await add_person(session_factory, "aad-isaiah", "Isaiah Langer", DOWNLAND)
    await service.enrol("aad-isaiah", MULTI_RUN)
    accepted = await service.enrol(PARTICIPANT_AAD, MULTI_RUN, clash=Clash((2, 4), "court"))
    await service.decide_clash(TRAINER_AAD, accepted.id, accept=True)
    await add_person(session_factory, "aad-patti", "Patti Fernandez", BHCC)
    await service.enrol("aad-patti", MULTI_RUN, clash=Clash((4,), "leave"))  # still to decide
    [roster] = await _as(chat, TRAINER_AAD, "Zoe Rosenfield").say(f"roster {MULTI_RUN}")
    shown = card_text(roster)
    assert "Alex Wilber (Brighton & Hove City Council), missing sessions 2 and 4" in shown
    assert "Patti Fernandez (Brighton & Hove City Council), cannot attend session 4:" in shown
    assert "Session 1 of 4, Monday 14 December 2026, 10:00–15:00 GMT: 3 coming" in shown
    assert "Session 2 of 4, Monday 21 December 2026, 10:00–15:00 GMT: 2 coming\nMissing: Alex Wilber" in shown
    assert (
        "Session 4 of 4, Monday 4 January 2027, 10:00–15:00 GMT: 1 coming\nMissing: Alex Wilber (Brighton & Hove "
        "City Council); Patti Fernandez (Brighton & Hove City Council) (waiting for a decision)"
    ) in shown


async def test_help_lists_the_enrolment_commands(chat) -> None:
    [reply] = await chat.say("help")
    listing = texts([reply])
    for usage in ("enrol CODE:", "my courses:", "withdraw CODE:"):
        assert usage in listing
    assert "roster CODE" not in listing  # participants do not see the trainers' commands
