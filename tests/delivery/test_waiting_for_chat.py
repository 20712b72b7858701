"""A person the bot cannot reach yet: what is queued for them is given up with a logged reason, and goes as soon as
they install the app; what the database knows about their chats always wins over what a dispatcher remembers.

The field trial's case: an enquiry's coordinator cards were queued before any coordinator had the app; opening
their chats failed, and neither ``outbox retry`` nor a new enquiry reached them after they installed it, because
the dispatcher kept using the chat it had opened itself.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.dispatcher import OutboxDispatcher
from bot.delivery.retry_policy import UNREACHABLE
from bot.delivery.wake_on_commit import wake_on_commit
from classroom.clock import SystemClock
from classroom.conversations import ConversationInfo, ConversationService
from classroom.outbox.service import OutboxService
from storage.models import NotificationStatus
from tests.delivery.conftest import MakeDispatcher
from tests.delivery.helpers import BOT, TENANT, conversation, queue_texts, store_conversations
from tests.delivery.test_dispatcher import DRAIN_BOUND, outbox
from tests.support.throttling_connector import CREATE_KEY, ThrottlingConnector

ADELE = "aad-adele"  # a coordinator who has not installed the app yet


def personal_chat(conversation_id: str, person: str, service_url: str) -> ConversationInfo:
    """A 1:1 chat as the install event (or a message) in it tells the bot about it."""
    return ConversationInfo(
        conversation_id=conversation_id,
        conversation_type="personal",
        service_url=service_url,
        reference={
            "bot": BOT,
            "user": {"id": f"29:{person}", "aadObjectId": person},
            "conversation": {"id": conversation_id, "conversationType": "personal", "tenantId": TENANT},
            "channelId": "msteams",
            "serviceUrl": service_url,
        },
        tenant_id=TENANT,
        user_aad_object_id=person,
    )


@pytest.fixture
def conversations(session_factory: async_sessionmaker[AsyncSession]) -> ConversationService:
    return ConversationService(session_factory, SystemClock())


async def _started(
    make_dispatcher: MakeDispatcher, connector: ThrottlingConnector, session_factory
) -> OutboxDispatcher:
    """A running dispatcher, after someone (Alex) installed the app: the installation a new 1:1 chat borrows."""
    await store_conversations(session_factory, [conversation("a:alex", connector.service_url, personal_user="alex")])
    dispatcher = await make_dispatcher()
    await dispatcher.start()
    return dispatcher


async def _settled(dispatcher: OutboxDispatcher, outcomes: int) -> None:
    """Wait until the dispatcher has recorded ``outcomes`` outcomes in all."""
    while dispatcher.outcome_count < outcomes:
        await asyncio.wait_for(dispatcher.wait_for_outcome(dispatcher.outcome_count), DRAIN_BOUND)


async def test_a_chat_the_person_installs_beats_the_one_the_dispatcher_opened(
    session_factory, throttling_connector: ThrottlingConnector, make_dispatcher: MakeDispatcher, conversations
) -> None:
    connector = throttling_connector
    connector.script("a:aad-adele", ["503"] * 20)  # the chat Teams opened for her never takes a message
    dispatcher = await _started(make_dispatcher, connector, session_factory)
    await queue_texts(session_factory, [(ADELE, "card 1")], recipients=True)
    await asyncio.wait_for(dispatcher.drained(), DRAIN_BOUND)
    assert (await outbox(session_factory))["card 1"].status is NotificationStatus.DEAD

    await conversations.installed(personal_chat("a:adele-installed", ADELE, connector.service_url), by=ADELE)
    unhook = wake_on_commit(dispatcher.wake)
    try:
        await OutboxService(session_factory, SystemClock()).retry((await outbox(session_factory))["card 1"].id)
        await queue_texts(session_factory, [(ADELE, "card 2")], recipients=True)  # and a new enquiry's card
        await asyncio.wait_for(dispatcher.drained(), DRAIN_BOUND)
    finally:
        unhook()

    rows = await outbox(session_factory)
    assert {key: (rows[key].status, rows[key].sent_conversation_id) for key in ("card 1", "card 2")} == {
        "card 1": (NotificationStatus.SENT, "a:adele-installed"),
        "card 2": (NotificationStatus.SENT, "a:adele-installed"),
    }
    assert connector.delivered_texts() == Counter({"card 1": 1, "card 2": 1})
    assert len(connector.created) == 1  # opened once, then known from the database


async def test_what_waited_for_a_persons_chat_goes_as_soon_as_they_install_the_app(
    session_factory,
    throttling_connector: ThrottlingConnector,
    make_dispatcher: MakeDispatcher,
    conversations,
    caplog: pytest.LogCaptureFixture,
) -> None:
    connector = throttling_connector
    connector.forbidden |= {ADELE, "aad-patti"}  # Teams will not open a chat with someone without the app
    dispatcher = await _started(make_dispatcher, connector, session_factory)
    caplog.set_level(logging.INFO, logger="bot.delivery.dispatcher")
    await queue_texts(
        session_factory, [(ADELE, "card 1"), (ADELE, "card 2"), ("aad-patti", "card for Patti")], recipients=True
    )
    await asyncio.wait_for(dispatcher.drained(), DRAIN_BOUND)
    rows = await outbox(session_factory)
    assert {rows[key].status for key in ("card 1", "card 2", "card for Patti")} == {NotificationStatus.UNDELIVERABLE}
    failures = [r.getMessage() for r in caplog.records if "undeliverable" in r.getMessage()]
    assert sorted(failures) == sorted(
        f"notification {rows[key].id} (text to person:{person}) is undeliverable: HTTP 403 BotNotInConversationRoster: "
        f"{UNREACHABLE}"
        for key, person in (("card 1", ADELE), ("card 2", ADELE), ("card for Patti", "aad-patti"))
    )

    connector.forbidden.discard(ADELE)
    unhook = wake_on_commit(dispatcher.wake)
    try:
        await conversations.installed(personal_chat("a:adele", ADELE, connector.service_url), by=ADELE)
        await _settled(dispatcher, 5)  # no retry asked for: her install was enough
    finally:
        unhook()
    rows = await outbox(session_factory)
    assert {key: (rows[key].status, rows[key].sent_conversation_id) for key in ("card 1", "card 2")} == {
        "card 1": (NotificationStatus.SENT, "a:adele"),
        "card 2": (NotificationStatus.SENT, "a:adele"),
    }
    assert rows["card for Patti"].status is NotificationStatus.UNDELIVERABLE  # Patti still has no chat
    assert connector.delivered_texts() == Counter({"card 1": 1, "card 2": 1})
    assert CREATE_KEY not in {d.conversation_id for d in connector.deliveries}


async def test_someone_who_removed_the_bot_and_adds_it_again_is_reached_in_the_same_chat(
    session_factory, throttling_connector: ThrottlingConnector, make_dispatcher: MakeDispatcher, conversations
) -> None:
    connector = throttling_connector
    await store_conversations(session_factory, [conversation("a:megan", connector.service_url, personal_user="megan")])
    connector.forbidden.add("a:megan")  # she removed the app
    dispatcher = await _started(make_dispatcher, connector, session_factory)
    await queue_texts(session_factory, [("megan", "reminder")], recipients=True)
    await asyncio.wait_for(dispatcher.drained(), DRAIN_BOUND)
    assert (await outbox(session_factory))["reminder"].status is NotificationStatus.UNDELIVERABLE

    connector.forbidden.discard("a:megan")
    unhook = wake_on_commit(dispatcher.wake)
    try:
        # Teams gives the bot the same 1:1 chat when she adds it again.
        await conversations.installed(personal_chat("a:megan", "megan", connector.service_url), by="megan")
        await _settled(dispatcher, 2)
        await queue_texts(session_factory, [("megan", "offer")], recipients=True)
        await _settled(dispatcher, 3)
    finally:
        unhook()
    rows = await outbox(session_factory)
    assert (rows["reminder"].status, rows["offer"].status) == (NotificationStatus.SENT, NotificationStatus.SENT)
    assert connector.delivered_texts() == Counter({"reminder": 1, "offer": 1})
