"""A turn with no dialog in progress opens none of botbuilder's dialog memory (``dialogs/turn_dialog_context.py``);
a command that starts a dialog still stores it, and its question is answered on the next turn."""

from __future__ import annotations

from typing import Any

import pytest
from botbuilder.core import ConversationState, MemoryStorage, TurnContext
from botbuilder.dialogs import DialogContext, DialogsComponentRegistration, DialogSet, DialogState
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


async def test_a_dialog_turn_makes_no_memory_scopes_nobody_reads(session_factory, clock, monkeypatch) -> None:
    """The contexts botbuilder makes within a dialog share the turn's configuration, whose scopes are made only when
    asked for (they cost about 28 us of each dialog turn)."""
    made: list[object] = []
    scopes = DialogsComponentRegistration.get_memory_scopes

    def counted(self: DialogsComponentRegistration) -> Any:
        made.append(self)
        return scopes(self)

    monkeypatch.setattr(DialogsComponentRegistration, "get_memory_scopes", counted)
    await load_demo_catalogue(session_factory, clock)
    chat = Conversation(session_factory, clock)
    await chat.say("find")  # a waterfall's first step asks its question
    [results] = await chat.say("court")  # the next step answers
    assert "1 course matching “court”" in card_text(results)
    assert made == []


def test_asked_for_the_memory_scopes_and_path_resolvers_are_botbuilders() -> None:
    def made_by(dialog_context_class: type[DialogContext]) -> tuple[list[str], list[str]]:
        turn_context = TurnContext(object(), Activity(type="message"))  # type: ignore[arg-type]
        dialogs = DialogSet(ConversationState(MemoryStorage()).create_property("dialogs"))
        configuration = dialog_context_class(dialogs, turn_context, DialogState()).state.configuration
        return (
            [type(scope).__name__ for scope in configuration.memory_scopes],
            [type(resolver).__name__ for resolver in configuration.path_resolvers],
        )

    ours, botbuilders = made_by(TurnDialogContext), made_by(DialogContext)
    assert ours == botbuilders and len(ours[0]) == 9 and len(ours[1]) == 5
