"""Enquiry commands and the coordinator card's buttons, through the dispatcher with state in the database:
``my enquiries``, ``enquiry REF``, ``answer``, ``enquiries [filter]``, ``coordinators here``, and Assign /
Reply / Close / Reopen as ``adaptiveCard/action`` invokes (refused for anyone who is not a coordinator)."""

from __future__ import annotations

from typing import Any

import pytest
from botbuilder.core import InvokeResponse
from sqlalchemy import func, select, update

from classroom.coordinators import coordinators_conversation, set_coordinators_conversation
from classroom.enquiries.notices import EnquiryCardNotice
from dialogs.enquiries.cards.coordinator import build_enquiry_card
from storage.models import (
    ActivityReceipt,
    Enquiry,
    EnquiryAction,
    EnquiryEvent,
    EnquiryKind,
    EnquiryStatus,
    NotificationStatus,
    OutboxNotification,
)
from tests.support.bot_harness import LONDON, Conversation, card_of, card_text, texts
from tests.support.catalogue import load_demo_catalogue
from tests.support.enquiries import (
    COORDINATOR_AAD,
    COORDINATOR_NAME,
    COORDINATORS_CHAT,
    COORDINATORS_ONLY,
    PARTICIPANT_AAD,
    conversation_record,
    make_coordinator,
    store_conversations,
    submitted,
)
from tests.support.members import teams_member


async def coordinators_copy(session_factory) -> tuple[OutboxNotification, str]:  # type: ignore[no-untyped-def]
    """The outbox row of the card copy Teams holds in the coordinators' chat (message "card-1"), and the card
    text the dispatcher will replace that message with when the row is due."""
    async with session_factory() as session:
        row = await session.scalar(select(OutboxNotification).where(OutboxNotification.activity_id == "card-1"))
    return row, build_enquiry_card(EnquiryCardNotice.from_payload(row.payload).enquiry, LONDON).fallback_text


async def copy_replaced(session_factory) -> None:  # type: ignore[no-untyped-def]
    """What the dispatcher does with a due copy: replaces Teams' message, and the row is sent again."""
    async with session_factory.begin() as session:
        await session.execute(
            update(OutboxNotification)
            .where(OutboxNotification.activity_id == "card-1")
            .values(status=NotificationStatus.SENT)
        )


@pytest.fixture
async def alex(session_factory, clock) -> Conversation:
    await load_demo_catalogue(session_factory, clock)
    await make_coordinator(session_factory)
    return Conversation(session_factory, clock, conversation_id="a:alex")


@pytest.fixture
def adele(session_factory, clock) -> Conversation:
    """The coordinator, in the coordinators' group chat."""
    return Conversation(
        session_factory,
        clock,
        aad_object_id=COORDINATOR_AAD,
        name=COORDINATOR_NAME,
        conversation_type="groupChat",
        conversation_id=COORDINATORS_CHAT,
        members=[teams_member(COORDINATOR_AAD, COORDINATOR_NAME)],
    )


@pytest.fixture
async def enquiry(alex: Conversation, session_factory, clock):  # type: ignore[no-untyped-def]
    """An enquiry whose card was delivered to the coordinators' chat as Teams message "card-1"."""
    await store_conversations(session_factory, conversation_record(COORDINATORS_CHAT, "groupChat"))
    async with session_factory.begin() as session:
        await set_coordinators_conversation(
            session, COORDINATORS_CHAT, by=COORDINATOR_AAD, now=clock.now(), members=COORDINATORS_ONLY
        )
    made = await submitted(session_factory, clock.now())
    async with session_factory.begin() as session:
        await session.execute(
            update(OutboxNotification)
            .where(OutboxNotification.kind == "enquiries.card")
            .values(status=NotificationStatus.SENT, activity_id="card-1", sent_conversation_id=COORDINATORS_CHAT)
        )
    return made


def answer_card(response: InvokeResponse) -> dict[str, Any]:
    assert response.status == 200
    assert response.body.type == "application/vnd.microsoft.card.adaptive", response.body.value
    return response.body.value


def answer_message(response: InvokeResponse) -> str:
    assert response.status == 200
    assert response.body.type == "application/vnd.microsoft.activity.message"
    serialised = response.body.serialize()
    assert set(serialised) == {"statusCode", "type", "value"} and isinstance(serialised["value"], str)
    return response.body.value


def execute_verbs(card: dict[str, Any]) -> list[str]:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Execute":
                found.append(node["verb"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card.get("actions", []))
    return found


async def events(session_factory, enquiry_id: int) -> list[EnquiryAction]:  # type: ignore[no-untyped-def]
    async with session_factory() as session:
        rows = await session.scalars(
            select(EnquiryEvent.action).where(EnquiryEvent.enquiry_id == enquiry_id).order_by(EnquiryEvent.id)
        )
        return list(rows)


async def test_my_enquiries_lists_them_newest_first(alex: Conversation, session_factory, clock) -> None:
    [reply] = await alex.say("my enquiries")
    assert "You haven't sent us any enquiries yet" in card_text(reply)
    await submitted(session_factory, clock.now(), "a")
    await submitted(session_factory, clock.now(), "b", kind=EnquiryKind.DELIVERY)
    [reply] = await alex.say("My Enquiries")  # two words, any case
    listing = card_text(reply)
    assert listing.index("ENQ-2026-0002") < listing.index("ENQ-2026-0001")
    assert "Request to deliver a course" in listing and "Waiting for our reply" in listing


async def test_my_alone_is_not_a_command(alex: Conversation) -> None:
    [reply] = await alex.say("my")
    assert "didn't understand" in reply.text


async def test_the_enquirer_sees_their_own_enquiry_and_nobody_else_does(
    alex: Conversation, enquiry, session_factory, clock
) -> None:
    [reply] = await alex.say("enquiry enq-2026-1")
    shown = card_text(reply)
    assert "Your enquiry ENQ-2026-0001" in shown and "With the training team" in shown
    assert not execute_verbs(card_of(reply))  # no coordinator buttons
    eve = Conversation(session_factory, clock, aad_object_id="eve-aad", name="Eve", conversation_id="a:eve")
    [reply] = await eve.say("enquiry ENQ-2026-0001")
    assert "can't find an enquiry ENQ-2026-0001" in reply.text
    [reply] = await alex.say("enquiry")
    assert "followed by its reference" in reply.text


async def test_a_coordinator_opens_an_enquiry_with_its_buttons(adele: Conversation, enquiry) -> None:
    [reply] = await adele.say("enquiry ENQ-2026-0001")
    card = card_of(reply)
    assert "ENQ-2026-0001 · Question about a course" in card_text(reply)
    assert execute_verbs(card) == ["enquiry.assign", "enquiry.reply", "enquiry.close"]
    assert "Unassigned" in card_text(reply)


async def test_enquirers_details_stay_out_of_other_group_chats(enquiry, session_factory, clock) -> None:
    elsewhere = Conversation(
        session_factory,
        clock,
        aad_object_id=COORDINATOR_AAD,
        name=COORDINATOR_NAME,
        conversation_type="groupChat",
        conversation_id="19:a-training-session@thread.v2",
    )
    for command in ("enquiry ENQ-2026-0001", "enquiries open"):
        [reply] = await elsewhere.say(command)
        assert not reply.attachments and "Message me directly" in reply.text, command


async def test_assign_reply_close_reopen_update_the_card_for_everyone(
    adele: Conversation, enquiry, session_factory
) -> None:
    response, _ = await adele.execute("enquiry.assign", {"enquiry": enquiry.id})
    card = answer_card(response)
    assert "It's assigned to you." in card["fallbackText"] and "Assigned to Adele Vance" in card["fallbackText"]
    assert execute_verbs(card) == ["enquiry.reply", "enquiry.close"]  # no "Assign to me" for the assignee
    copy, shown = await coordinators_copy(session_factory)  # the copy Teams holds: due again, for everyone
    assert (copy.status, copy.sent_conversation_id) == (NotificationStatus.PENDING, COORDINATORS_CHAT)
    assert "Assigned to Adele Vance" in shown and "It's assigned to you." not in shown  # the notice is personal
    replacement = build_enquiry_card(EnquiryCardNotice.from_payload(copy.payload).enquiry, LONDON).card
    assert execute_verbs(replacement) == ["enquiry.reply", "enquiry.close"]  # she sees this copy too
    assert adele.updated_activities == []  # replaced by the outbox dispatcher, not on the click's turn
    await copy_replaced(session_factory)

    response, _ = await adele.execute("enquiry.reply", {"enquiry": enquiry.id, "reply": "Yes, March. **Bold**"})
    card = answer_card(response)
    assert "Your reply is on its way to Alex Wilber." in card["fallbackText"]
    assert "Adele Vance replied:" in card["fallbackText"] and "Yes, March. **Bold**" in card["fallbackText"]
    async with session_factory() as session:
        [to_enquirer] = (
            await session.scalars(select(OutboxNotification).where(OutboxNotification.kind == "enquiries.reply"))
        ).all()
    assert to_enquirer.recipient_aad_object_id == PARTICIPANT_AAD
    assert to_enquirer.payload["text"] == "Yes, March. **Bold**"

    response, _ = await adele.execute("enquiry.close", {"enquiry": enquiry.id})
    card = answer_card(response)
    assert execute_verbs(card) == ["enquiry.reopen"] and "Closed" in card["fallbackText"]
    response, _ = await adele.execute("enquiry.reopen", {"enquiry": enquiry.id})
    assert "Waiting for our reply" in answer_card(response)["fallbackText"]
    copy, shown = await coordinators_copy(session_factory)  # three more changes: one update, the latest state
    assert copy.status is NotificationStatus.PENDING and "Waiting for our reply" in shown and "reopened it" in shown
    assert await events(session_factory, enquiry.id) == [
        EnquiryAction.CREATED,
        EnquiryAction.ASSIGNED,
        EnquiryAction.REPLIED,
        EnquiryAction.CLOSED,
        EnquiryAction.REOPENED,
    ]


async def test_a_redelivered_reply_is_sent_once(adele: Conversation, enquiry, session_factory) -> None:
    response, _ = await adele.execute("enquiry.reply", {"enquiry": enquiry.id, "reply": "Once"}, activity_id="invoke-1")
    assert "Once" in answer_card(response)["fallbackText"]
    await copy_replaced(session_factory)
    # Teams delivers the same invoke again (here, to another process): its claim is found, nothing runs again.
    again = Conversation(
        session_factory,
        adele.services.clock,
        aad_object_id=COORDINATOR_AAD,
        name=COORDINATOR_NAME,
        conversation_type="groupChat",
        conversation_id=COORDINATORS_CHAT,
    )
    response, _ = await again.execute("enquiry.reply", {"enquiry": enquiry.id, "reply": "Once"}, activity_id="invoke-1")
    assert response.body.value.startswith("Already received")
    async with session_factory() as session:
        replies = (
            await session.scalars(select(OutboxNotification).where(OutboxNotification.kind == "enquiries.reply"))
        ).all()
    assert len(replies) == 1
    copy, _ = await coordinators_copy(session_factory)
    assert copy.status is NotificationStatus.SENT  # nothing changed the second time: nothing to update


async def test_a_press_claims_its_activity_in_the_actions_own_transaction(
    adele: Conversation, alex: Conversation, enquiry, session_factory
) -> None:
    """A refused press claims nothing, so its redelivery is checked again (and refused again), not waved through as
    "already received"; a press that acts claims its activity with the action, and its redelivery changes nothing."""

    async def claims() -> int:
        async with session_factory() as session:
            return int(await session.scalar(select(func.count()).select_from(ActivityReceipt)) or 0)

    before = await claims()
    for _ in range(2):
        refused, _ = await alex.execute("enquiry.assign", {"enquiry": enquiry.id}, activity_id="press-1")
        assert answer_message(refused).startswith("Sorry, only coordinators")
    assert await claims() == before
    done, _ = await adele.execute("enquiry.assign", {"enquiry": enquiry.id}, activity_id="press-2")
    assert "It's assigned to you." in answer_card(done)["fallbackText"]
    assert await claims() == before + 1
    again, _ = await adele.execute("enquiry.close", {"enquiry": enquiry.id}, activity_id="press-2")
    assert answer_message(again).startswith("Already received")
    assert await events(session_factory, enquiry.id) == [EnquiryAction.CREATED, EnquiryAction.ASSIGNED]
    assert await claims() == before + 1


async def test_an_empty_reply_is_refused_without_touching_the_card(
    adele: Conversation, enquiry, session_factory
) -> None:
    response, _ = await adele.execute("enquiry.reply", {"enquiry": enquiry.id, "reply": "  "})
    assert "the reply is empty" in answer_message(response)
    copy, _ = await coordinators_copy(session_factory)
    assert copy.status is NotificationStatus.SENT


async def test_a_stale_button_shows_the_current_state_and_why(adele: Conversation, enquiry) -> None:
    await adele.execute("enquiry.close", {"enquiry": enquiry.id})
    response, _ = await adele.execute("enquiry.close", {"enquiry": enquiry.id})
    card = answer_card(response)
    assert "ENQ-2026-0001 was already closed by Adele Vance." in card["fallbackText"]
    assert execute_verbs(card) == ["enquiry.reopen"]


@pytest.mark.parametrize("verb", ["enquiry.assign", "enquiry.reply", "enquiry.close", "enquiry.reopen"])
async def test_anyone_else_is_refused_politely_and_learns_nothing(
    alex: Conversation, enquiry, session_factory, verb: str
) -> None:
    response, sent = await alex.execute(verb, {"enquiry": enquiry.id, "reply": "I'll answer myself"})
    refusal = answer_message(response)
    assert refusal.startswith("Sorry, only coordinators") and "Nothing was changed" in refusal
    assert "ENQ-2026" not in refusal and sent == []
    copy, _ = await coordinators_copy(session_factory)
    assert copy.status is NotificationStatus.SENT
    assert await events(session_factory, enquiry.id) == [EnquiryAction.CREATED]
    async with session_factory() as session:
        stored = await session.get(Enquiry, enquiry.id)
    assert stored.status is EnquiryStatus.AWAITING_REPLY and stored.assignee_aad_object_id is None


async def test_card_data_that_makes_no_sense_is_answered_not_crashed(adele: Conversation, enquiry) -> None:
    for data in ({}, {"enquiry": "1"}, {"enquiry": True}, {"enquiry": -3}):
        response, _ = await adele.execute("enquiry.close", data)
        assert "out of date" in answer_message(response)
    response, _ = await adele.execute("enquiry.close", {"enquiry": 999})
    assert "can't find that enquiry" in answer_message(response)
    response, _ = await adele.execute("launch.rocket", {"enquiry": enquiry.id})
    assert "no longer works" in answer_message(response)


async def test_a_crafted_submit_with_a_card_verb_changes_nothing(alex: Conversation, enquiry, session_factory) -> None:
    replies = await alex.submit({"verb": "enquiry.close", "args": "", "enquiry": enquiry.id})
    assert "didn't understand" in texts(replies)
    assert await events(session_factory, enquiry.id) == [EnquiryAction.CREATED]


async def test_the_enquirer_answers_back_from_the_reply_card_or_by_typing(
    alex: Conversation, adele: Conversation, enquiry, session_factory
) -> None:
    await adele.execute("enquiry.reply", {"enquiry": enquiry.id, "reply": "Which dates suit you?"})
    [done] = await alex.submit({"verb": "answer", "args": "ENQ-2026-0001", "text": "March, please"})
    assert "Your answer was added to **ENQ-2026-0001**" in done.text
    [done] = await alex.say("answer ENQ-2026-0001 Or April")
    assert "training team has been told" in done.text
    async with session_factory() as session:
        followups = (
            await session.scalars(select(OutboxNotification).where(OutboxNotification.kind == "enquiries.followup"))
        ).all()
        stored = await session.get(Enquiry, enquiry.id)
    assert [f.payload["text"] for f in followups] == ["March, please", "Or April"]
    assert stored.status is EnquiryStatus.AWAITING_REPLY
    # the coordinators' card copy is due again with the enquirer's answers too
    copy, shown = await coordinators_copy(session_factory)
    assert copy.status is NotificationStatus.PENDING and "Or April" in shown
    [reply] = await alex.say("enquiry ENQ-2026-0001")
    conversation = card_text(reply)
    assert conversation.index("Which dates suit you?") < conversation.index("March, please")


async def test_answer_needs_a_reference_of_yours_and_some_text(
    alex: Conversation, enquiry, session_factory, clock
) -> None:
    [reply] = await alex.say("answer")
    assert "followed by its reference and your message" in reply.text
    [reply] = await alex.say("answer ENQ-2026-0001")
    assert "Please write your answer first" in reply.text
    eve = Conversation(session_factory, clock, aad_object_id="eve-aad", name="Eve", conversation_id="a:eve")
    [reply] = await eve.say("answer ENQ-2026-0001 let me in")
    assert "can't find an enquiry ENQ-2026-0001 of yours" in reply.text


async def test_enquiries_lists_by_filter_for_coordinators_only(
    alex: Conversation, adele: Conversation, enquiry, session_factory, clock
) -> None:
    await submitted(session_factory, clock.now(), "second")
    await adele.execute("enquiry.assign", {"enquiry": enquiry.id})
    [reply] = await adele.say("enquiries")
    assert "Open enquiries" in card_text(reply) and "2 enquiries, longest waiting first." in card_text(reply)
    [reply] = await adele.say("enquiries mine")
    assert "ENQ-2026-0001" in card_text(reply) and "ENQ-2026-0002" not in card_text(reply)
    [reply] = await adele.say("enquiries unassigned")
    assert "ENQ-2026-0002" in card_text(reply) and "ENQ-2026-0001" not in card_text(reply)
    [reply] = await adele.say("enquiries closed")
    assert "enquiries open" in reply.text
    [reply] = await alex.say("enquiries")
    assert "only for coordinators" in reply.text


async def test_coordinators_here_chooses_the_shared_conversation(
    alex: Conversation, adele: Conversation, session_factory, clock
) -> None:
    [reply] = await adele.say("coordinators")
    assert "each coordinator's one-to-one chat" in reply.text
    [reply] = await adele.say("coordinators here")
    assert reply.text.startswith("Done")
    async with session_factory() as session:
        shared = await coordinators_conversation(session)
    assert shared is not None and shared.conversation_id == COORDINATORS_CHAT
    [reply] = await adele.say("coordinators")
    assert "the group chat chosen" in reply.text
    [reply] = await alex.say("coordinators here")
    assert "only for coordinators" in reply.text
    personal = Conversation(
        session_factory, clock, aad_object_id=COORDINATOR_AAD, name=COORDINATOR_NAME, conversation_id="a:adele"
    )
    [reply] = await personal.say("coordinators here")
    assert "Type this in the coordinators' channel or group chat" in reply.text


async def test_coordinators_here_is_refused_where_members_are_not_all_coordinators(
    alex: Conversation, adele: Conversation, session_factory, clock
) -> None:
    """Enquirers' details must not reach people without the coordinator role: they are named, nothing changes."""
    adele.members = [
        teams_member(COORDINATOR_AAD, COORDINATOR_NAME),
        teams_member(PARTICIPANT_AAD, "Alex [Wilber](https://ev.il)"),
        teams_member(None, "Guest Without Id"),
    ]
    [reply] = await adele.say("coordinators here")
    assert reply.text.startswith("I haven't chosen this chat for coordinators")
    assert "and Alex Wilberhttps://ev.il and Guest Without Id are in it" in reply.text  # never a markdown link
    async with session_factory() as session:
        assert await coordinators_conversation(session) is None

    adele.members = [teams_member(COORDINATOR_AAD, COORDINATOR_NAME)] + [
        teams_member(f"aad-participant-{n}", f"Person {n:03d}") for n in range(450)
    ]  # several pages of Teams' list
    [reply] = await adele.say("coordinators here")
    assert "Person 000, Person 001, Person 002, Person 003, Person 004 and 445 others are in it" in reply.text

    adele.members = None  # Teams does not answer
    [reply] = await adele.say("coordinators here")
    assert "Teams didn't tell me who is in this conversation" in reply.text
    async with session_factory() as session:
        assert await coordinators_conversation(session) is None


async def test_enquiries_and_the_outbox_stay_out_of_group_chats_other_than_the_coordinators(
    alex: Conversation, adele: Conversation, session_factory, clock
) -> None:
    elsewhere = Conversation(
        session_factory,
        clock,
        aad_object_id=COORDINATOR_AAD,
        name=COORDINATOR_NAME,
        conversation_type="groupChat",
        conversation_id="19:everyone@thread.v2",
    )
    for command in ("enquiries", "outbox"):
        [reply] = await elsewhere.say(command)
        assert "only in our one-to-one chat or in the coordinators' chat" in reply.text, command
    [reply] = await adele.say("coordinators here")
    assert reply.text.startswith("Done")
    [reply] = await adele.say("outbox")
    assert card_text(reply).startswith("Outgoing messages")


async def test_help_shows_enquiry_commands_by_role(alex: Conversation, adele: Conversation) -> None:
    [reply] = await alex.say("help")
    listing = card_text(reply)
    assert "enquire [CODE]:" in listing and "my enquiries:" in listing and "enquiries [open" not in listing
    [reply] = await adele.say("help")
    assert "enquiries [open|mine|unassigned]:" in card_text(reply) and "coordinators [here]:" in card_text(reply)
    [reply] = await alex.say("help")  # cards are kept per roles and scope: Alex's again, not Adele's
    assert card_text(reply) == listing
