"""The organisation in a chat: settled from the Teams tenant without a question; asked (with a way out to an
enquiry) when nothing shows it; the coordinators' card to confirm or correct a person's own answer."""

from __future__ import annotations

import dataclasses
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from botbuilder.core import InvokeResponse
from botbuilder.schema import Activity
from sqlalchemy import select

from classroom.enrolment import notices
from classroom.enrolment.notices import OrganisationCheckNotice, OrganisationDecidedNotice
from dialogs.cards.messages import card_activity
from dialogs.enrolment.cards.organisation_check import build_organisation_check_card, build_organisation_decided_card
from storage.models import Organisation, OrganisationStatus, Person
from tests.classroom.enrolment.conftest import FIRST_DAY
from tests.support.bot_harness import TENANT_ID, Conversation, button_titles, card_text, texts
from tests.support.enrolment import (
    BHCC,
    COORDINATOR_AAD,
    DOWNLAND,
    MULTI,
    ONE_DAY,
    SOUTHCOAST,
    add_person,
    delivered,
    load_world,
    outbox,
    world,
)

NEWCOMER = "aad-newcomer"
ZONE = ZoneInfo("Europe/London")


def _world(**evidence: tuple[str, ...]):  # type: ignore[no-untyped-def]
    document = world(FIRST_DAY)
    organisations = tuple(
        dataclasses.replace(o, tenant_ids=evidence.get("tenant", ())) if o.name == DOWNLAND else o
        for o in document.organisations
    )
    return dataclasses.replace(document, organisations=organisations)


@pytest.fixture
async def chat(session_factory, clock) -> Conversation:
    await load_world(session_factory, _world())
    return Conversation(session_factory, clock).as_someone_else(NEWCOMER, "Lynne Robbins")


async def _status(session_factory) -> tuple[str | None, OrganisationStatus | None]:  # type: ignore[no-untyped-def]
    async with session_factory() as session:
        row = (
            await session.execute(
                select(Organisation.name, Person.organisation_status)
                .select_from(Person)
                .outerjoin(Organisation, Organisation.id == Person.organisation_id)
                .where(Person.aad_object_id == NEWCOMER)
            )
        ).first()
    return (row[0], row[1]) if row else (None, None)


def _card(answer: InvokeResponse | None) -> dict[str, Any]:
    assert answer is not None and answer.body.type == "application/vnd.microsoft.card.adaptive", answer
    card: dict[str, Any] = answer.body.value
    return card


async def test_the_teams_tenant_settles_the_organisation_without_a_question(session_factory, clock) -> None:
    await load_world(session_factory, _world(tenant=(TENANT_ID,)))  # the tenant every harness activity comes from
    newcomer = Conversation(session_factory, clock).as_someone_else(NEWCOMER, "Lynne Robbins")
    [terms] = await newcomer.say(f"enrol {MULTI}")
    assert "Which organisation" not in card_text(terms)
    assert "£360.00 per place (Tier 2, the band of Downland County Council)" in card_text(terms)
    assert await _status(session_factory) == (DOWNLAND, OrganisationStatus.EVIDENCE)


async def test_no_evidence_asks_and_the_answer_waits_for_a_coordinator(chat, session_factory) -> None:
    [question] = await chat.say(f"enrol {ONE_DAY}")
    assert "Which organisation do you work for?" in card_text(question)
    assert button_titles(question)[-1] == "My organisation isn't listed"
    _, [noted, terms] = await chat.tap(question, BHCC)
    assert "the training team will confirm it" in noted.text
    assert "to be confirmed: £95.00 per place if the training team confirms your organisation" in card_text(terms)
    _, [done] = await chat.tap(terms, "Confirm my place")
    assert "to be confirmed: £95.00 per place" in card_text(done)  # the enrolment result says so too
    assert await _status(session_factory) == (BHCC, OrganisationStatus.PENDING)
    [card] = await outbox(session_factory, notices.ORGANISATION_CHECK)
    assert card.recipient_aad_object_id == COORDINATOR_AAD

    [course] = await chat.say(f"course {ONE_DAY}")  # the course card too
    assert "to be confirmed: £95.00 per place if the training team confirms your organisation" in card_text(course)


async def test_not_listed_leads_to_a_prefilled_enquiry_instead_of_asking_again(chat, session_factory) -> None:
    [question] = await chat.say(f"enrol {MULTI}")
    _, replies = await chat.tap(question, "My organisation isn't listed")
    said = texts(replies)
    assert "I'll pass this to the training team, who can add your organisation" in said
    assert "Let's put your enquiry together" in said
    assert "Which organisation do you work for?" not in said
    assert await _status(session_factory) == (None, None)  # nothing was chosen for them
    # The enquiry goes on: its questions, ending in a summary that carries the prefilled message.
    for answer in ("1", "Lynne Robbins", "lynne@kent.gov.uk", "Kent County Council", "Social worker", "ok"):
        replies = await chat.say(answer)
    summary = texts(replies)
    assert "Kent County Council" in summary and f"I'd like to enrol on {MULTI}-A" in summary


async def test_a_coordinator_confirms_from_the_card_and_others_are_refused(chat, session_factory) -> None:
    [question] = await chat.say(f"enrol {MULTI}")
    _, [_noted, waiting] = await chat.tap(question, DOWNLAND)
    assert "yet to confirm that you work for Downland County Council" in waiting.text  # the run waits
    [row] = await outbox(session_factory, notices.ORGANISATION_CHECK)
    card = card_activity(build_organisation_check_card(OrganisationCheckNotice.model_validate(row.payload), ZONE))
    assert button_titles(card) == ["Confirm Downland County Council", "Correct"]

    refused, _ = await chat.tap(card, "Confirm Downland County Council")  # the participant, pressing a copy
    assert refused is not None and "only coordinators" in refused.body.value
    assert await _status(session_factory) == (DOWNLAND, OrganisationStatus.PENDING)
    assert await delivered(session_factory, notices.ORGANISATION_CHECK) == 1  # Teams has the coordinator's copy

    coordinator = chat.as_someone_else(COORDINATOR_AAD, "Adele Vance")
    answer, _ = await coordinator.tap(card, "Confirm Downland County Council")
    decided = _card(answer)
    assert "Confirmed: Lynne Robbins works for Downland County Council" in decided["fallbackText"]
    assert not [a for a in decided.get("actions", []) if a.get("type") == "Action.Execute"]  # no buttons left
    assert await _status(session_factory) == (DOWNLAND, OrganisationStatus.COORDINATOR)
    [copy] = await outbox(session_factory, notices.ORGANISATION_CHECK)
    assert copy.payload["outcome"]["decision"] == "confirmed"  # every copy shows the decision
    [told] = await outbox(session_factory, notices.ORGANISATION_DECIDED, recipient=NEWCOMER)
    told_card = build_organisation_decided_card(OrganisationDecidedNotice.model_validate(told.payload), ZONE)
    assert "confirmed your organisation: Downland County Council" in told_card.fallback_text

    again, _ = await coordinator.tap(card, "Confirm Downland County Council")  # a second press changes nothing
    assert "already settled" in _card(again)["fallbackText"]
    [terms] = await chat.say(f"enrol {MULTI}")
    assert "£360.00 per place (Tier 2, the band of Downland County Council)" in card_text(terms)


async def test_a_coordinator_corrects_through_the_submit_fallback(chat, session_factory) -> None:
    [question] = await chat.say(f"enrol {ONE_DAY}")
    await chat.tap(question, SOUTHCOAST)
    [row] = await outbox(session_factory, notices.ORGANISATION_CHECK)
    notice = OrganisationCheckNotice.model_validate(row.payload)
    card: Activity = card_activity(build_organisation_check_card(notice, ZONE))
    bhcc = next(o.id for o in notice.options if o.name == BHCC)
    coordinator = chat.as_someone_else(COORDINATOR_AAD, "Adele Vance")
    _, [missing] = await coordinator.tap(card, "Correct", fallback=True)
    assert "Choose their organisation" in missing.text
    _, [done] = await coordinator.tap(card, "Correct", inputs={"organisation": str(bhcc)}, fallback=True)
    assert done.text.startswith("Corrected: Lynne Robbins works for Brighton & Hove City Council")
    assert await _status(session_factory) == (BHCC, OrganisationStatus.COORDINATOR)


async def test_a_course_card_settles_the_organisation_from_the_tenant_to_show_the_price(session_factory, clock) -> None:
    await load_world(session_factory, _world(tenant=(TENANT_ID,)))
    await add_person(session_factory, NEWCOMER, "Lynne Robbins", organisation=None)
    newcomer = Conversation(session_factory, clock).as_someone_else(NEWCOMER, "Lynne Robbins")
    [course] = await newcomer.say(f"course {MULTI}")
    assert "£360.00 per place (Tier 2, Downland County Council)" in card_text(course)
    assert await _status(session_factory) == (DOWNLAND, OrganisationStatus.EVIDENCE)
