"""A question asked on a card keeps its card in the dialog state as JSON text (``dialogs.card_question_options``):
the state holds no activity, and whatever the question sends again, read back from the state, goes on the wire
exactly as the first time."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botbuilder.core import ConversationState, MemoryStorage, MessageFactory, TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.dialogs import DialogSet, DialogTurnStatus
from botbuilder.dialogs.prompts import PromptOptions, PromptValidatorContext, TextPrompt
from botbuilder.schema import Activity
from sqlalchemy import select

from bot.connector.serialization import wire_json
from dialogs import answer_prompt, card_question_options
from dialogs.card_question_options import CardQuestionOptions
from dialogs.cards.answers import ANSWER_VERB, QUESTION_KEY
from dialogs.cards.base import CardMessage
from dialogs.cards.messages import card_activity
from storage.models.bot_state import BotStateRecord
from storage.state_storage import document_of, restored
from tests.classroom.enrolment.conftest import FIRST_DAY
from tests.support.bot_harness import PARTICIPANT_AAD, Conversation, card_text
from tests.support.cards import card_actions
from tests.support.enrolment import BHCC, MULTI, ONE_DAY, add_person, load_world, world


@pytest.fixture
async def chat(session_factory, clock) -> Conversation:
    await load_world(session_factory, world(FIRST_DAY))
    await add_person(session_factory, PARTICIPANT_AAD, "Alex Wilber", BHCC)
    return Conversation(session_factory, clock)


def _wire(activities: list[Activity]) -> list[dict[str, Any]]:
    """What the connector would send for each activity (``bot/connector``), read back as JSON."""
    return [json.loads(wire_json(activity)) for activity in activities]


def _as_asked(wire: dict[str, Any]) -> dict[str, Any]:
    """A sent question without what addressing it gives every reply (ids, conversation, sender)."""
    return {key: wire.get(key) for key in ("type", "text", "summary", "inputHint", "attachments")}


async def _stored_documents(chat: Conversation) -> list[str]:
    async with chat.session_factory() as session:
        return list((await session.scalars(select(BotStateRecord.document))).all())


async def test_a_question_asked_again_after_a_command_sends_the_same_card_on_the_wire(chat: Conversation) -> None:
    [terms] = _wire(await chat.say(f"enrol {ONE_DAY}"))
    card = terms["attachments"][0]["content"]
    assert isinstance(card, dict) and "Confirm my place" in json.dumps(card)
    replies = _wire(await chat.say("my courses"))  # runs, then the terms are asked again, read from the state
    assert replies[1]["text"] == "Back to your enrolment:"
    assert _as_asked(replies[2]) == _as_asked(terms)
    assert replies[2]["attachments"][0]["content"] == card and terms["inputHint"] == "expectingInput"

    [retry] = _wire(await chat.say("perhaps"))  # neither an answer nor a command: the retry's words
    assert retry["text"] == (
        "Please press one of the buttons, or type one of: 1. Confirm my place / 2. No thanks (Type **cancel** to stop.)"
    )
    assert retry["inputHint"] == "acceptingInput" and "attachments" not in retry

    # The card kept is the one whose buttons name the question: pressing one of them answers it.
    [confirm] = [
        a for a in card_actions(card) if a.get("title") == "Confirm my place" and a["type"] == "Action.Execute"
    ]
    answer, sent = await chat.execute(ANSWER_VERB, confirm["data"])
    assert confirm["data"][QUESTION_KEY] and "Your answer: " in json.dumps(answer.body.value)
    assert "You're enrolled" in json.dumps(_wire(sent))


async def test_the_sessions_question_asked_again_sends_the_same_card(chat: Conversation) -> None:
    await chat.say(f"enrol {MULTI}")
    [sessions] = _wire(await chat.say("I have a clash"))
    replies = _wire(await chat.say("my courses"))
    assert _as_asked(replies[2]) == _as_asked(sessions) and isinstance(sessions["attachments"][0]["content"], dict)


async def test_the_state_of_a_question_on_a_card_holds_no_activity(chat: Conversation) -> None:
    [terms] = await chat.say(f"enrol {ONE_DAY}")
    [document] = await _stored_documents(chat)
    # botbuilder's PromptOptions kept the card inside two Activity objects (fifty fields each), walked by jsonpickle
    # at every write and read of the state.
    assert "botbuilder.schema" not in document and "dialogs.cards.messages" not in document
    assert "Confirm my place" in card_text(terms) and "Confirm my place" in document  # the card, as its JSON text


class _JsonpickledStorage(MemoryStorage):
    """Items written and read as the bot's storage writes and reads them (jsonpickle, ``storage/state_storage.py``)."""

    async def write(self, changes: dict[str, Any]) -> None:
        self.memory.update({key: document_of(value) for key, value in changes.items()})

    async def read(self, keys: list[str], **_kwargs: Any) -> dict[str, Any]:
        return {key: restored(self.memory[key], "*") for key in keys if key in self.memory}


async def _asked_thrice(options: PromptOptions) -> list[dict[str, Any]]:
    """What botbuilder's TextPrompt (4.17) sends asking with ``options``, then at a refused answer, then asking
    again (as after a command), a turn each, with its state written and read between them as the bot's are."""
    state = ConversationState(_JsonpickledStorage())
    dialogs = DialogSet(state.create_property("dialogs"))
    dialogs.add(TextPrompt("question", _refuse))

    async def turn(context: TurnContext) -> None:
        dialog_context = await dialogs.create_context(context)
        if context.activity.text == "again":
            await dialog_context.reprompt_dialog()
        elif (await dialog_context.continue_dialog()).status == DialogTurnStatus.Empty:
            await dialog_context.prompt("question", options)
        await state.save_changes(context)

    adapter = TestAdapter(turn)
    for words in ("hello", "perhaps", "again"):
        await adapter.send(words)
    return _wire(list(adapter.activity_buffer))


async def _refuse(_prompt: PromptValidatorContext) -> bool:
    return False


async def test_the_options_send_what_botbuilders_prompt_options_send() -> None:
    """Made again from the card and the words kept, the activities are botbuilder's own: if botbuilder changes how a
    prompt gets its input hint or MessageFactory.text its activity, this fails."""
    message = CardMessage({"type": "AdaptiveCard", "body": [{"type": "TextBlock", "text": "Sure?"}]}, "Sure?\nYes")
    retry = "Please press one of the buttons (Type **cancel** to stop.)"
    theirs = PromptOptions(prompt=card_activity(message), retry_prompt=MessageFactory.text(retry))
    ours = CardQuestionOptions(message, retry=retry, validations={"yes": ["y"]})
    sent = [_as_asked(a) for a in await _asked_thrice(ours)]
    assert sent == [_as_asked(a) for a in await _asked_thrice(theirs)]
    assert [a["inputHint"] for a in sent] == ["expectingInput", "acceptingInput", "expectingInput"]


async def test_a_question_read_back_keeps_its_name_and_reads_its_card_only_to_answer_a_press(
    chat: Conversation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A typed answer needs nothing of the card; a press is checked against the question's name, kept with it, and
    the card is read once, for the answered card (about 60 us of a press's CPU went on reading and walking it)."""
    [terms] = await chat.say(f"enrol {MULTI}")
    [document] = await _stored_documents(chat)
    named = {a["data"][QUESTION_KEY] for a in card_actions(terms.attachments[0].content) if "data" in a}
    assert len(named) == 1 and restored_question(document) == next(iter(named))

    parsed: list[str] = []
    loads = card_question_options.json_text.loads

    def counting(text: str | bytes) -> Any:
        parsed.append(str(text)[:40])
        return loads(text)

    monkeypatch.setattr(card_question_options.json_text, "loads", counting)
    monkeypatch.setattr(answer_prompt, "question_of", None)  # not walked for its name
    [sessions] = await chat.say("I have a clash")  # typed: the card is not read
    assert parsed == [] and "sessions" in card_text(sessions).lower()
    answer, _ = await chat.tap(sessions, "Send", inputs={"args": "1"})
    assert answer is not None and answer.body.type == "application/vnd.microsoft.card.adaptive"
    assert len(parsed) == 1  # the card, for its answered form


def restored_question(document: str) -> str | None:
    """The name kept with the question in progress in a stored state."""
    state = restored(document, "*")
    top = state["DialogState"].dialog_stack[0].state["dialogs"].dialog_stack[0]
    options = top.state["options"]
    assert isinstance(options, CardQuestionOptions)
    return options.question
