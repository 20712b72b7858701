"""Installing the app: one transaction stores the chat and meets the installer, and the welcome is built from what
it read (their stored name and roles), with no further reads of who they are."""

from __future__ import annotations

from classroom.people import assign_roles
from storage.models import Role
from tests.bot.test_turn_preload import database_use

INSTALLER = "00000000-0000-0000-0000-0000000000020"  # the installation-update-add activity's sender (no name on it)


def _card_text(body: dict) -> str:
    return body["attachments"][0]["content"]["fallbackText"]


async def test_a_known_person_installing_is_welcomed_by_name_and_role_from_one_read(
    client, activity, connector, session_factory
) -> None:
    async with session_factory.begin() as session:
        await assign_roles(session, INSTALLER, [Role.COORDINATOR], "Megan Bowen")
    with database_use(client) as checkouts:
        response = await client.post("/api/messages", json=activity("installation-update-add"))
    assert response.status in (200, 201)
    [welcome] = connector.bodies()
    text = _card_text(welcome)
    assert "Welcome, Megan!" in text and "As a coordinator" in text
    statements = [s for checkout in checkouts for s in checkout]
    about_them = [s for s in statements if "people" in s or "person_roles" in s]
    assert len(about_them) == 1, about_them  # name and roles in one read, in the install's transaction
    assert len(checkouts) == 1, checkouts  # the activity's claim in the install's own transaction


async def test_a_first_install_meets_a_participant(client, activity, connector, session_factory) -> None:
    await client.post("/api/messages", json=activity("installation-update-add"))
    [welcome] = connector.bodies()
    text = _card_text(welcome)
    assert "Welcome!" in text and "Browse our social-work courses" in text and "As a coordinator" not in text
