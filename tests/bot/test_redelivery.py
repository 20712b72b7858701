"""Teams redelivers an activity it got no answer to in time; the redelivery may reach another bot process, or come
after a restart. Each activity runs once wherever it lands, because its claim is in the database."""

from __future__ import annotations

import contextlib
from datetime import timedelta

from botbuilder.core import TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount, ConversationAccount
from sqlalchemy import select

from bot.app import RUNTIME
from bot.turn_preload import ConversationDialogState, TurnPreload
from classroom.receipts import KEEP_RECEIPTS, ActivityReceipts, receipt_key
from storage.models import ActivityReceipt
from storage.state_storage import SqlAlchemyStorage
from tests.bot.test_turn_preload import database_use
from tests.support.catalogue import load_demo_catalogue
from tests.support.enquiries import submitted

THANKS = "Thank you. Your answer was added"


def _thanks(connector) -> list[str]:  # type: ignore[no-untyped-def]
    return [b["text"] for b in connector.bodies() if THANKS in (b.get("text") or "")]


async def test_a_redelivery_to_another_process_or_after_a_restart_does_not_run_again(
    app_factory, activity, connector, session_factory, clock
) -> None:
    await load_demo_catalogue(session_factory, clock)
    await submitted(session_factory, clock.now())  # ENQ-2026-0001, Alex's
    answer = activity("personal-message", text="answer ENQ-2026-0001 March would suit us")
    async with app_factory() as first, app_factory() as second:  # two bot processes on one database
        assert (await first.post("/api/messages", json=answer)).status == 201
        assert (await second.post("/api/messages", json=answer)).status == 201
    async with app_factory() as restarted:
        assert (await restarted.post("/api/messages", json=answer)).status == 201
    assert len(_thanks(connector)) == 1, connector.bodies()


async def test_a_redelivered_message_neither_stores_its_chat_again_nor_is_answered_twice(
    app_factory, activity, connector
) -> None:
    """The claim runs before the 1:1 chat is remembered (``bot/personal_chats.py``): a process that has never seen
    the chat, given a message another already ran, asks nothing about the chat and sends nothing."""
    message = activity("personal-message", text="help")
    async with app_factory() as first, app_factory() as second:
        assert (await first.post("/api/messages", json=message)).status == 201
        with database_use(second) as checkouts:
            assert (await second.post("/api/messages", json=message)).status == 201
    statements = [statement for checkout in checkouts for statement in checkout]
    assert any("activity_receipts" in statement for statement in statements)
    assert not any("conversations" in statement for statement in statements), statements
    assert len(connector.bodies()) == 1


async def test_a_redelivered_invoke_elsewhere_is_answered_without_running(
    app_factory, activity, connector, session_factory
) -> None:
    press = activity("card-action-execute-invoke")
    async with app_factory() as first, app_factory() as second:
        answered = await (await first.post("/api/messages", json=press)).json()
        again = await second.post("/api/messages", json=press)
        assert again.status == 200
        body = await again.json()
    assert answered["value"] != body["value"]  # the first press ran (an unknown button here), the second did not
    assert body["type"] == "application/vnd.microsoft.activity.message" and "Already received" in body["value"]


async def test_a_redelivered_install_is_welcomed_once_and_stored_once(
    app_factory, activity, connector, session_factory
) -> None:
    """An install claims its activity in the transaction that stores it: a redelivery elsewhere changes nothing and
    sends no second welcome."""
    install = activity("installation-update-add")
    async with app_factory() as first, app_factory() as second:
        assert (await first.post("/api/messages", json=install)).status < 300
        assert (await second.post("/api/messages", json=install)).status < 300
    assert len(connector.bodies()) == 1, connector.bodies()
    async with session_factory() as session:
        claims = (await session.execute(select(ActivityReceipt))).scalars().all()
    assert len(claims) == 1


async def test_distinct_activities_each_run(client, activity, connector) -> None:
    for _ in range(3):
        await client.post("/api/messages", json=activity("personal-message", text="help"))
    assert len(connector.bodies()) == 3


async def test_the_same_activity_id_in_another_conversation_is_not_a_redelivery(client, activity, connector) -> None:
    first = activity("personal-message", text="help")
    other = activity("personal-message", text="help", id=first["id"])
    other["conversation"] = {**other["conversation"], "id": "a:another-chat"}
    await client.post("/api/messages", json=first)
    await client.post("/api/messages", json=other)
    assert len(connector.bodies()) == 2


async def test_claims_are_kept_for_a_day_then_purged_once(session_factory, clock) -> None:
    receipts = ActivityReceipts(session_factory, clock)
    key = receipt_key("msteams", "a:1", "activity-1")
    assert await receipts.claim(key) is True
    assert await receipts.claim(key) is False
    clock.advance(KEEP_RECEIPTS - timedelta(seconds=1))
    await _purge(session_factory, receipts)
    assert await receipts.claim(key) is False, "still within its day"
    clock.advance(timedelta(seconds=2))
    await _purge(session_factory, receipts)
    async with session_factory() as session:
        assert (await session.scalars(select(ActivityReceipt))).all() == []


async def test_a_released_claim_can_be_claimed_again(session_factory, clock) -> None:
    receipts = ActivityReceipts(session_factory, clock)
    key = receipt_key("msteams", "a:1", "activity-2")
    assert await receipts.claim(key)
    await receipts.release(key)
    assert await receipts.claim(key)


async def _purge(session_factory, receipts: ActivityReceipts) -> None:  # type: ignore[no-untyped-def]
    async with session_factory.begin() as session:
        await receipts.purge_job()(session)


async def test_the_app_purges_expired_claims_once_an_hour(client, activity, session_factory, clock) -> None:
    await client.post("/api/messages", json=activity("personal-message", text="help"))
    scheduler = client.server.app[RUNTIME].delivery.scheduler
    assert scheduler.scheduler.get_job("periodic:activity-receipts-purge") is not None
    clock.advance(KEEP_RECEIPTS + timedelta(hours=1))
    assert await scheduler.run_periodic("activity-receipts-purge") is True
    assert await scheduler.run_periodic("activity-receipts-purge") is False, "once per period, across processes"
    async with session_factory() as session:
        assert (await session.scalars(select(ActivityReceipt))).all() == []


async def test_a_claim_whose_turn_raised_is_given_up_so_a_redelivery_runs(session_factory, clock) -> None:
    receipts = ActivityReceipts(session_factory, clock)
    dialog_state = ConversationDialogState(SqlAlchemyStorage(session_factory))
    ran: list[str] = []

    async def fails() -> None:
        ran.append("first")
        raise RuntimeError("database hiccup")

    async def works() -> None:
        ran.append("again")

    for logic in (fails, works, works):
        other_process = TurnPreload(session_factory, dialog_state, receipts, clock)
        activity = Activity(
            type=ActivityTypes.event,
            id="activity-3",
            channel_id="msteams",
            conversation=ConversationAccount(id="a:1"),
            from_property=ChannelAccount(id="29:user"),
            recipient=ChannelAccount(id="28:bot"),
        )
        with contextlib.suppress(RuntimeError):
            await other_process.on_turn(TurnContext(TestAdapter(), activity), logic)
    assert ran == ["first", "again"]


async def test_a_redelivered_answer_press_is_answered_without_running_and_leaves_the_dialog_as_it_was(
    app_factory, activity, connector, session_factory, clock
) -> None:
    """An answer button's claim is made with its dialog state's read (``TurnPreload``): a press another process ran
    already is recognised there, answered "Already received", and neither takes the answer again nor writes."""
    from classroom.enrolment.organisations import assign_organisation_by_name
    from classroom.people import ensure_person
    from storage.models import BotStateRecord
    from tests.bot.test_enrol_turns import CONFIRM_PLACE, PARTICIPANT, RUN

    await load_demo_catalogue(session_factory, clock)
    async with session_factory.begin() as session:
        await ensure_person(session, PARTICIPANT, "Alex Wilber")
        await assign_organisation_by_name(session, PARTICIPANT, "Brighton & Hove City Council")
    press = activity("card-action-execute-invoke", value=CONFIRM_PLACE)
    async with app_factory() as first, app_factory() as second:
        await first.post("/api/messages", json=activity("personal-message", text=f"enrol {RUN}"))
        answered = await (await first.post("/api/messages", json=press)).json()
        async with session_factory() as session:
            after_first = (await session.execute(select(BotStateRecord.document, BotStateRecord.e_tag))).all()
        confirmed = [b for b in connector.bodies() if "calendar" in str(b).lower()]
        with database_use(second) as checkouts:
            again = await (await second.post("/api/messages", json=press)).json()
    assert "Confirm my place" in str(answered["value"]) and "Already received" in again["value"]
    assert len(confirmed) == 1 and [b for b in connector.bodies() if "calendar" in str(b).lower()] == confirmed
    statements = [statement for checkout in checkouts for statement in checkout]  # (the outbox's too: not quiet)
    assert len([s for s in statements if "INSERT INTO activity_receipts" in s]) == 1, statements
    assert not [s for s in statements if "bot_state" in s or "UPDATE enrolments" in s], statements  # nothing after
    async with session_factory() as session:
        assert (await session.execute(select(BotStateRecord.document, BotStateRecord.e_tag))).all() == after_first
