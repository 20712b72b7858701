"""An enquiry end to end, through Microsoft's Teams emulator: Alex asks in his chat with the bot, the card reaches
the coordinators' group chat (chosen there by Adele, in her own Playground, whose members are all coordinators),
Adele replies from the card with Action.Execute, the reply arrives in Alex's chat, and Alex's answer comes back to
the coordinators.

The cards travel through the notification outbox, so this needs the app to run proactive delivery with the
enquiry renderers registered (``dialogs.enquiries.notifications.register``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from bot.demo_people import DEMO_PEOPLE
from tests.e2e.conftest import connect
from tests.e2e.enquiring import send_enquiry
from tests.e2e.playground import (
    E2E_COORDINATORS,
    PlaygroundClient,
    RunningDemo,
    RunningPlayground,
    button,
    card,
    card_text,
    playground_as,
    said,
    text,
)

pytestmark = pytest.mark.e2e

ADELE = next(person for person in DEMO_PEOPLE if person.name == "Adele Vance")
PATTI = next(person for person in DEMO_PEOPLE if person.name == "Patti Fernandez")
DELIVERY_WAIT = 60.0  # seconds for the outbox to deliver (a bound, not a timing assertion)


@pytest.fixture(scope="module")
def adeles_playground(demo_bot: RunningDemo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlayground]:
    # The coordinators' group chat: Adele, Patti and the e2e-only coordinators, coordinators all (no one else may
    # read enquirers' details there).
    members = (PATTI, *E2E_COORDINATORS)
    with playground_as(tmp_path_factory, ADELE.name, "enquiries-adele", demo_bot.endpoint, members) as running:
        yield running


@pytest.fixture
async def adele(adeles_playground: RunningPlayground) -> AsyncIterator[PlaygroundClient]:
    async for client in connect(adeles_playground):
        yield client


async def post(client: PlaygroundClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    async with client.session.post(client.base_url + path, json=body) as response:
        answer = await response.text()
        assert response.status == 200, f"POST {path} -> {response.status}: {answer}"
        return await response.json(content_type=None) if answer else {}


def is_card_starting(prefix: str):  # type: ignore[no-untyped-def]
    return lambda m: bool(m["message"].get("attachments")) and card_text(m).startswith(prefix)


async def test_enquiry_to_coordinators_and_the_reply_back(alex: PlaygroundClient, adele: PlaygroundClient) -> None:
    group = adele.playground.chats.group
    await adele.install(group)
    await adele.replies_until(group, is_card_starting("Welcome"))
    await adele.say(group, "coordinators here", mention=True)
    assert text(await adele.reply(group)).startswith("Done: new enquiries")

    chat = alex.playground.chats.personal
    await alex.install(chat)
    await alex.replies_until(chat, is_card_starting("Welcome"))
    reference = await send_enquiry(alex, "Is there a later date for PERM4? I'm in court on the 14th.")

    delivered = await adele.replies_until(group, lambda m: reference in said(m))
    coordinator_card = delivered[-1]
    assert f"{reference} · Question about a course" in card_text(coordinator_card)
    assert "Is there a later date for PERM4? I'm in court on the 14th." in card_text(coordinator_card)

    answer = await adele.execute(group, coordinator_card, "Send reply", {"reply": "Yes: PERM4 runs again in March."})
    assert answer["type"] == "application/vnd.microsoft.card.adaptive"
    assert "Your reply is on its way to Alex Wilber." in answer["value"]["fallbackText"]

    reply = (await alex.replies_until(chat, lambda m: reference in said(m), at_most=3))[-1]
    assert card_text(reply).startswith(f"Reply to your enquiry {reference}")
    assert "Yes: PERM4 runs again in March." in card_text(reply)

    send_answer = button(reply, "Send answer")
    await post(
        alex,
        "/_conversation/v1/submit",
        {
            "conversation": {"id": chat},
            "from": {"id": alex.playground.current_user_id},
            "replyToId": reply["message"]["messageId"],
            "value": {**send_answer["data"], "text": "March suits me."},  # with the answer box filled in
        },
    )
    assert f"Your answer was added to **{reference}**" in text(await alex.reply(chat))
    followup = await adele.replies_until(group, is_card_starting(f"{reference}: the enquirer wrote back"), at_most=6)
    assert "March suits me." in card_text(followup[-1])
    assert card(followup[-1])["version"] == "1.5"
