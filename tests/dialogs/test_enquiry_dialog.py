"""The enquiry dialog, step by step: every question, every refusal with its reason, cancel anywhere, the
confirmation card, changing an answer, and what it sends to the coordinators."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from classroom.people import ensure_person
from storage.models import Enquiry, EnquiryKind, OutboxNotification
from tests.support.bot_harness import Conversation, card_of, card_text, texts
from tests.support.catalogue import load_demo_catalogue
from tests.support.enquiries import (
    COORDINATOR_AAD,
    DELIVERY_ANSWERS,
    QUESTION_ANSWERS,
    count,
    make_coordinator,
)


@pytest.fixture
async def chat(session_factory, clock) -> Conversation:
    await load_demo_catalogue(session_factory, clock)
    await make_coordinator(session_factory)
    return Conversation(session_factory, clock)


async def answer_all(chat: Conversation, answers: list[str]) -> str:
    """Give every answer in turn; returns what the bot said to the last one."""
    await chat.say("enquire")
    replies: list[Any] = []
    for answer in answers:
        replies = await chat.say(answer)
    return texts(replies)


async def enquiries(session_factory) -> list[Enquiry]:  # type: ignore[no-untyped-def]
    async with session_factory() as session:
        return list((await session.scalars(select(Enquiry).order_by(Enquiry.id))).all())


async def test_a_question_from_start_to_reference(chat: Conversation, session_factory) -> None:
    replies = await chat.say("enquire")
    assert "Let's put your enquiry together" in texts(replies)
    assert "What would you like to do?" in texts(replies)
    expected_questions = [
        "Which course is it about?",
        "What is your name?",
        "What email address",
        "Which organisation",
        "What is your role?",
        "What would you like to ask",
    ]
    for answer, question in zip(QUESTION_ANSWERS, expected_questions, strict=False):
        [reply] = await chat.say(answer)
        assert question in card_text(reply), (answer, card_text(reply))
    [confirmation] = await chat.say(QUESTION_ANSWERS[-1])
    summary = card_text(confirmation)
    assert "Please check your enquiry" in summary and "Question about a course" in summary
    assert "PERM4 – Permanence" in summary and "alex@example.org" in summary
    assert "I'm in court on the 14th" in summary
    assert "Participants" not in summary  # delivery-only fields are not asked for a question
    assert await count(session_factory, Enquiry) == 0, "nothing is sent before it is confirmed"

    [done] = await chat.say("send")
    assert "Your enquiry **ENQ-2026-0001** has been sent" in done.text
    [enquiry] = await enquiries(session_factory)
    assert (enquiry.reference, enquiry.kind, enquiry.course_codes) == ("ENQ-2026-0001", EnquiryKind.QUESTION, ["PERM4"])
    assert (enquiry.enquirer_name, enquiry.enquirer_email) == ("Alex Wilber", "alex@example.org")
    assert enquiry.participants is None and enquiry.preferred_platform is None
    async with session_factory() as session:
        [card] = (await session.scalars(select(OutboxNotification))).all()
    # No coordinators' conversation is set: the coordinator gets it in their 1:1 chat.
    assert (card.kind, card.recipient_aad_object_id) == ("enquiries.card", COORDINATOR_AAD)
    assert card.payload["enquiry"]["reference"] == "ENQ-2026-0001"
    [reply] = await chat.say("help")  # the dialog is over
    assert "What I can do" in card_text(reply)


async def test_a_delivery_request_asks_for_participants_dates_and_platform(chat: Conversation, session_factory) -> None:
    await chat.say("enquire")
    questions = []
    for answer in DELIVERY_ANSWERS:
        replies = await chat.say(answer)
        questions.append(texts(replies))
    assert "How many people would take part?" in questions[5]
    assert "Which dates or months" in questions[6]
    assert "Which platform" in questions[7]
    assert "Question 7 of 10" in questions[5]
    summary = questions[-1]
    assert "Request to deliver a course" in summary and "Participants\n12" in summary
    assert "Preferred dates\nMarch or April 2027" in summary and "Platform\nMicrosoft Teams" in summary
    await chat.say("send")
    [enquiry] = await enquiries(session_factory)
    assert enquiry.kind is EnquiryKind.DELIVERY and enquiry.course_codes == ["PERM4", "PERMPLAN"]
    assert (enquiry.participants, enquiry.preferred_dates, enquiry.preferred_platform) == (
        12,
        "March or April 2027",
        "Microsoft Teams",
    )


INVALID_ANSWERS = [
    # (question number, answers before it, a refused answer, words of the reason)
    ("kind", [], "maybe", "please answer 1 for a question"),
    ("courses", ["1"], "NOPE99", "I don't know the course code NOPE99"),
    ("courses", ["1"], "[x](https://evil.example)", "course codes are letters and digits"),
    ("courses (delivery)", ["2"], "general", "a delivery request needs at least one course code"),
    ("courses", ["1"], "A, B, C, D, E, F", "at most 5 courses"),
    ("name", ["1", "PERM4"], "x", "Your name needs at least 2 characters"),
    ("name", ["1", "PERM4"], "n" * 201, "at most 200 characters"),
    ("email", ["1", "PERM4", "ok"], "alex at example", "doesn't look like an email address"),
    ("email", ["1", "PERM4", "ok"], "a@b", "doesn't look like an email address"),
    ("organisation", ["1", "PERM4", "ok", "a@example.org"], "o" * 201, "at most 200 characters"),
    ("role", ["1", "PERM4", "ok", "a@example.org", "Org"], "r", "Your role needs at least 2 characters"),
    ("participants", ["2", "PERM4", "ok", "a@example.org", "Org", "Manager"], "twelve", "as a whole number"),
    ("participants", ["2", "PERM4", "ok", "a@example.org", "Org", "Manager"], "0", "between 1 and 200"),
    ("participants", ["2", "PERM4", "ok", "a@example.org", "Org", "Manager"], "500", "between 1 and 200"),
    ("dates", ["2", "PERM4", "ok", "a@example.org", "Org", "Manager", "12"], "d" * 301, "at most 300"),
    ("platform", ["2", "PERM4", "ok", "a@example.org", "Org", "Manager", "12", "May"], "webex", "please choose 1"),
    ("message", ["1", "PERM4", "ok", "a@example.org", "Org", "Manager"], "hmm", "at least 5 characters"),
    ("message", ["1", "PERM4", "ok", "a@example.org", "Org", "Manager"], "m" * 2001, "at most 2000 characters"),
    ("confirm", QUESTION_ANSWERS, "perhaps", "I didn't understand that"),
]


@pytest.mark.parametrize(
    ("step", "before", "refused", "reason"),
    INVALID_ANSWERS,
    ids=[f"{i}-{case[0]}" for i, case in enumerate(INVALID_ANSWERS)],
)
async def test_each_refused_answer_is_reasked_with_its_reason(
    chat: Conversation, session_factory, step: str, before: list[str], refused: str, reason: str
) -> None:
    await chat.say("enquire")
    for answer in before:
        await chat.say(answer)
    [refusal] = await chat.say(refused)
    assert refusal.text.startswith("Sorry, ") and reason in refusal.text, refusal.text
    assert "cancel" in refusal.text.lower() or "type" in refusal.text.lower()  # and says what to type
    assert "evil.example" not in refusal.text, "text that is not a course code is never echoed back"
    # still on the same question: a good answer now moves on
    good = {
        "kind": "1",
        "courses": "PERM4",
        "courses (delivery)": "PERM4",
        "name": "Alex",
        "email": "a@example.org",
        "organisation": "Org",
        "role": "Manager",
        "participants": "12",
        "dates": "May",
        "platform": "2",
        "message": "A proper question here",
        "confirm": "send",
    }[step]
    replies = await chat.say(good)
    assert not texts(replies).startswith("Sorry"), texts(replies)
    assert await count(session_factory, Enquiry) == (1 if step == "confirm" else 0)


STEPS_BEFORE = [QUESTION_ANSWERS[:n] for n in range(len(QUESTION_ANSWERS) + 1)] + [
    DELIVERY_ANSWERS[:n] for n in (6, 7, 8)
]


@pytest.mark.parametrize("before", STEPS_BEFORE, ids=[f"after-{len(b)}-{b[0] if b else 'start'}" for b in STEPS_BEFORE])
async def test_cancel_at_any_step_sends_nothing(chat: Conversation, session_factory, before: list[str]) -> None:
    await chat.say("enquire")
    for answer in before:
        await chat.say(answer)
    [reply] = await chat.say("cancel")
    assert reply.text.startswith("Cancelled.")
    assert await count(session_factory, Enquiry) == 0 and await count(session_factory, OutboxNotification) == 0
    [reply] = await chat.say("cancel")
    assert "nothing to cancel" in reply.text


async def test_the_cancel_button_on_the_confirmation_cancels(chat: Conversation, session_factory) -> None:
    await answer_all(chat, QUESTION_ANSWERS)
    [reply] = await chat.press("cancel")
    assert reply.text.startswith("Cancelled.")
    assert await count(session_factory, Enquiry) == 0


async def test_buttons_answer_the_questions(chat: Conversation, session_factory) -> None:
    [_intro, kind_question] = await chat.say("enquire")
    buttons = [a["data"] for a in card_of(kind_question)["actions"]]
    assert {"args": "delivery"} in buttons
    [courses] = await chat.submit({"args": "delivery"})
    assert {"args": "PERM4"} in [a["data"] for a in card_of(courses)["actions"]]
    await chat.submit({"args": "PERM4"})
    for answer in ("ok", "a@example.org", "Org", "Manager", "12", "May 2027"):
        [reply] = await chat.say(answer)
    platforms = [a["data"]["args"] for a in card_of(reply)["actions"]]
    assert platforms == ["Microsoft Teams", "Zoom", "Other or no preference"]
    await chat.submit({"args": "Zoom"})
    [confirmation] = await chat.say("We would like it in May.")
    send = card_of(confirmation)["actions"][0]
    assert send["title"] == "Send"
    [done] = await chat.submit(send["data"])
    assert "ENQ-2026-0001" in done.text
    [enquiry] = await enquiries(session_factory)
    assert enquiry.preferred_platform == "Zoom"


async def test_name_and_email_are_prefilled_from_the_profile_and_editable(
    chat: Conversation, session_factory, clock
) -> None:
    async with session_factory.begin() as session:
        await ensure_person(session, chat.user.aad_object_id, "Alex Wilber", "alexw@example.com")
    await chat.say("enquire")
    await chat.say("1")
    [name_question] = await chat.say("PERM4")
    assert "We have: Alex Wilber" in card_text(name_question)
    assert card_of(name_question)["actions"][0] == {
        "type": "Action.Submit",
        "title": "Keep this",
        "data": {"args": "Alex Wilber"},
        "style": "positive",
    }
    [email_question] = await chat.say("Alexandra Wilber")  # typed over the prefilled name
    assert "We have: alexw@example.com" in card_text(email_question)
    await chat.say("keep")
    for answer in ("Org", "Manager"):
        await chat.say(answer)
    [confirmation] = await chat.say("A question about the dates")
    assert "Alexandra Wilber" in card_text(confirmation) and "alexw@example.com" in card_text(confirmation)


async def test_without_a_profile_name_the_name_is_asked_plainly(session_factory, clock) -> None:
    await load_demo_catalogue(session_factory, clock)
    chat = Conversation(session_factory, clock, name="")
    await chat.say("enquire")
    await chat.say("1")
    [name_question] = await chat.say("PERM4")
    assert "We have" not in card_text(name_question)
    [refusal] = await chat.say("x")
    assert "Your name needs at least 2 characters" in refusal.text
    [email_question] = await chat.say("Alex")
    assert "What email address" in card_text(email_question)


async def test_change_an_answer_from_the_confirmation(chat: Conversation, session_factory) -> None:
    await answer_all(chat, QUESTION_ANSWERS)
    [which] = await chat.say("change")
    assert "What would you like to change?" in card_text(which)
    [refusal] = await chat.say("shoe size")
    assert "isn't one of the things you told me" in refusal.text
    [email_question] = await chat.say("email")
    assert "We have: alex@example.org" in card_text(email_question)  # the old answer, to keep or replace
    [confirmation] = await chat.say("alex.wilber@example.org")
    assert "Please check your enquiry" in card_text(confirmation)  # straight back, nothing else re-asked
    assert "alex.wilber@example.org" in card_text(confirmation)
    await chat.say("send")
    [enquiry] = await enquiries(session_factory)
    assert enquiry.enquirer_email == "alex.wilber@example.org"


async def test_changing_a_question_into_a_delivery_request_asks_the_missing_fields(
    chat: Conversation, session_factory
) -> None:
    answers = ["1", "general", *QUESTION_ANSWERS[2:]]
    await answer_all(chat, answers)
    await chat.say("change")
    await chat.say("kind")
    [courses] = await chat.say("2")  # "general" will not do for a delivery request
    assert "Which course would you like us to deliver?" in card_text(courses)
    [participants] = await chat.say("PERMPLAN")
    assert "How many people" in card_text(participants)
    for answer in ("20", "June", "3"):
        replies = await chat.say(answer)
    assert "Request to deliver a course" in texts(replies)
    await chat.say("send")
    [enquiry] = await enquiries(session_factory)
    assert enquiry.kind is EnquiryKind.DELIVERY and enquiry.participants == 20
    assert enquiry.preferred_platform == "Other or no preference"


async def test_enquire_with_a_course_code_skips_the_course_question(chat: Conversation) -> None:
    await chat.say("enquire permplan")
    [name_question] = await chat.say("1")
    assert "What is your name?" in card_text(name_question)


async def test_the_enquire_button_of_a_course_card_starts_the_dialog(chat: Conversation) -> None:
    replies = await chat.press("enquire", "PERM4")
    assert "What would you like to do?" in texts(replies)
    [name_question] = await chat.say("2")
    assert "What is your name?" in card_text(name_question)


async def test_enquire_with_an_unknown_code_asks_which_course(chat: Conversation) -> None:
    replies = await chat.say("enquire NOPE12")
    assert "can't find that course code" in texts(replies)
    [courses] = await chat.say("1")
    assert "Which course is it about?" in card_text(courses)


async def test_user_text_is_shown_literally_on_the_confirmation(chat: Conversation) -> None:
    sneaky = "Ask **<at>Everyone</at>** at [our site](https://evil.example)"
    await answer_all(chat, [*QUESTION_ANSWERS[:-1], sneaky])
    [confirmation] = await chat.say("maybe later")  # not an answer to the confirmation: re-asked
    assert "I didn't understand that" in confirmation.text
    await chat.say("change")
    [message_question] = await chat.say("message")
    shown = card_of(message_question)
    runs = [run["text"] for block in shown["body"] if block["type"] == "RichTextBlock" for run in block["inlines"]]
    assert sneaky in runs  # only ever inside a TextRun, which Teams shows verbatim
    assert all(sneaky not in block.get("text", "") for block in shown["body"] if block["type"] == "TextBlock")


async def test_a_double_clicked_send_makes_one_enquiry(chat: Conversation, session_factory) -> None:
    await answer_all(chat, QUESTION_ANSWERS)
    [first] = await chat.submit({"args": "send"})
    [second] = await chat.submit({"args": "send"})  # the dialog is over: the second press changes nothing
    assert "ENQ-2026-0001" in first.text and "ENQ-2026" not in (second.text or "")
    assert await count(session_factory, Enquiry) == 1


async def test_enquire_works_only_in_the_personal_chat(session_factory, clock) -> None:
    chat = Conversation(session_factory, clock, conversation_type="groupChat", conversation_id="19:g@thread.v2")
    [reply] = await chat.say("enquire")
    assert "one-to-one chat" in reply.text


async def test_a_question_the_bot_cannot_answer_is_offered_as_an_enquiry(chat: Conversation) -> None:
    [offer] = await chat.say("Do you offer certificates of attendance for social work england?")
    assert "I can't answer that myself" in card_text(offer)
    [button] = card_of(offer)["actions"]
    assert button["data"]["verb"] == "enquire"
    replies = await chat.submit(button["data"])
    assert "What would you like to do?" in texts(replies)
    for answer in QUESTION_ANSWERS[:-2]:
        await chat.say(answer)
    [message_question] = await chat.say(QUESTION_ANSWERS[-2])
    assert "We have: Do you offer certificates" in card_text(message_question)  # the question, to keep
    [confirmation] = await chat.say("keep")
    assert "Do you offer certificates of attendance" in card_text(confirmation)


@pytest.mark.parametrize("text", ["corses", "xyzzy", "helo there"])
async def test_typos_and_noise_are_not_offered_as_enquiries(chat: Conversation, text: str) -> None:
    [reply] = await chat.say(text)
    assert "didn't understand" in (reply.text or "")


async def test_a_question_in_a_group_chat_is_not_offered(session_factory, clock) -> None:
    await load_demo_catalogue(session_factory, clock)
    chat = Conversation(session_factory, clock, conversation_type="groupChat", conversation_id="19:g@thread.v2")
    [reply] = await chat.say("Do you offer certificates of attendance?")
    assert "didn't understand" in (reply.text or "")


async def test_emoji_in_a_message_reach_the_training_team_whole(chat: Conversation, session_factory) -> None:
    team = "\U0001f469\u200d\U0001f4bb\U0001f468\u200d\U0001f469\u200d\U0001f467"  # 👩‍💻👨‍👩‍👧
    message = f"Can my team ({team}) join PERM4? \U0001f3f3\ufe0f\u200d\U0001f308"
    await answer_all(chat, [*QUESTION_ANSWERS[:-1], message])
    await chat.say("send")
    [enquiry] = await enquiries(session_factory)
    assert enquiry.message == message  # the zero-width joiners that make each one emoji are kept
