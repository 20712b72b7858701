"""A course card asked for again is not built again (``dialogs/catalogue/cards/kept_cards.py``), yet it always
shows the places left now and the asker's own price; and the turn reads the asker's organisation once."""

from __future__ import annotations

from datetime import date

from classroom.enrolment.service import EnrolmentService
from dialogs.catalogue.cards import course_details, course_list
from tests.support.bot_harness import PARTICIPANT_AAD, Conversation, card_text
from tests.support.enrolment import BHCC, DOWNLAND, MULTI, MULTI_RUN, add_person, load_world, world
from tests.support.statements import statements

FIRST_DAY = date(2026, 12, 14)


async def test_a_course_card_reads_the_askers_organisation_once(engine, session_factory, clock) -> None:
    await load_world(session_factory, world(FIRST_DAY))
    await add_person(session_factory, PARTICIPANT_AAD, "Alex Wilber", DOWNLAND)
    alex = Conversation(session_factory, clock)
    await alex.say(f"course {MULTI}")
    with statements(engine) as seen:
        [card] = await alex.say(f"course {MULTI}")
    assert "£360.00 per place (Tier 2, Downland County Council)" in card_text(card)
    assert len([s for s in seen if "organisations" in s]) == 1
    assert len([s for s in seen if "catalogue_version" in s]) == 1


async def test_a_kept_card_shows_the_places_left_now_and_each_askers_own_price(session_factory, clock) -> None:
    await load_world(session_factory, world(FIRST_DAY))
    await add_person(session_factory, PARTICIPANT_AAD, "Alex Wilber", DOWNLAND)
    await add_person(session_factory, "aad-lynne", "Lynne Robbins", BHCC)
    alex = Conversation(session_factory, clock)
    lynne = alex.as_someone_else("aad-lynne", "Lynne Robbins")

    [first] = await alex.say(f"course {MULTI}")
    builds = course_details.details_cards.builds
    [again] = await alex.say(f"course {MULTI}")
    assert course_details.details_cards.builds == builds  # the same card, not built again
    assert card_text(again) == card_text(first)
    assert "Places left: 3 of 3" in card_text(again)

    [hers] = await lynne.say(f"course {MULTI}")  # another band: her own card
    assert "£320.00 per place (Tier 1, Brighton & Hove City Council)" in card_text(hers)
    assert "Downland" not in card_text(hers)

    await EnrolmentService(session_factory, clock).enrol("aad-lynne", MULTI_RUN)
    [after] = await alex.say(f"course {MULTI}")
    assert "Places left: 2 of 3" in card_text(after)
    assert "£360.00 per place (Tier 2, Downland County Council)" in card_text(after)


async def test_the_kept_course_list_shows_the_places_left_now(session_factory, clock) -> None:
    await load_world(session_factory, world(FIRST_DAY, capacity=5))
    await add_person(session_factory, "aad-lynne", "Lynne Robbins", BHCC)
    chat = Conversation(session_factory, clock)
    [first] = await chat.say("courses")
    builds = course_list.list_cards.builds
    [again] = await chat.say("courses")
    assert course_list.list_cards.builds == builds
    assert card_text(again) == card_text(first) and "5 places left" in card_text(first)
    await EnrolmentService(session_factory, clock).enrol("aad-lynne", MULTI_RUN)
    [after] = await chat.say("courses")
    assert "4 places left" in card_text(after) and "5 places left" not in card_text(after)
