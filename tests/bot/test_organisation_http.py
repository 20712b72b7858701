"""Over real HTTP, the email Teams lists for the sender (looked up through the connector) settles their
organisation: the catalogue lists its domain, so nobody is asked which organisation they work for."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.app import create_app
from bot.settings import Settings
from storage.models import Organisation, OrganisationStatus, Person
from tests.classroom.enrolment.conftest import FIRST_DAY
from tests.support.enrolment import DOWNLAND, MULTI, load_world, world
from tests.support.members import teams_member

ALEX = "00000000-0000-0000-0000-0000000000020"  # the sender of the captured personal-message activity
CHAT = "af809acf-bc6c-4d54-a71a-1a997795c42c"  # its conversation


@pytest.fixture
async def client(db_url, clock) -> AsyncIterator[TestClient]:
    app = create_app(Settings(database_url=db_url), clock=clock)
    async with TestClient(TestServer(app, host="127.0.0.1")) as test_client:
        yield test_client


async def test_the_senders_email_domain_settles_their_organisation(
    client, activity, connector, session_factory
) -> None:
    document = world(FIRST_DAY)
    organisations = tuple(
        dataclasses.replace(o, email_domains=("downland.gov.uk",)) if o.name == DOWNLAND else o
        for o in document.organisations
    )
    await load_world(session_factory, dataclasses.replace(document, organisations=organisations))
    member = teams_member(ALEX, "Alex Wilber", user_id="user-id-0")
    connector.members[CHAT] = [{**member, "email": "Alex.Wilber@Downland.gov.uk"}]

    await client.post("/api/messages", json=activity("personal-message", text=f"enrol {MULTI}"))
    [terms] = connector.bodies()
    shown = terms["attachments"][0]["content"]["fallbackText"]
    assert "Which organisation" not in shown
    assert "£360.00 per place (Tier 2, the band of Downland County Council)" in shown
    async with session_factory() as session:
        row = (
            await session.execute(
                select(Organisation.name, Person.organisation_status, Person.email)
                .join(Person, Person.organisation_id == Organisation.id)
                .where(Person.aad_object_id == ALEX)
            )
        ).one()
    assert tuple(row) == (DOWNLAND, OrganisationStatus.EVIDENCE, "Alex.Wilber@Downland.gov.uk")


async def test_without_the_email_the_question_is_asked(client, activity, connector, session_factory) -> None:
    await load_world(session_factory, world(FIRST_DAY))  # no evidence listed; the member lookup finds nobody
    await client.post("/api/messages", json=activity("personal-message", text=f"enrol {MULTI}"))
    [question] = connector.bodies()
    assert "Which organisation do you work for?" in question["attachments"][0]["content"]["fallbackText"]


@pytest.mark.parametrize(("role", "settled"), [("user", True), ("guest", False)])
async def test_a_guest_is_not_given_the_hosts_organisation_from_its_tenant(
    client, activity, connector, session_factory, role, settled
) -> None:
    """A guest's activities carry the host's tenant: for a member Teams lists as a guest, only their own email
    counts as evidence, so someone from elsewhere is asked, not given the host's price and restricted runs."""
    document = world(FIRST_DAY)
    tenant = activity("personal-message")["channelData"]["tenant"]["id"]
    organisations = tuple(
        dataclasses.replace(o, tenant_ids=(tenant,)) if o.name == DOWNLAND else o for o in document.organisations
    )
    await load_world(session_factory, dataclasses.replace(document, organisations=organisations))
    member = teams_member(ALEX, "Alex Wilber", user_id="user-id-0")
    connector.members[CHAT] = [{**member, "email": "alex@elsewhere.example", "userRole": role}]

    await client.post("/api/messages", json=activity("personal-message", text=f"enrol {MULTI}"))
    [answer] = connector.bodies()
    shown = answer["attachments"][0]["content"]["fallbackText"]
    assert ("Which organisation do you work for?" not in shown) is settled
