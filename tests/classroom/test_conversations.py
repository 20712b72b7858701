"""Storing a person's 1:1 chat (they installed the app, or wrote to the bot) makes what was given up for want of
that chat due again, in the same transaction: only theirs, only what could not reach them, only this week's."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import ORMExecuteState, Session

from bot.delivery.wake_on_commit import wake_on_commit
from classroom.conversations import ConversationInfo, ConversationService
from classroom.outbox.waiting import WAITING_LIMIT
from classroom.people import Met, assign_roles
from classroom.receipts import AlreadyTaken
from storage.models import ActivityReceipt, ConversationRecord, NotificationStatus, OutboxNotification, Person, Role
from tests.support.notices import mark, queue_text

ADELE = "aad-adele"


def chat(
    conversation_id: str = "a:adele", *, person: str = ADELE, kind: str = "personal", url: str = "http://a"
) -> ConversationInfo:
    return ConversationInfo(
        conversation_id=conversation_id,
        conversation_type=kind,
        service_url=url,
        reference={"conversation": {"id": conversation_id}, "serviceUrl": url, "bot": {"id": "28:bot"}},
        user_aad_object_id=person if kind == "personal" else None,
    )


async def _given_up(session_factory: async_sessionmaker[AsyncSession], clock, rows: dict[str, tuple]) -> None:
    """Queue ``key -> (recipient, status, days ago due)`` rows, left as the dispatcher would have left them."""
    async with session_factory.begin() as session:
        for key, (recipient, status, days_ago) in rows.items():
            due = clock.now() - timedelta(days=days_ago)
            await queue_text(session, key, recipient=recipient, due_at=due)
            await session.execute(
                update(OutboxNotification).where(OutboxNotification.dedupe_key == key).values(attempts=3)
            )
            await mark(session, key, status, "HTTP 403 BotNotInConversationRoster")


async def _rows(session_factory: async_sessionmaker[AsyncSession]) -> dict[str, OutboxNotification]:
    async with session_factory() as session:
        return {row.dedupe_key: row for row in await session.scalars(select(OutboxNotification))}


WAITING = {
    "card": (ADELE, NotificationStatus.UNDELIVERABLE, 0),
    "last week's card": (ADELE, NotificationStatus.UNDELIVERABLE, WAITING_LIMIT.days - 1),
    "older card": (ADELE, NotificationStatus.UNDELIVERABLE, WAITING_LIMIT.days + 1),
    "refused card": (ADELE, NotificationStatus.DEAD, 0),  # Teams would never take it: no use trying again
    "Patti's card": ("aad-patti", NotificationStatus.UNDELIVERABLE, 0),
}


async def test_installing_the_app_sends_what_waited_for_the_persons_chat(session_factory, clock) -> None:
    await _given_up(session_factory, clock, WAITING)
    await ConversationService(session_factory, clock).installed(chat(), by=ADELE, by_name="Adele Vance")
    rows = await _rows(session_factory)
    assert {key for key, row in rows.items() if row.status is NotificationStatus.PENDING} == {
        "card",
        "last week's card",
    }
    card = rows["card"]
    assert card.next_attempt_at == clock.now() and card.lease_owner is None
    assert card.attempts - card.superseded_attempts == 0  # fresh tries


async def test_a_group_chat_install_sends_nobody_their_waiting_cards(session_factory, clock) -> None:
    await _given_up(session_factory, clock, WAITING)
    await ConversationService(session_factory, clock).installed(chat("19:group", kind="groupChat"), by=ADELE)
    rows = await _rows(session_factory)
    assert not any(row.status is NotificationStatus.PENDING for row in rows.values())


async def test_writing_to_the_bot_stores_a_chat_it_did_not_know_as_it_is(session_factory, clock) -> None:
    conversations = ConversationService(session_factory, clock)
    await _given_up(session_factory, clock, WAITING)
    assert await conversations.written_to_in(chat(), by=ADELE) is True
    assert (await _rows(session_factory))["card"].status is NotificationStatus.PENDING
    assert await conversations.written_to_in(chat(), by=ADELE) is False  # known as it is: only read
    assert await conversations.written_to_in(chat(url="http://b"), by=ADELE) is True  # Teams moved it
    async with session_factory() as session:
        record = await session.scalar(select(ConversationRecord).where(ConversationRecord.conversation_id == "a:adele"))
    assert record is not None and record.service_url == "http://b" and record.installed


async def test_an_install_returns_the_installer_as_stored(session_factory, clock) -> None:
    conversations = ConversationService(session_factory, clock)
    first = await conversations.installed(chat(), by=ADELE, by_name="Adele Vance")
    assert first == Met("Adele Vance", frozenset({Role.PARTICIPANT}))
    async with session_factory.begin() as session:
        await assign_roles(session, ADELE, [Role.TRAINER])
    again = await conversations.installed(chat("19:group", kind="groupChat"), by=ADELE)  # no name: the stored one
    assert again == Met("Adele Vance", frozenset({Role.PARTICIPANT, Role.TRAINER}))
    renamed = await conversations.installed(chat(), by=ADELE, by_name="Adele Smith")
    assert renamed is not None and renamed.name == "Adele Smith"
    async with session_factory() as session:
        assert (await session.scalar(select(Person.name).where(Person.aad_object_id == ADELE))) == "Adele Smith"
    assert await conversations.installed(chat("19:other", kind="groupChat"), by=None) is None


async def test_an_install_by_someone_known_runs_no_orm_statement(session_factory, clock) -> None:
    """An install (its claim, the chat, the installer, what waited) is Core statements on the transaction's connection
    (``ConversationService._installed_known``): the ORM's statement handling cost more than the statements."""
    conversations = ConversationService(session_factory, clock)
    await conversations.installed(chat(), by=ADELE, by_name="Adele Vance")  # a first meeting goes through the ORM
    orm_statements: list[object] = []

    def on_execute(state: ORMExecuteState) -> None:
        orm_statements.append(state.statement)

    event.listen(Session, "do_orm_execute", on_execute)
    try:
        met = await conversations.installed(chat(), by=ADELE, by_name="Adele Smith", receipt="install-2")
    finally:
        event.remove(Session, "do_orm_execute", on_execute)
    assert met == Met("Adele Smith", frozenset({Role.PARTICIPANT})) and orm_statements == []
    async with session_factory() as session:
        assert (await session.scalar(select(Person.name).where(Person.aad_object_id == ADELE))) == "Adele Smith"


async def test_an_install_wakes_the_dispatchers_once_what_waited_is_due_and_a_redelivery_changes_nothing(
    session_factory, clock
) -> None:
    """What waited for her chat goes at once: the dispatchers are woken when the install commits (a known person's
    install runs on a plain connection, no session: its transaction's mark wakes them). Teams redelivering the
    install changes nothing and wakes nobody; an install with nothing waiting wakes nobody either."""
    conversations = ConversationService(session_factory, clock)
    await conversations.installed(chat("19:group", kind="groupChat"), by=ADELE, by_name="Adele Vance")  # met
    await _given_up(session_factory, clock, WAITING)
    woken: list[set[str]] = []

    def wake() -> None:  # what is due at the moment of the wake: a dispatcher must find it
        with session_factory.kw["bind"].sync_engine.connect() as connection:
            due = connection.execute(
                select(OutboxNotification.dedupe_key).where(OutboxNotification.status == NotificationStatus.PENDING)
            )
            woken.append(set(due.scalars()))

    stop = wake_on_commit(wake)
    try:
        await conversations.installed(chat(), by=ADELE, receipt="install-1")
        assert woken == [{"card", "last week's card"}]
        with pytest.raises(AlreadyTaken):
            await conversations.installed(chat(url="http://moved"), by=ADELE, by_name="Someone", receipt="install-1")
        await conversations.installed(chat("19:other", kind="groupChat"), by=ADELE, receipt="install-2")
    finally:
        stop()
    assert len(woken) == 1
    async with session_factory() as session:
        record = await session.scalar(select(ConversationRecord).where(ConversationRecord.conversation_id == "a:adele"))
        assert record is not None and record.service_url == "http://a"  # the redelivery stored nothing
        assert await session.scalar(select(Person.name).where(Person.aad_object_id == ADELE)) == "Adele Vance"
    rows = await _rows(session_factory)
    assert rows["card"].attempts - rows["card"].superseded_attempts == 0


async def test_a_first_meeting_at_install_wakes_the_dispatchers_too(session_factory, clock) -> None:
    """Someone not stored yet: the install runs again in an ORM session (``meet_first``), whose commit wakes them."""
    await _given_up(session_factory, clock, WAITING)
    woken: list[str] = []
    stop = wake_on_commit(lambda: woken.append("wake"))
    try:
        met = await ConversationService(session_factory, clock).installed(chat(), by=ADELE, receipt="install-1")
    finally:
        stop()
    assert met == Met("", frozenset({Role.PARTICIPANT})) and woken == ["wake"]
    rows = await _rows(session_factory)
    assert {key for key, row in rows.items() if row.status is NotificationStatus.PENDING} == {
        "card",
        "last week's card",
    }
    async with session_factory() as session:
        receipts = (await session.scalars(select(ActivityReceipt.key))).all()
    assert receipts == ["install-1"]  # claimed once: the plain connection's try was rolled back


async def test_installs_arriving_together_share_one_transaction(session_factory, clock) -> None:
    """Installs that reach the service in the same pass of the event loop take one transaction between them, each
    with its own answer; a redelivery and a first meeting among them change nothing for the others."""
    async with session_factory.begin() as session:
        for n in range(3):
            await assign_roles(session, f"aad-{n}", [Role.TRAINER], f"Person {n}")
    conversations = ConversationService(session_factory, clock)
    await conversations.installed(chat("a:0", person="aad-0"), by="aad-0", receipt="install-0")  # delivered before
    transactions = conversations.install_transactions

    people = [(f"a:{n}", f"aad-{n}", f"install-{n}") for n in (1, 2)]
    outcomes = await asyncio.gather(
        *(conversations.installed(chat(c, person=p), by=p, receipt=r) for c, p, r in people),
        conversations.installed(chat("a:0", person="aad-0"), by="aad-0", receipt="install-0"),  # Teams again
        conversations.installed(chat("a:new", person="aad-new"), by="aad-new", receipt="install-new"),
        return_exceptions=True,
    )

    trainer = frozenset({Role.TRAINER})
    assert outcomes[:2] == [Met("Person 1", trainer), Met("Person 2", trainer)]
    assert isinstance(outcomes[2], AlreadyTaken) and outcomes[3] == Met("", frozenset({Role.PARTICIPANT}))
    async with session_factory() as session:
        stored = set((await session.scalars(select(ConversationRecord.conversation_id))).all())
        receipts = set((await session.scalars(select(ActivityReceipt.key))).all())
    assert stored == {"a:0", "a:1", "a:2", "a:new"}
    assert receipts == {"install-0", "install-1", "install-2", "install-new"}
    # One shared try (undone: the redelivery and the stranger failed it), then each on its own.
    assert conversations.install_transactions - transactions == 1 + 4


async def test_installs_arriving_together_commit_once(session_factory, clock) -> None:
    async with session_factory.begin() as session:
        for n in range(4):
            await assign_roles(session, f"aad-{n}", [Role.TRAINER], f"Person {n}")
    conversations = ConversationService(session_factory, clock)
    await asyncio.gather(
        *(conversations.installed(chat(f"a:{n}", person=f"aad-{n}"), by=f"aad-{n}", receipt=f"i-{n}") for n in range(4))
    )
    assert conversations.install_transactions == 1


async def test_an_install_cancelled_while_its_transaction_committed_gives_its_claim_up(session_factory, clock) -> None:
    """Nobody is left to greet: the claim is given up, so Teams' redelivery is greeted (storing the chat again
    changes nothing), not taken for done."""
    async with session_factory.begin() as session:
        await assign_roles(session, ADELE, [Role.TRAINER], "Adele Vance")
    conversations = ConversationService(session_factory, clock)
    began, go_on = asyncio.Event(), asyncio.Event()
    transaction = conversations._shared._transaction

    async def slow_transaction(work):  # type: ignore[no-untyped-def]
        began.set()
        await go_on.wait()  # the database, slow for a moment
        return await transaction(work)

    conversations._shared._transaction = slow_transaction
    install = asyncio.ensure_future(conversations.installed(chat(), by=ADELE, receipt="install-1"))
    await began.wait()
    install.cancel()
    go_on.set()
    with pytest.raises(asyncio.CancelledError):
        await install
    for _ in range(500):  # the chat stored (the shared transaction committed), then the claim given up
        async with session_factory() as session:
            stored = (await session.scalars(select(ConversationRecord.conversation_id))).all()
            claims = (await session.scalars(select(ActivityReceipt.key))).all()
        if stored and not claims:
            break
        await asyncio.sleep(0.01)
    met = await conversations.installed(chat(), by=ADELE, receipt="install-1")  # Teams again: greeted
    assert met == Met("Adele Vance", frozenset({Role.TRAINER}))
