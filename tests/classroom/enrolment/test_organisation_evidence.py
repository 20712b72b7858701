"""A person's organisation comes from evidence (their Teams tenant, their email's domain) listed in the catalogue;
a choice of their own waits for a coordinator, who confirms or corrects it from a card; until then the price is
to be confirmed and runs limited to certain organisations wait."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import func, select

from classroom.catalogue.importer import import_catalogue
from classroom.enrolment import notices
from classroom.enrolment.errors import NotEligible, OrganisationUnconfirmed
from classroom.enrolment.organisations import OrganisationAlreadySettled, email_domain
from classroom.errors import NotAllowed
from storage.models import Enrolment, OrganisationStatus, Person
from tests.classroom.enrolment.conftest import ALEX, FIRST_DAY, ISAIAH, NOBODY
from tests.support.enrolment import (
    BHCC,
    COORDINATOR_AAD,
    DOWNLAND,
    MULTI_RUN,
    ONE_DAY_RUN,
    SOUTHCOAST,
    add_person,
    delivered,
    outbox,
    world,
)

BHCC_TENANT = "11111111-aaaa-bbbb-cccc-000000000001"
SHARED_TENANT = "22222222-aaaa-bbbb-cccc-000000000002"


def evidence_world():  # type: ignore[no-untyped-def]
    """The enrolment world, with Brighton & Hove's own tenant and Downland's email domain; Southcoast shares a
    tenant with others, so only its email domain names it."""
    document = world(FIRST_DAY)
    evidence = {
        BHCC: {"tenant_ids": (BHCC_TENANT,), "email_domains": ("brighton-hove.gov.uk",)},
        DOWNLAND: {"email_domains": ("downland.gov.uk",)},
        SOUTHCOAST: {"tenant_ids": (SHARED_TENANT,), "email_domains": ("southcoast.org.uk",)},
    }
    organisations = tuple(dataclasses.replace(o, **evidence[o.name]) for o in document.organisations)
    return dataclasses.replace(document, organisations=organisations)


@pytest.fixture
async def evidenced(service, session_factory):  # type: ignore[no-untyped-def]
    async with session_factory.begin() as session:
        await import_catalogue(session, evidence_world())
    return service


async def _person(session_factory, aad: str) -> Person:  # type: ignore[no-untyped-def]
    async with session_factory() as session:
        person = await session.scalar(select(Person).where(Person.aad_object_id == aad))
        assert person is not None
        return person


def test_an_email_domain_is_taken_only_from_a_plausible_address() -> None:
    assert email_domain("Jo.Bloggs@Downland.GOV.uk") == "downland.gov.uk"
    assert email_domain("no-at-sign") is None
    assert email_domain("a@b@downland.gov.uk") is None
    assert email_domain("x" * 300 + "@downland.gov.uk") is None
    assert email_domain(None) is None


async def test_the_tenant_names_the_organisation_without_a_question(evidenced, session_factory) -> None:
    standing = await evidenced.resolve_organisation(NOBODY, tenant_id=BHCC_TENANT.upper(), email=None)
    assert standing.organisation is not None and standing.organisation.name == BHCC
    assert standing.status == OrganisationStatus.EVIDENCE and standing.confirmed
    assert not await evidenced.needs_organisation(NOBODY)
    quote = await evidenced.quote(NOBODY, MULTI_RUN)  # restricted to BHCC and Downland: open to them at once
    assert (quote.organisation_name, quote.price_pence, quote.organisation_confirmed) == (BHCC, 32000, True)
    assert await outbox(session_factory, notices.ORGANISATION_CHECK) == []  # nobody is asked


async def test_the_email_domain_names_the_organisation_and_wins_over_a_shared_tenant(
    evidenced, session_factory
) -> None:
    standing = await evidenced.resolve_organisation(NOBODY, tenant_id=SHARED_TENANT, email="sam@downland.gov.uk")
    assert standing.organisation is not None and standing.organisation.name == DOWNLAND and standing.confirmed
    person = await _person(session_factory, NOBODY)
    assert person.email == "sam@downland.gov.uk"  # kept for enquiries' prefill


async def test_no_evidence_leaves_the_question_to_be_asked(evidenced) -> None:
    standing = await evidenced.resolve_organisation(NOBODY, tenant_id="99999999-0000", email="sam@gmail.com")
    assert standing.organisation is None and not standing.confirmed
    assert await evidenced.needs_organisation(NOBODY)


async def test_a_coordinators_decision_is_not_overridden_by_evidence(evidenced) -> None:
    # Alex was set to Brighton & Hove by an administrator; a Downland email does not move them.
    standing = await evidenced.resolve_organisation(ALEX, tenant_id=None, email="alex@downland.gov.uk")
    assert standing.organisation is not None and standing.organisation.name == BHCC
    assert standing.status == OrganisationStatus.COORDINATOR


async def test_an_own_choice_is_pending_its_price_to_be_confirmed_and_restricted_runs_wait(
    evidenced, session_factory
) -> None:
    choices = {c.name: c.id for c in await evidenced.organisations()}
    assert await evidenced.choose_organisation(NOBODY, choices[BHCC]) == BHCC
    assert (await evidenced.organisation_standing(NOBODY)).status == OrganisationStatus.PENDING

    with pytest.raises(OrganisationUnconfirmed) as waiting:
        await evidenced.enrol(NOBODY, MULTI_RUN)
    assert "yet to confirm that you work for Brighton & Hove City Council" in str(waiting.value)
    with pytest.raises(OrganisationUnconfirmed):
        await evidenced.join_waitlist(NOBODY, MULTI_RUN)
    async with session_factory() as session:
        assert await session.scalar(select(func.count(Enrolment.id))) == 0  # no place taken or held

    view = await evidenced.enrol(NOBODY, ONE_DAY_RUN)  # open to all: booked, its price to be confirmed
    assert (view.price_band, view.price_pence, view.organisation_confirmed) == (1, 9500, False)

    [card] = await outbox(session_factory, notices.ORGANISATION_CHECK)
    assert card.recipient_aad_object_id == COORDINATOR_AAD
    assert card.payload["chosen"] == BHCC and card.payload["outcome"] is None
    assert {o["name"] for o in card.payload["options"]} == {BHCC, DOWNLAND, SOUTHCOAST}


async def test_an_own_choice_of_an_organisation_the_run_is_not_for_is_refused_as_before(evidenced) -> None:
    choices = {c.name: c.id for c in await evidenced.organisations()}
    await evidenced.choose_organisation(NOBODY, choices[SOUTHCOAST])
    with pytest.raises(NotEligible):
        await evidenced.quote(NOBODY, MULTI_RUN)


async def test_a_coordinator_confirms_every_card_shows_it_and_the_person_is_told(evidenced, session_factory) -> None:
    choices = {c.name: c.id for c in await evidenced.organisations()}
    await evidenced.choose_organisation(NOBODY, choices[DOWNLAND])
    person = await _person(session_factory, NOBODY)
    assert await delivered(session_factory, notices.ORGANISATION_CHECK) == 1

    with pytest.raises(NotAllowed):  # a participant cannot confirm anyone's organisation, their own included
        await evidenced.decide_organisation(NOBODY, person.id)
    with pytest.raises(NotAllowed):
        await evidenced.decide_organisation(ISAIAH, person.id, choices[BHCC])
    assert (await evidenced.organisation_standing(NOBODY)).status == OrganisationStatus.PENDING

    card = await evidenced.decide_organisation(COORDINATOR_AAD, person.id)
    assert card.outcome is not None
    assert (card.outcome.decision, card.outcome.organisation, card.outcome.by) == ("confirmed", DOWNLAND, "Adele Vance")
    settled = await _person(session_factory, NOBODY)
    assert settled.organisation_status == OrganisationStatus.COORDINATOR
    assert settled.organisation_confirmed_by_person_id is not None

    [replaced] = await outbox(session_factory, notices.ORGANISATION_CHECK)  # the sent copy, due to be replaced
    assert replaced.activity_id is not None and replaced.payload["outcome"]["decision"] == "confirmed"
    [told] = await outbox(session_factory, notices.ORGANISATION_DECIDED, recipient=NOBODY)
    assert told.payload["organisation"] == DOWNLAND and told.payload["corrected"] is False

    quote = await evidenced.quote(NOBODY, MULTI_RUN)  # the restricted run is open to them now
    assert (quote.price_pence, quote.organisation_confirmed) == (36000, True)
    with pytest.raises(OrganisationAlreadySettled):  # a second press changes nothing
        await evidenced.decide_organisation(COORDINATOR_AAD, person.id, choices[BHCC])


async def test_a_correction_reprices_the_places_they_hold(evidenced, session_factory) -> None:
    choices = {c.name: c.id for c in await evidenced.organisations()}
    await evidenced.choose_organisation(NOBODY, choices[BHCC])
    await evidenced.enrol(NOBODY, ONE_DAY_RUN)
    person = await _person(session_factory, NOBODY)

    card = await evidenced.decide_organisation(COORDINATOR_AAD, person.id, choices[DOWNLAND])
    assert card.outcome is not None and (card.outcome.decision, card.outcome.organisation) == ("corrected", DOWNLAND)
    [view] = await evidenced.my_enrolments(NOBODY)
    assert (view.organisation_name, view.price_band, view.price_pence, view.organisation_confirmed) == (
        DOWNLAND,
        2,
        11000,
        True,
    )
    [told] = await outbox(session_factory, notices.ORGANISATION_DECIDED, recipient=NOBODY)
    assert told.payload["corrected"] is True and told.payload["chosen"] == BHCC


async def test_evidence_found_later_settles_a_pending_choice_and_its_cards(evidenced, session_factory) -> None:
    choices = {c.name: c.id for c in await evidenced.organisations()}
    await evidenced.choose_organisation(NOBODY, choices[BHCC])
    await delivered(session_factory, notices.ORGANISATION_CHECK)
    standing = await evidenced.resolve_organisation(NOBODY, tenant_id=None, email="nobody@downland.gov.uk")
    assert standing.organisation is not None and standing.organisation.name == DOWNLAND and standing.confirmed
    [replaced] = await outbox(session_factory, notices.ORGANISATION_CHECK)
    assert replaced.payload["outcome"]["decision"] == "evidence"


async def test_a_pending_choice_from_before_evidence_existed_gets_its_card_once(evidenced, session_factory) -> None:
    # People who chose before this release are pending; their next enrolment queues the coordinators' card.
    await add_person(session_factory, "aad-old", "Old Choice", SOUTHCOAST)
    async with session_factory.begin() as session:
        person = await session.scalar(select(Person).where(Person.aad_object_id == "aad-old"))
        assert person is not None
        person.organisation_status = OrganisationStatus.PENDING
    for _ in range(2):
        await evidenced.resolve_organisation("aad-old", tenant_id=None, email=None)
    assert len(await outbox(session_factory, notices.ORGANISATION_CHECK)) == 1


async def test_an_import_moves_a_domain_between_organisations_and_reports_them(evidenced, session_factory) -> None:
    document = evidence_world()
    moved = tuple(
        dataclasses.replace(o, email_domains=())
        if o.name == DOWNLAND
        else dataclasses.replace(o, email_domains=("southcoast.org.uk", "downland.gov.uk"))
        if o.name == SOUTHCOAST
        else o
        for o in document.organisations
    )
    async with session_factory.begin() as session:
        report = await import_catalogue(session, dataclasses.replace(document, organisations=moved))
    assert sorted(report.organisations_updated) == [DOWNLAND, SOUTHCOAST]
    assert report.organisations_unchanged == [BHCC]
    standing = await evidenced.resolve_organisation(NOBODY, tenant_id=None, email="sam@downland.gov.uk")
    assert standing.organisation is not None and standing.organisation.name == SOUTHCOAST
