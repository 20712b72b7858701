"""Enquiries in the domain, on SQLite and PostgreSQL: references, one transaction with the coordinator card,
idempotent submission, coordinator-only actions with their history, the enquirer writing back."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from classroom import transactions
from classroom.catalogue.snapshot import CatalogueSnapshot
from classroom.coordinators import (
    ChatMember,
    NotOnlyCoordinators,
    coordinator_targets,
    coordinators_conversation,
    outsiders_joined,
    set_coordinators_conversation,
)
from classroom.enquiries.actions import Actor, AlreadyDone, assign_to_self, close, enquirer_writes, reopen, reply
from classroom.enquiries.queries import CoordinatorFilter, coordinator_list, enquirer_list, enquiry_for
from classroom.enquiries.references import parse_reference
from classroom.enquiries.service import EnquiryService
from classroom.enquiries.submission import create_enquiry
from classroom.errors import InvalidInput, NotAllowed, NotFound
from classroom.outbox import ENQUEUED_FLAG
from classroom.receipts import AlreadyTaken
from storage.models import (
    Course,
    Enquiry,
    EnquiryAction,
    EnquiryCounter,
    EnquiryEvent,
    EnquiryStatus,
    NotificationStatus,
    OutboxNotification,
)
from tests.support.catalogue import load_demo_catalogue
from tests.support.enquiries import (
    COORDINATOR_AAD,
    COORDINATOR_NAME,
    COORDINATORS_CHAT,
    COORDINATORS_ONLY,
    PARTICIPANT_AAD,
    SECOND_COORDINATOR_AAD,
    conversation_record,
    count,
    draft,
    make_coordinator,
    store_conversations,
    submitted,
)
from tests.support.races import postgres_only, race
from tests.support.statements import statements, through_execute

ADELE = Actor(COORDINATOR_AAD, COORDINATOR_NAME)
PATTI = Actor(SECOND_COORDINATOR_AAD, "Patti Fernandez")
ALEX = Actor(PARTICIPANT_AAD, "Alex Wilber")


@pytest.fixture(autouse=True)
async def catalogue_and_coordinators(session_factory, clock) -> None:  # type: ignore[no-untyped-def]
    await load_demo_catalogue(session_factory, clock)
    await make_coordinator(session_factory)
    await make_coordinator(session_factory, SECOND_COORDINATOR_AAD, "Patti Fernandez")


async def outbox(session_factory) -> list[OutboxNotification]:  # type: ignore[no-untyped-def]
    async with session_factory() as session:
        return list((await session.scalars(select(OutboxNotification).order_by(OutboxNotification.id))).all())


async def history(session_factory, enquiry_id: int) -> list[tuple[EnquiryAction, str]]:  # type: ignore[no-untyped-def]
    async with session_factory() as session:
        events = await session.scalars(
            select(EnquiryEvent).where(EnquiryEvent.enquiry_id == enquiry_id).order_by(EnquiryEvent.id)
        )
        return [(e.action, e.actor_name) for e in events]


async def test_an_enquiry_gets_a_reference_a_history_and_a_card_for_each_coordinator(session_factory, clock) -> None:
    result = await submitted(session_factory, clock.now())
    assert (result.reference, result.created) == ("ENQ-2026-0001", True)
    assert await history(session_factory, result.id) == [(EnquiryAction.CREATED, "Alex Wilber")]
    cards = await outbox(session_factory)
    # No coordinators' conversation set: each coordinator gets a copy in their 1:1 chat.
    assert sorted((c.kind, c.recipient_aad_object_id, c.dedupe_key) for c in cards) == [
        ("enquiries.card", COORDINATOR_AAD, f"enquiry-card:{result.id}:{COORDINATOR_AAD}"),
        ("enquiries.card", SECOND_COORDINATOR_AAD, f"enquiry-card:{result.id}:{SECOND_COORDINATOR_AAD}"),
    ]
    enquiry = cards[0].payload["enquiry"]
    assert enquiry["reference"] == "ENQ-2026-0001" and enquiry["status"] == "awaiting_reply"
    assert enquiry["courses"] == [
        {
            "code": "PERM4",
            "title": "Permanence – What does it Mean for Children and Young People and How can it be Achieved?",
        }
    ]
    assert cards[0].due_at == clock.now()


async def test_every_coordinators_copy_is_queued_in_one_statement(session_factory, engine, clock) -> None:
    with statements(engine) as seen:
        await submitted(session_factory, clock.now())
    outbox_inserts = [s for s in seen if s.lstrip().startswith("INSERT INTO outbox ")]
    assert len(outbox_inserts) == 1
    assert len(await outbox(session_factory)) == 2  # one copy for each of the two coordinators


async def test_the_coordinators_conversation_gets_one_card(session_factory, clock) -> None:
    await store_conversations(session_factory, conversation_record(COORDINATORS_CHAT, "groupChat"))
    async with session_factory.begin() as session:
        await set_coordinators_conversation(
            session, COORDINATORS_CHAT, by=COORDINATOR_AAD, now=clock.now(), members=COORDINATORS_ONLY
        )
    result = await submitted(session_factory, clock.now())
    [card] = await outbox(session_factory)
    assert (card.conversation_key, card.recipient_aad_object_id) == (COORDINATORS_CHAT, None)
    assert card.dedupe_key == f"enquiry-card:{result.id}:chat"


async def test_a_removed_coordinators_conversation_falls_back_to_1to1_chats(session_factory, clock) -> None:
    await store_conversations(session_factory, conversation_record(COORDINATORS_CHAT, "channel"))
    async with session_factory.begin() as session:
        await set_coordinators_conversation(
            session, COORDINATORS_CHAT, by=COORDINATOR_AAD, now=clock.now(), members=COORDINATORS_ONLY
        )
    async with session_factory.begin() as session:
        from classroom.conversations import forget_conversation

        await forget_conversation(session, COORDINATORS_CHAT)
    await submitted(session_factory, clock.now())
    assert {c.recipient_aad_object_id for c in await outbox(session_factory)} == {
        COORDINATOR_AAD,
        SECOND_COORDINATOR_AAD,
    }


async def test_a_non_coordinator_joining_the_coordinators_channels_team_ends_the_choice(session_factory, clock) -> None:
    """A channel's readers are its team's members: Teams reports them joining the team (the event's conversation
    is the team's), which counts for every channel of it; joining some other chat or team changes nothing."""
    channel = conversation_record(COORDINATORS_CHAT, "channel")
    channel.team_id = "team-1"
    await store_conversations(session_factory, channel)
    async with session_factory.begin() as session:
        await set_coordinators_conversation(
            session, COORDINATORS_CHAT, by=COORDINATOR_AAD, now=clock.now(), members=COORDINATORS_ONLY
        )
    alex = [ChatMember(PARTICIPANT_AAD, "")]
    async with session_factory.begin() as session:
        assert await outsiders_joined(session, "other-chat", "team-2", alex) == 0
        assert await outsiders_joined(session, "team-1", "team-1", [ChatMember(SECOND_COORDINATOR_AAD, "")]) == 0
        assert await coordinators_conversation(session) is not None
    async with session_factory.begin() as session:
        assert await outsiders_joined(session, "team-1", "team-1", alex + [ChatMember(None, "guest")]) == 2
    async with session_factory() as session:
        assert await coordinators_conversation(session) is None


async def test_only_a_coordinator_chooses_a_shared_conversation_that_the_bot_is_in(session_factory, clock) -> None:
    await store_conversations(
        session_factory,
        conversation_record(COORDINATORS_CHAT, "groupChat"),
        conversation_record("a:personal", "personal", user=COORDINATOR_AAD),
    )
    async with session_factory.begin() as session:
        with pytest.raises(NotAllowed):
            await set_coordinators_conversation(
                session, COORDINATORS_CHAT, by=PARTICIPANT_AAD, now=clock.now(), members=COORDINATORS_ONLY
            )
        with pytest.raises(InvalidInput, match="channel or a group chat"):
            await set_coordinators_conversation(
                session, "a:personal", by=COORDINATOR_AAD, now=clock.now(), members=COORDINATORS_ONLY
            )
        with pytest.raises(InvalidInput, match="not installed"):
            await set_coordinators_conversation(
                session, "19:unknown@thread.v2", by=COORDINATOR_AAD, now=clock.now(), members=COORDINATORS_ONLY
            )


async def test_a_shared_conversation_must_have_only_coordinators_as_members(session_factory, clock) -> None:
    """Whoever can read it would see enquirers' details: members are checked by Entra id and stored roles."""
    await store_conversations(session_factory, conversation_record(COORDINATORS_CHAT, "groupChat"))
    members = [
        ChatMember(COORDINATOR_AAD, COORDINATOR_NAME),
        ChatMember(PARTICIPANT_AAD, "Alex Wilber"),
        ChatMember(None, "A Guest"),
        ChatMember("aad-never-met", "Zed Stranger"),
        ChatMember(PARTICIPANT_AAD + "x", COORDINATOR_NAME),  # a coordinator's name is not a coordinator
    ]
    async with session_factory.begin() as session:
        with pytest.raises(NotOnlyCoordinators) as refused:
            await set_coordinators_conversation(
                session, COORDINATORS_CHAT, by=COORDINATOR_AAD, now=clock.now(), members=members
            )
    assert refused.value.outsiders == ["A Guest", "Adele Vance", "Alex Wilber", "Zed Stranger"]
    async with session_factory() as session:
        assert await coordinators_conversation(session) is None


async def test_enquiry_and_its_card_are_one_transaction(session_factory, clock, monkeypatch) -> None:
    """A failure between saving the enquiry and queueing its card leaves neither (and no used number)."""

    async def broken_enqueue(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("the outbox write failed")

    monkeypatch.setattr("classroom.coordinators.enqueue_many", broken_enqueue)
    with pytest.raises(RuntimeError, match="outbox write failed"):
        await submitted(session_factory, clock.now())
    monkeypatch.undo()
    assert await count(session_factory, Enquiry) == 0
    assert await count(session_factory, EnquiryEvent) == 0
    assert await count(session_factory, OutboxNotification) == 0

    # And a failure after both were written, before the commit, keeps neither either.
    with pytest.raises(RuntimeError, match="crashed before commit"):
        async with session_factory.begin() as session:
            await create_enquiry(
                session, draft(), enquirer_aad_object_id=PARTICIPANT_AAD, idempotency_key="k", now=clock.now()
            )
            assert await count_in(session, Enquiry) == 1 and await count_in(session, OutboxNotification) == 2
            raise RuntimeError("crashed before commit")
    assert await count(session_factory, Enquiry) == 0 and await count(session_factory, OutboxNotification) == 0
    assert (await submitted(session_factory, clock.now())).reference == "ENQ-2026-0001"  # the number was not used


async def count_in(session, model: type) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import func

    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_the_same_submission_twice_makes_one_enquiry(session_factory, clock) -> None:
    first = await submitted(session_factory, clock.now(), "dialog-1")
    again = await submitted(session_factory, clock.now() + timedelta(seconds=20), "dialog-1")
    assert (again.id, again.reference, again.created) == (first.id, first.reference, False)
    assert await count(session_factory, Enquiry) == 1 and await count(session_factory, OutboxNotification) == 2


async def test_concurrent_redeliveries_make_one_enquiry(session_factory, clock) -> None:
    results = await asyncio.gather(*(submitted(session_factory, clock.now(), "dialog-1") for _ in range(6)))
    assert {r.reference for r in results} == {"ENQ-2026-0001"}
    assert sum(r.created for r in results) == 1
    assert await count(session_factory, Enquiry) == 1 and await count(session_factory, OutboxNotification) == 2
    async with session_factory() as session:
        assert (await session.get(EnquiryCounter, 2026)).last_number == 1  # the losers gave their numbers back


async def test_concurrent_submissions_get_distinct_consecutive_references(session_factory, clock) -> None:
    results = await asyncio.gather(*(submitted(session_factory, clock.now(), f"dialog-{i}") for i in range(20)))
    assert sorted(r.reference for r in results) == [f"ENQ-2026-{n:04d}" for n in range(1, 21)]


async def test_references_restart_each_year(session_factory, clock) -> None:
    await submitted(session_factory, clock.now(), "a")
    next_year = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
    assert (await submitted(session_factory, next_year, "b")).reference == "ENQ-2027-0001"
    assert (await submitted(session_factory, next_year, "c")).reference == "ENQ-2027-0002"


def test_references_are_read_as_people_type_them() -> None:
    assert parse_reference("enq-2026-42") == "ENQ-2026-0042"
    assert parse_reference(" ENQ 2026 0042 ") == "ENQ-2026-0042"
    assert parse_reference("ENQ-26-1") is None and parse_reference("PERM4") is None


async def test_a_submission_is_validated_even_without_the_dialog(session_factory, clock) -> None:
    with pytest.raises(InvalidInput, match="email"):
        await submitted(session_factory, clock.now(), email="not-an-email")
    with pytest.raises(InvalidInput, match="NOPE"):
        await submitted(session_factory, clock.now(), course_codes=["NOPE"])
    assert await count(session_factory, Enquiry) == 0


async def test_coordinators_assign_reply_close_and_reopen_with_history(session_factory, clock) -> None:
    enquiry = await submitted(session_factory, clock.now())
    steps = [
        (assign_to_self, ADELE, {}),
        (reply, ADELE, {"text": "Yes: PERM4 runs again in March."}),
        (close, PATTI, {}),
        (reopen, ADELE, {}),
    ]
    for minutes, (action, actor, extra) in enumerate(steps, start=1):
        async with session_factory.begin() as session:
            args = (extra["text"],) if "text" in extra else ()
            outcome = await action(session, enquiry.id, actor, *args, now=clock.now() + timedelta(minutes=minutes))
        assert outcome.changed
    assert await history(session_factory, enquiry.id) == [
        (EnquiryAction.CREATED, "Alex Wilber"),
        (EnquiryAction.ASSIGNED, COORDINATOR_NAME),
        (EnquiryAction.REPLIED, COORDINATOR_NAME),
        (EnquiryAction.CLOSED, "Patti Fernandez"),
        (EnquiryAction.REOPENED, COORDINATOR_NAME),
    ]
    view = outcome.view
    assert view.status is EnquiryStatus.AWAITING_REPLY and view.assignee_name == COORDINATOR_NAME
    assert [e.at for e in view.events] == [clock.now() + timedelta(minutes=m) for m in range(5)]
    assert view.events[2].text == "Yes: PERM4 runs again in March."
    [reply_to_enquirer] = [n for n in await outbox(session_factory) if n.kind == "enquiries.reply"]
    assert reply_to_enquirer.recipient_aad_object_id == PARTICIPANT_AAD
    assert reply_to_enquirer.payload["reference"] == "ENQ-2026-0001"
    assert reply_to_enquirer.payload["text"] == "Yes: PERM4 runs again in March."


async def test_a_reply_takes_an_unassigned_enquiry_and_is_recorded_once(session_factory, clock) -> None:
    enquiry = await submitted(session_factory, clock.now())
    for _ in range(2):  # Teams redelivers the same activity
        async with session_factory.begin() as session:
            outcome = await reply(
                session, enquiry.id, PATTI, "See you in March", now=clock.now(), idempotency_key="activity-1"
            )
    assert not outcome.changed
    assert await history(session_factory, enquiry.id) == [
        (EnquiryAction.CREATED, "Alex Wilber"),
        (EnquiryAction.ASSIGNED, "Patti Fernandez"),
        (EnquiryAction.REPLIED, "Patti Fernandez"),
    ]
    assert len([n for n in await outbox(session_factory) if n.kind == "enquiries.reply"]) == 1
    assert outcome.view.status is EnquiryStatus.ANSWERED and outcome.view.awaiting_since is None


@pytest.mark.parametrize("action", [assign_to_self, reply, close, reopen])
async def test_a_non_coordinator_cannot_act(session_factory, clock, action) -> None:  # type: ignore[no-untyped-def]
    enquiry = await submitted(session_factory, clock.now())
    async with session_factory.begin() as session:
        args = ("hello",) if action is reply else ()
        with pytest.raises(NotAllowed):
            await action(session, enquiry.id, ALEX, *args, now=clock.now())
    assert await history(session_factory, enquiry.id) == [(EnquiryAction.CREATED, "Alex Wilber")]


async def test_actions_that_no_longer_apply_say_why(session_factory, clock) -> None:
    enquiry = await submitted(session_factory, clock.now())
    async with session_factory.begin() as session:
        await close(session, enquiry.id, PATTI, now=clock.now())
    for action, args, reason in [
        (close, (), "already closed by Patti Fernandez"),
        (reply, ("hello",), "closed; reopen it first"),
        (assign_to_self, (), "closed; reopen it first"),
    ]:
        async with session_factory.begin() as session:
            with pytest.raises(AlreadyDone, match=reason):
                await action(session, enquiry.id, ADELE, *args, now=clock.now())
    async with session_factory.begin() as session:
        await reopen(session, enquiry.id, ADELE, now=clock.now())
        with pytest.raises(AlreadyDone, match="open already"):
            await reopen(session, enquiry.id, ADELE, now=clock.now())
        await assign_to_self(session, enquiry.id, ADELE, now=clock.now())
        with pytest.raises(AlreadyDone, match="already assigned to you"):
            await assign_to_self(session, enquiry.id, ADELE, now=clock.now())
        with pytest.raises(InvalidInput, match="empty"):
            await reply(session, enquiry.id, ADELE, "   ", now=clock.now())
        with pytest.raises(NotFound):
            await close(session, 999, ADELE, now=clock.now())


async def test_the_enquirer_writes_back_and_the_coordinators_are_told(session_factory, clock) -> None:
    enquiry = await submitted(session_factory, clock.now())
    async with session_factory.begin() as session:
        await reply(session, enquiry.id, ADELE, "Which dates suit you?", now=clock.now())
        await close(session, enquiry.id, ADELE, now=clock.now())
    later = clock.now() + timedelta(days=1)
    async with session_factory.begin() as session:
        outcome = await enquirer_writes(
            session, "ENQ-2026-0001", ALEX, "March, please", now=later, idempotency_key="answer-1"
        )
    assert outcome.view.status is EnquiryStatus.AWAITING_REPLY and outcome.view.awaiting_since == later
    assert [e.action for e in outcome.view.events][-2:] == [EnquiryAction.REOPENED, EnquiryAction.ENQUIRER_REPLIED]
    followups = [n for n in await outbox(session_factory) if n.kind == "enquiries.followup"]
    assert {n.recipient_aad_object_id for n in followups} == {COORDINATOR_AAD, SECOND_COORDINATOR_AAD}
    assert followups[0].payload["text"] == "March, please" and followups[0].payload["reopened"] is True
    async with session_factory.begin() as session:
        with pytest.raises(NotFound):  # someone else's enquiry looks like no enquiry at all
            await enquirer_writes(session, "ENQ-2026-0001", Actor("someone-else", "Eve"), "hi", now=later)


async def test_every_copy_of_the_card_is_due_again_with_the_latest_state(session_factory, clock) -> None:
    """Unsent copies are rewritten; a sent copy is due again, keeping Teams' message id, to be replaced."""
    enquiry = await submitted(session_factory, clock.now())
    async with session_factory.begin() as session:  # one copy was delivered already, on its second attempt
        await session.execute(
            update(OutboxNotification)
            .where(OutboxNotification.recipient_aad_object_id == COORDINATOR_AAD)
            .values(status=NotificationStatus.SENT, activity_id="msg-1", sent_conversation_id="a:adele", attempts=2)
        )
    await store_conversations(session_factory, conversation_record("a:adele", "personal", user=COORDINATOR_AAD))
    later = clock.now() + timedelta(minutes=5)
    async with session_factory.begin() as session:
        await assign_to_self(session, enquiry.id, PATTI, now=later)
    cards = {c.recipient_aad_object_id: c for c in await outbox(session_factory)}
    waiting, sent = cards[SECOND_COORDINATOR_AAD], cards[COORDINATOR_AAD]
    assert waiting.payload["enquiry"]["assignee_name"] == "Patti Fernandez"
    assert waiting.status is NotificationStatus.PENDING
    assert sent.payload["enquiry"]["assignee_name"] == "Patti Fernandez"
    assert (sent.status, sent.due_at, sent.next_attempt_at) == (NotificationStatus.PENDING, later, later)
    assert (sent.attempts, sent.superseded_attempts) == (2, 2)  # fresh tries; the claim count goes on
    assert (sent.activity_id, sent.sent_conversation_id) == ("msg-1", "a:adele")  # what the dispatcher replaces


async def test_a_copy_being_sent_follows_with_the_change_and_the_dispatcher_is_woken(session_factory, clock) -> None:
    enquiry = await submitted(session_factory, clock.now())
    async with session_factory.begin() as session:  # Adele's copy is on the wire; Patti's was sent earlier
        await session.execute(
            update(OutboxNotification)
            .where(OutboxNotification.recipient_aad_object_id == COORDINATOR_AAD)
            .values(status=NotificationStatus.SENDING, lease_owner="dispatcher-1", attempts=1)
        )
        await session.execute(
            update(OutboxNotification)
            .where(OutboxNotification.recipient_aad_object_id == SECOND_COORDINATOR_AAD)
            .values(status=NotificationStatus.SENT, activity_id="msg-2", sent_conversation_id="a:patti", attempts=1)
        )
    async with session_factory.begin() as session:
        await close(session, enquiry.id, PATTI, now=clock.now())
        assert session.info.get(ENQUEUED_FLAG)  # wake_on_commit wakes the dispatchers for Patti's copy
    cards = {c.recipient_aad_object_id: c for c in await outbox(session_factory)}
    on_the_wire = cards[COORDINATOR_AAD]
    assert on_the_wire.status is NotificationStatus.SENDING and on_the_wire.changed_while_sending is True
    assert on_the_wire.payload["enquiry"]["status"] == "closed"
    assert cards[SECOND_COORDINATOR_AAD].status is NotificationStatus.PENDING


async def test_a_press_takes_the_course_titles_from_the_catalogue_kept_in_memory(session_factory, clock) -> None:
    """Given this process's copy of the catalogue, the card's course titles cost no statement of their own (its
    version is read with the history); a title changed by anyone is still on the next card."""
    enquiry = await submitted(session_factory, clock.now())
    catalogue = CatalogueSnapshot()
    engine = session_factory.kw["bind"].sync_engine
    seen: list[str] = []

    def on_statement(_conn, _cursor, statement: str, *_args) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    async with session_factory.begin() as session:  # the copy is built on first use
        await assign_to_self(session, enquiry.id, ADELE, now=clock.now(), catalogue=catalogue)
    event.listen(engine, "before_cursor_execute", on_statement)
    try:
        async with session_factory.begin() as session:
            outcome = await assign_to_self(session, enquiry.id, PATTI, now=clock.now(), catalogue=catalogue)
    finally:
        event.remove(engine, "before_cursor_execute", on_statement)
    assert [c.code for c in outcome.view.courses] == ["PERM4"] and outcome.view.courses[0].title
    assert not [s for s in seen if "FROM courses" in s or s.lstrip().startswith("SELECT catalogue_version")], seen
    async with session_factory.begin() as session:  # someone else's plain UPDATE
        await session.execute(update(Course).where(Course.code == "PERM4").values(title="Renamed by hand"))
    async with session_factory.begin() as session:
        again = await assign_to_self(session, enquiry.id, ADELE, now=clock.now(), catalogue=catalogue)
    assert [c.title for c in again.view.courses] == ["Renamed by hand"]
    cards = await outbox(session_factory)
    assert {c.payload["enquiry"]["courses"][0]["title"] for c in cards} == {"Renamed by hand"}


async def test_a_press_is_one_hand_over_to_the_driver(session_factory, clock, monkeypatch) -> None:
    """With the catalogue kept current, a press's statements (the guarded UPDATE, its event, the card's history,
    the copies due again) run as synchronous code on the transaction's connection (``run_sync``), not as one
    async call each: each hand-over to the driver cost about as much as the statement."""
    enquiry = await submitted(session_factory, clock.now())
    catalogue = CatalogueSnapshot()
    async with session_factory.begin() as session:  # the copy is built on first use
        await assign_to_self(session, enquiry.id, ADELE, now=clock.now(), catalogue=catalogue)
    async_calls: list[object] = []
    execute = AsyncConnection.execute

    async def counted(self, statement, *args, **kwargs):  # type: ignore[no-untyped-def]
        async_calls.append(statement)
        return await execute(self, statement, *args, **kwargs)

    monkeypatch.setattr(AsyncConnection, "execute", counted)
    async with session_factory.begin() as session:
        outcome = await assign_to_self(session, enquiry.id, PATTI, now=clock.now(), catalogue=catalogue)
        assert session.info.get(ENQUEUED_FLAG) is True  # the dispatchers are woken when it commits
    assert async_calls == []
    assert outcome.changed and outcome.view.assignee_name == PATTI.name
    assert {c.payload["enquiry"]["assignee_name"] for c in await outbox(session_factory)} == {PATTI.name}
    assert (await history(session_factory, enquiry.id))[-1] == (EnquiryAction.ASSIGNED, PATTI.name)


async def test_a_press_claims_its_activity_in_the_same_step(session_factory, clock, monkeypatch) -> None:
    """Through the service, the press's activity is claimed in the step of its statements (one hand-over to the
    driver, not two: since the press needs no ORM session, its step is ``in_transaction_on``'s, not a session's
    ``run_sync``); a redelivery of the activity changes nothing, and a refused press claims nothing."""
    enquiry = await submitted(session_factory, clock.now())
    service = EnquiryService(session_factory, clock, catalogue=CatalogueSnapshot())
    await service.assign_to_self(enquiry.id, ADELE, idempotency_key="click-0", receipt="activity-0")  # builds the copy
    steps: list[object] = []
    run_sync, spawn = AsyncSession.run_sync, transactions.greenlet_spawn

    async def counted(self, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        steps.append(fn)
        return await run_sync(self, fn, *args, **kwargs)

    async def spawned(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        steps.append(fn)
        return await spawn(fn, *args, **kwargs)

    monkeypatch.setattr(AsyncSession, "run_sync", counted)
    monkeypatch.setattr(transactions, "greenlet_spawn", spawned)
    outcome = await service.assign_to_self(enquiry.id, PATTI, idempotency_key="click-1", receipt="activity-1")
    assert len(steps) == 1 and outcome.changed
    with pytest.raises(AlreadyTaken):
        await service.assign_to_self(enquiry.id, ADELE, idempotency_key="click-2", receipt="activity-1")
    assert (await history(session_factory, enquiry.id))[-1] == (EnquiryAction.ASSIGNED, PATTI.name)
    with pytest.raises(AlreadyDone):  # Patti holds it already: refused, and its activity not claimed
        await service.assign_to_self(enquiry.id, PATTI, idempotency_key="click-3", receipt="activity-3")
    again = await service.assign_to_self(enquiry.id, ADELE, idempotency_key="click-4", receipt="activity-3")
    assert again.changed and again.view.assignee_name == ADELE.name


@pytest.mark.parametrize("courses", [pytest.param(None, id="naming a course"), pytest.param([], id="naming none")])
async def test_a_usual_press_through_the_service_needs_no_orm_session(
    session_factory, clock, monkeypatch, courses: list[str] | None
) -> None:
    """With the catalogue kept current, the service runs a press whole on a pooled connection
    (``in_transaction_on``): no ORM session, whose set-up, transaction and commit cost more than a statement. A
    press it cannot finish so (here the first, which builds the catalogue's copy) is rolled back and run again with
    a session: recorded once. A question naming no course needs no catalogue."""
    enquiry = await submitted(session_factory, clock.now(), **({} if courses is None else {"course_codes": courses}))
    service = EnquiryService(session_factory, clock, catalogue=CatalogueSnapshot())
    first = await service.assign_to_self(enquiry.id, ADELE, idempotency_key="click-0", receipt="activity-0")
    assert (
        first.changed and (await history(session_factory, enquiry.id)).count((EnquiryAction.ASSIGNED, ADELE.name)) == 1
    )
    sessions: list[object] = []
    begin = type(session_factory).begin

    def counted(self):  # type: ignore[no-untyped-def]
        sessions.append(self)
        return begin(self)

    monkeypatch.setattr(type(session_factory), "begin", counted)
    outcome = await service.assign_to_self(enquiry.id, PATTI, idempotency_key="click-1", receipt="activity-1")
    assert sessions == [] and outcome.changed and outcome.view.assignee_name == PATTI.name
    assert {c.payload["enquiry"]["assignee_name"] for c in await outbox(session_factory)} == {PATTI.name}
    assert (await history(session_factory, enquiry.id))[-1] == (EnquiryAction.ASSIGNED, PATTI.name)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_a_usual_press_on_sqlite_runs_its_statements_on_sqlite3_directly(
    session_factory, clock, monkeypatch
) -> None:
    """Its statements (guarded UPDATE, event, history, card copies, claim) skip ``Connection.execute``
    (``storage/direct_statements.py``), whose per-statement work cost about half of the press's database step."""
    enquiry = await submitted(session_factory, clock.now())
    service = EnquiryService(session_factory, clock, catalogue=CatalogueSnapshot())
    await service.assign_to_self(enquiry.id, ADELE, idempotency_key="click-0", receipt="activity-0")  # builds the copy
    with through_execute() as executed:
        for action, key in (
            (service.close, "click-1"),
            (service.reopen, "click-2"),
            (service.assign_to_self, "click-3"),
        ):
            outcome = await action(enquiry.id, PATTI, idempotency_key=key, receipt=key)
            assert outcome.changed
    assert executed == []
    assert outcome.view.assignee_name == PATTI.name and outcome.view.status is EnquiryStatus.AWAITING_REPLY
    assert (await history(session_factory, enquiry.id))[-3:] == [
        (EnquiryAction.CLOSED, PATTI.name),
        (EnquiryAction.REOPENED, PATTI.name),
        (EnquiryAction.ASSIGNED, PATTI.name),
    ]


async def test_a_redelivered_action_does_not_send_the_card_again(session_factory, clock) -> None:
    enquiry = await submitted(session_factory, clock.now())
    async with session_factory.begin() as session:
        await assign_to_self(session, enquiry.id, PATTI, now=clock.now(), idempotency_key="click-1")
        await session.execute(  # the dispatcher sent every copy
            update(OutboxNotification).values(status=NotificationStatus.SENT, activity_id="m", sent_conversation_id="c")
        )
    async with session_factory.begin() as session:
        outcome = await assign_to_self(session, enquiry.id, PATTI, now=clock.now(), idempotency_key="click-1")
    assert outcome.changed is False
    assert {c.status for c in await outbox(session_factory)} == {NotificationStatus.SENT}


async def test_lists_for_coordinators_and_for_the_enquirer(session_factory, clock) -> None:
    first = await submitted(session_factory, clock.now(), "a")
    second = await submitted(session_factory, clock.now() + timedelta(hours=1), "b")
    third = await submitted(session_factory, clock.now() + timedelta(hours=2), "c", enquirer="someone-else")
    async with session_factory.begin() as session:
        await assign_to_self(session, second.id, ADELE, now=clock.now())
        await close(session, third.id, ADELE, now=clock.now())
    async with session_factory() as session:
        everything = await coordinator_list(session, COORDINATOR_AAD, CoordinatorFilter.OPEN)
        mine = await coordinator_list(session, COORDINATOR_AAD, CoordinatorFilter.MINE)
        unassigned = await coordinator_list(session, COORDINATOR_AAD, CoordinatorFilter.UNASSIGNED)
        own = await enquirer_list(session, PARTICIPANT_AAD)
        with pytest.raises(NotAllowed):
            await coordinator_list(session, PARTICIPANT_AAD, CoordinatorFilter.OPEN)
        assert (await enquiry_for(session, second.reference, PARTICIPANT_AAD)).as_coordinator is False
        assert (await enquiry_for(session, third.reference, COORDINATOR_AAD)).as_coordinator is True
        with pytest.raises(NotFound):
            await enquiry_for(session, third.reference, PARTICIPANT_AAD)
    assert [i.reference for i in everything.items] == [first.reference, second.reference]  # oldest first
    assert [i.reference for i in mine.items] == [second.reference]
    assert [i.reference for i in unassigned.items] == [first.reference]
    assert [i.reference for i in own.items] == [second.reference, first.reference]  # newest first


# -- under concurrency (PostgreSQL: SQLite runs one transaction at a time, so there is no race to lose) --------


async def test_the_enquirer_writing_back_while_a_close_commits_reopens_it(session_factory, engine, clock, db_url):  # type: ignore[no-untyped-def]
    postgres_only(db_url)
    enquiry = await submitted(session_factory, clock.now())
    later = clock.now() + timedelta(hours=1)
    _, outcome = await race(
        session_factory,
        engine,
        lambda session: close(session, enquiry.id, ADELE, now=clock.now()),
        lambda session: enquirer_writes(session, "ENQ-2026-0001", ALEX, "One more question", now=later),
    )
    assert outcome.view.status is EnquiryStatus.AWAITING_REPLY and outcome.view.closed_at is None
    assert [action for action, _ in await history(session_factory, enquiry.id)] == [
        EnquiryAction.CREATED,
        EnquiryAction.CLOSED,
        EnquiryAction.REOPENED,
        EnquiryAction.ENQUIRER_REPLIED,
    ]
    followups = [n for n in await outbox(session_factory) if n.kind == "enquiries.followup"]
    assert followups and all(n.payload["reopened"] is True for n in followups)


@pytest.mark.parametrize("action", ["reply", "answer", "assign", "close"])
async def test_the_same_action_delivered_twice_at_once_is_recorded_once(  # type: ignore[no-untyped-def]
    session_factory, engine, clock, db_url, action
):
    """Two processes get the same Teams activity at once: the second finds it recorded and changes nothing."""
    postgres_only(db_url)
    enquiry = await submitted(session_factory, clock.now())
    async with session_factory.begin() as session:
        await assign_to_self(session, enquiry.id, PATTI, now=clock.now())

    def act(session):  # type: ignore[no-untyped-def]
        now, key = clock.now(), "same-1"
        if action == "reply":
            return reply(session, enquiry.id, ADELE, "Yes, in March", now=now, idempotency_key=key)
        if action == "answer":
            return enquirer_writes(session, "ENQ-2026-0001", ALEX, "Thanks!", now=now, idempotency_key=key)
        if action == "assign":
            return assign_to_self(session, enquiry.id, ADELE, now=now, idempotency_key=key)
        return close(session, enquiry.id, ADELE, now=now, idempotency_key=key)

    _, second = await race(session_factory, engine, act, act)
    assert not isinstance(second, BaseException), second
    assert second.changed is False
    assert await count(session_factory, EnquiryEvent, EnquiryEvent.idempotency_key == "same-1") == 1
    messages = [n.kind for n in await outbox(session_factory) if n.kind != "enquiries.card"]
    assert messages.count("enquiries.reply") == (1 if action == "reply" else 0)
    assert messages.count("enquiries.followup") == (2 if action == "answer" else 0)  # one per coordinator


async def test_two_coordinators_assigning_at_once_are_applied_in_turn(session_factory, engine, clock, db_url):  # type: ignore[no-untyped-def]
    postgres_only(db_url)
    enquiry = await submitted(session_factory, clock.now())
    _, second = await race(
        session_factory,
        engine,
        lambda session: assign_to_self(session, enquiry.id, ADELE, now=clock.now()),
        lambda session: assign_to_self(session, enquiry.id, PATTI, now=clock.now()),
    )
    assert second.changed is True and second.view.assignee_name == "Patti Fernandez"
    assert await history(session_factory, enquiry.id) == [
        (EnquiryAction.CREATED, "Alex Wilber"),
        (EnquiryAction.ASSIGNED, COORDINATOR_NAME),
        (EnquiryAction.ASSIGNED, "Patti Fernandez"),
    ]


async def test_where_coordinator_notifications_go_is_one_statement(engine, session_factory, clock) -> None:
    """The shared conversation and the coordinators are read together (``coordinators_reach``): each coordinator in
    Entra id order while none is set, the conversation once it is."""
    async with session_factory() as session:
        with statements(engine) as seen:
            each = await coordinator_targets(session, "k")
    assert [t.recipient for t in each] == sorted([COORDINATOR_AAD, SECOND_COORDINATOR_AAD]) and len(seen) == 1
    await store_conversations(session_factory, conversation_record(COORDINATORS_CHAT, "groupChat"))
    async with session_factory.begin() as session:
        await set_coordinators_conversation(
            session, COORDINATORS_CHAT, by=COORDINATOR_AAD, now=clock.now(), members=COORDINATORS_ONLY
        )
    async with session_factory() as session:
        with statements(engine) as seen:
            shared = await coordinator_targets(session, "k")
    assert [(t.dedupe_key, t.conversation_key, t.recipient) for t in shared] == [("k:chat", COORDINATORS_CHAT, None)]
    assert len(seen) == 1
