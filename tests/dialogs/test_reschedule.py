"""``reschedule`` in a chat: UK dates, daylight-saving times explained, and a confirmation card that shows the old
and new time and who will be told; nothing is sent until a coordinator confirms, and the confirmation is checked
again when it arrives."""

from __future__ import annotations

from typing import Any

import pytest
from botbuilder.core import InvokeResponse
from botbuilder.schema import Activity

from classroom.enrolment import notices
from classroom.enrolment.enrolments import Clash
from classroom.enrolment.service import EnrolmentService
from dialogs.enrolment.cards.clash_review import CLASH_ACCEPT, build_clash_review_card
from dialogs.enrolment.cards.reschedule import CANCEL, CONFIRM
from dialogs.enrolment.cards.session_moved import build_session_moved_card, build_trainer_session_moved_card
from tests.classroom.enrolment.conftest import FIRST_DAY
from tests.support.bot_harness import PARTICIPANT_AAD, Conversation, card_of, card_text
from tests.support.cards import card_actions
from tests.support.enrolment import (
    BHCC,
    COORDINATOR_AAD,
    DOWNLAND,
    LONDON,
    MULTI_RUN,
    TRAINER_AAD,
    add_person,
    load_world,
    outbox,
    world,
)

ISAIAH = "aad-isaiah"


@pytest.fixture
async def chat(session_factory, clock) -> Conversation:
    """Alex Wilber holds a place on PERMX-A (sessions on Mondays from 14 December 2026, 10:00-15:00)."""
    await load_world(session_factory, world(FIRST_DAY))
    await add_person(session_factory, PARTICIPANT_AAD, "Alex Wilber", BHCC)
    await EnrolmentService(session_factory, clock).enrol(PARTICIPANT_AAD, MULTI_RUN)
    return Conversation(session_factory, clock)


@pytest.fixture
def adele(chat: Conversation) -> Conversation:
    return chat.as_someone_else(COORDINATOR_AAD, "Adele Vance")


def _button(activity: Activity, title: str) -> dict[str, Any]:
    [action] = [a for a in card_actions(card_of(activity)) if a.get("title") == title]
    return action


async def _press(person: Conversation, action: dict[str, Any], **kwargs: Any) -> InvokeResponse:
    assert action["type"] == "Action.Execute"
    response, others = await person.execute(action["verb"], action["data"], **kwargs)
    assert others == [] and response.status == 200
    return response


def _answer(response: InvokeResponse) -> str:
    """What replaced the card (its plain text), or the message Teams showed instead."""
    if response.body.type == "application/vnd.microsoft.card.adaptive":
        return str(response.body.value["fallbackText"])
    return str(response.body.value)


async def _sent(session_factory) -> list[str]:  # type: ignore[no-untyped-def]
    """Who was told of a move: (kind, recipient) of every queued move notice."""
    rows = await outbox(session_factory, notices.SESSION_MOVED) + await outbox(
        session_factory, notices.TRAINER_SESSION_MOVED
    )
    return sorted(f"{row.kind}:{row.recipient_aad_object_id}" for row in rows)


async def test_the_coordinator_sees_who_will_be_told_and_nobody_is_until_confirmed(adele, session_factory) -> None:
    [shown] = await adele.say("reschedule permx-a 2 22/12/2026 13:00-16:00")
    confirmation = card_text(shown)
    assert confirmation.startswith("Move session 2 of PERMX-A?")
    assert "Currently: Monday 21 December 2026, 10:00–15:00 GMT" in confirmation
    assert "New time: Tuesday 22 December 2026, 13:00–16:00 GMT" in confirmation
    assert "1 participant holding a place" in confirmation
    assert "Trainers\nZoe Rosenfield" in confirmation and "Rebecca Watts (no Teams account linked)" in confirmation
    assert [a["verb"] for a in card_actions(card_of(shown))] == [CONFIRM, CANCEL]
    assert await _sent(session_factory) == []  # nothing until confirmed

    done = _answer(await _press(adele, _button(shown, "Move it and tell them")))

    assert done.startswith("Moved: session 2 of PERMX-A") and "I've told 1 participant" in done
    assert "Trainers told\nZoe Rosenfield" in done
    assert await _sent(session_factory) == [
        f"{notices.SESSION_MOVED}:{PARTICIPANT_AAD}",
        f"{notices.TRAINER_SESSION_MOVED}:{TRAINER_AAD}",
    ]


@pytest.mark.parametrize(
    "written",
    [
        "22/12/2026 13:00-16:00",
        "22 December 2026 13:00 - 16:00",
        "Tuesday 22nd Dec 2026, 1pm to 4pm",
        "2026-12-22 13.00-16.00",
    ],
)
async def test_uk_dates_and_times_are_understood(adele, written: str) -> None:
    [shown] = await adele.say(f"reschedule PERMX-A 2 {written}")
    assert "New time: Tuesday 22 December 2026, 13:00–16:00 GMT" in card_text(shown)


@pytest.mark.parametrize(
    ("written", "explained"),
    [
        (
            "28/03/2027 01:30-03:00",
            "01:30 on Sunday 28 March 2027 doesn't exist in UK time: at 01:00 the clocks go forward 1 hour to "
            "02:00 (GMT to BST). Choose a time outside 01:00–02:00.",
        ),
        (
            "31 October 2027 09:00-01:15",
            "01:15 on Sunday 31 October 2027 happens twice in UK time: at 02:00 the clocks go back 1 hour to "
            "01:00 (BST to GMT), so I can't tell which you mean. Choose a time outside 01:00–02:00.",
        ),
        ("Monday 22/12/2026 13:00-16:00", "22 December 2026 is a Tuesday, not a Monday."),
        ("12/22/2026 13:00-16:00", 'I can\'t read "12/22/2026" as a date.'),
        ("22/12/2026 13:00-16", 'I can\'t read "16" as a time.'),
        ("next tuesday", "Type it like this: **reschedule PERM4-A 3 20/09/2027 10:00-15:00** (UK time)."),
    ],
)
async def test_times_that_are_not_one_moment_are_explained(adele, session_factory, written, explained) -> None:
    [reply] = await adele.say(f"reschedule PERMX-A 2 {written}")
    assert explained in reply.text
    assert "Sorry, something went wrong" not in reply.text
    assert await _sent(session_factory) == []


async def test_a_refusal_by_the_domain_is_explained(adele) -> None:
    [overlap] = await adele.say("reschedule PERMX-A 2 14/12/2026 11:00-12:00")
    assert overlap.text == "That didn't work: that overlaps session 1."
    [backwards] = await adele.say("reschedule PERMX-A 2 22/12/2026 16:00-13:00")
    assert backwards.text == "That didn't work: the session must end after it starts."


async def test_cancel_changes_nothing(adele, session_factory) -> None:
    [shown] = await adele.say("reschedule PERMX-A 2 22/12/2026 13:00-16:00")
    cancelled = _answer(await _press(adele, _button(shown, "Cancel")))
    assert cancelled.startswith("Not moved") and "nobody was told" in cancelled
    assert await _sent(session_factory) == []
    [again] = await adele.say("reschedule PERMX-A 2 22/12/2026 13:00-16:00")
    assert "Currently: Monday 21 December 2026" in card_text(again)  # still where it was


async def test_a_confirmation_is_checked_again_when_it_arrives(chat, adele, session_factory) -> None:
    [shown] = await adele.say("reschedule PERMX-A 2 22/12/2026 13:00-16:00")
    confirm = _button(shown, "Move it and tell them")
    zoe = chat.as_someone_else(TRAINER_AAD, "Zoe Rosenfield")
    for outsider in (zoe, chat):  # a trainer, a participant: the card's data gives them nothing
        refused = _answer(await _press(outsider, confirm))
        assert refused == "Sorry, only coordinators can do this. Nothing was changed."
    tampered = {**confirm, "data": {**confirm["data"], "session": "2; drop"}}
    assert _answer(await _press(adele, tampered)).startswith("Sorry, that card is out of date.")
    assert await _sent(session_factory) == []

    # Two cards made before either was pressed: the second finds the session no longer where it showed it.
    [other] = await adele.say("reschedule PERMX-A 2 23/12/2026 09:00-12:00")
    assert _answer(await _press(adele, confirm)).startswith("Moved: session 2 of PERMX-A")
    again = _answer(await _press(adele, _button(other, "Move it and tell them")))
    assert again.startswith("Session 2 has moved since that card was made: it is now Tuesday 22 December 2026")
    assert "Currently: Tuesday 22 December 2026, 13:00–16:00 GMT" in again
    assert "New time: Wednesday 23 December 2026, 09:00–12:00 GMT" in again
    assert len(await _sent(session_factory)) == 2  # only the first move was told


async def test_a_confirmation_redelivered_by_teams_tells_nobody_twice(adele, session_factory) -> None:
    [shown] = await adele.say("reschedule PERMX-A 2 22/12/2026 13:00-16:00")
    confirm = _button(shown, "Move it and tell them")
    await _press(adele, confirm, activity_id="invoke-1")
    # The same activity again (Teams got no answer in time): its claim answers it, and the move does not run.
    redelivered = _answer(await _press(adele, confirm, activity_id="invoke-1"))
    assert redelivered == "Already received: this was done once and is not done again."
    # The button pressed again (a new activity): the move finds the session already there.
    repeated = _answer(await _press(adele, confirm))
    assert repeated.startswith("Already moved: session 2 of PERMX-A")
    assert len(await _sent(session_factory)) == 2


async def test_the_card_counts_a_clash_that_will_no_longer_apply(chat, adele, session_factory, clock) -> None:
    await add_person(session_factory, ISAIAH, "Isaiah Langer", DOWNLAND)
    pending = await EnrolmentService(session_factory, clock).enrol(
        ISAIAH, MULTI_RUN, clash=Clash((2,), "Court hearing")
    )
    [shown] = await adele.say("reschedule PERMX-A 2 22/12/2026 13:00-16:00")
    assert "2 participants holding a place" in card_text(shown)
    assert "Clashes with the old time: 1. They will no longer apply" in card_text(shown)
    done = _answer(await _press(adele, _button(shown, "Move it and tell them")))
    assert "Clashes with the old time: 1. They no longer apply" in done
    [isaiah] = await chat.as_someone_else(ISAIAH, "Isaiah Langer").say("my courses")
    assert "Confirmed" in card_text(isaiah) and "you will miss this one" not in card_text(isaiah)
    zoe = chat.as_someone_else(TRAINER_AAD, "Zoe Rosenfield")
    [late] = await zoe.say(f"clash decline {pending.id}")
    assert late.text.startswith("This clash no longer needs a decision: the participant's place is confirmed.")
    # The review card's own button, pressed before its copy was replaced: the same answer, in place of the card.
    pressed, nothing = await zoe.execute(CLASH_ACCEPT, {"enrolment": pending.id, "round": 1})
    assert _answer(pressed).startswith("This clash no longer needs a decision") and nothing == []


async def test_a_clash_with_other_sessions_too_is_told_as_it_stands(chat, adele, session_factory, clock) -> None:
    await add_person(session_factory, ISAIAH, "Isaiah Langer", DOWNLAND)
    service = EnrolmentService(session_factory, clock)
    await service.enrol(ISAIAH, MULTI_RUN, clash=Clash((2, 3), "Court hearings"))
    [shown] = await adele.say("reschedule PERMX-A 2 22/12/2026 13:00-16:00")
    await _press(adele, _button(shown, "Move it and tell them"))

    [isaiah] = await chat.as_someone_else(ISAIAH, "Isaiah Langer").say("my courses")
    mine = card_text(isaiah)
    assert "Waiting for the trainers' decision (your clash with session 3)" in mine
    assert "Tuesday 22 December 2026, 13:00–16:00 GMT (you will miss this one)" not in mine
    assert "Monday 28 December 2026, 10:00–15:00 GMT (you will miss this one)" in mine
    [told] = await outbox(session_factory, notices.SESSION_MOVED, recipient=ISAIAH)
    moved = build_session_moved_card(notices.SessionMovedNotice.model_validate(told.payload), LONDON).fallback_text
    assert "That no longer applies to this session, so we expect you at the new time." in moved
    assert "The trainers still have to decide about session 3" in moved and "confirmed" not in moved
    [trainer] = await outbox(session_factory, notices.TRAINER_SESSION_MOVED)
    to_trainer = notices.TrainerSessionMovedNotice.model_validate(trainer.payload)
    assert (
        "Isaiah Langer: they are expected at the new time; their clash with session 3 still waits for a decision"
        in (build_trainer_session_moved_card(to_trainer, LONDON).fallback_text)
    )
    [review] = await outbox(session_factory, notices.CLASH_REVIEW)
    still_asking = build_clash_review_card(notices.ClashReviewNotice.model_validate(review.payload), LONDON)
    card = still_asking.fallback_text
    assert "They cannot attend this session:" in card and "Session 3 of 4: Monday 28 December 2026" in card
    assert "Session 2 of 4: Monday 21 December" not in card  # no longer part of what they ask to miss
    # The card says why it changed, and still asks about the session left.
    assert (
        "Session 2 of 4 moved from Monday 21 December 2026, 10:00–15:00 GMT to Tuesday 22 December 2026, 13:00–16:00 "
        "GMT, so they are expected there; only session 3 still needs a decision." in card
    )
    assert [a["title"] for a in card_actions(still_asking.card)] == ["Accept", "Decline", "Roster"]


async def test_only_coordinators_may_reschedule(chat) -> None:
    [refused] = await chat.say("reschedule PERMX-A 2 22/12/2026 13:00-16:00")
    assert "only for" in refused.text
