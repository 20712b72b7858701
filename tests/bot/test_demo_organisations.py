"""The demo's people get sensible organisations: the Playground's tenant is Downland County Council's in the demo
catalogue, Alex Wilber is recorded at Brighton & Hove; so the demo shows an eligible and an ineligible person."""

from __future__ import annotations

import pytest

from bot.cli import _seed_demo
from bot.demo_people import DEMO_PEOPLE
from classroom.enrolment.errors import NotEligible
from classroom.enrolment.service import EnrolmentService
from storage.models import OrganisationStatus

PLAYGROUND_TENANT = "00000000-0000-0000-0000-0000000000001"  # shared/reference/teams-activities/*.json
DEMO = {person.name: person for person in DEMO_PEOPLE}


async def test_demo_people_resolve_to_an_eligible_and_an_ineligible_organisation(session_factory, clock) -> None:
    await _seed_demo(session_factory)
    service = EnrolmentService(session_factory, clock)
    standings = {}
    for name in ("Alex Wilber", "Isaiah Langer", "Lynne Robbins"):
        person = DEMO[name]
        standings[name] = await service.resolve_organisation(
            person.aad_object_id, tenant_id=PLAYGROUND_TENANT, email=person.email
        )
    alex, isaiah, lynne = standings.values()
    assert alex.organisation is not None and alex.organisation.name == "Brighton & Hove City Council"
    assert alex.status == OrganisationStatus.COORDINATOR  # as seeded: the tenant does not move them
    assert isaiah.organisation is not None and isaiah.organisation.name == "Downland County Council"
    assert isaiah.status == OrganisationStatus.EVIDENCE
    assert lynne.organisation is not None and lynne.organisation.name == "Downland County Council"

    quote = await service.quote(DEMO["Alex Wilber"].aad_object_id, "PERM4-A")
    assert (quote.price_band, quote.organisation_confirmed) == (1, True)
    with pytest.raises(NotEligible):
        await service.quote(DEMO["Isaiah Langer"].aad_object_id, "PERM4-A")
