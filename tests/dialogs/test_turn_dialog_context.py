"""A turn with no dialog in progress opens none of botbuilder's dialog memory (``dialogs/turn_dialog_context.py``);
a command that starts a dialog still stores it, and its question is answered on the next turn."""

from __future__ import annotations

from typing import Any

import pytest
from botbuilder.core import ConversationState, MemoryStorage, TurnContext
from botbuilder.dialogs import DialogSet, DialogState
from botbuilder.dialogs.memory import DialogStateManager
from botbuilder.schema import Activity

from dialogs.turn_dialog_context import TurnDialogContext
from tests.support.bot_harness import Conversation, card_text
from tests.support.catalogue import load_demo_catalogue


@pytest.fixture
def managers_built(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    built: list[object] = []
    original = DialogStateManager.__init__

    def counted(self: DialogStateManager, *args: Any, **kwargs: Any) -> None:
        built.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(DialogStateManager, "__init__", counted)
    return built


async def test_a_one_shot_command_builds_no_dialog_memory(session_factory, clock, managers_built) -> None:
    chat = Conversation(session_factory, clock)
    [reply] = await chat.say("help")
    assert reply.text or reply.attachments
    assert managers_built == []


async def test_a_dialog_started_on_an_empty_stack_is_stored_and_answered(session_factory, clock) -> None:
    await load_demo_catalogue(session_factory, clock)
    await Conversation(session_factory, clock).say("find")  # asks "What are you looking for?"
    restarted = Conversation(session_factory, clock)  # only the stored state carries the question over
    [results] = await restarted.say("court")
    assert "1 course matching “court”" in card_text(results)


def test_the_dialog_memory_is_built_once_when_asked_for(managers_built) -> None:
    turn_context = TurnContext(object(), Activity(type="message"))  # type: ignore[arg-type]
    dialog_context = TurnDialogContext(
        DialogSet(ConversationState(MemoryStorage()).create_property("dialogs")), turn_context, DialogState()
    )
    assert managers_built == []
    state = dialog_context.state
    assert isinstance(state, DialogStateManager) and dialog_context.state is state
    assert managers_built == [state]
