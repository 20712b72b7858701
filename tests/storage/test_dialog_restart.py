"""A dialog in progress survives a process restart when ConversationState lives in SqlAlchemyStorage."""

from __future__ import annotations

from botbuilder.core import ConversationState, MessageFactory, TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.dialogs import (
    DialogSet,
    DialogState,
    DialogTurnResult,
    DialogTurnStatus,
    WaterfallDialog,
    WaterfallStepContext,
)
from botbuilder.dialogs.prompts import PromptOptions, TextPrompt
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount, ConversationReference

from storage.engine import create_engine, create_session_factory
from storage.state_storage import SqlAlchemyStorage

# A Teams-shaped conversation. TestAdapter takes only channel_id from a ConversationReference and then
# talks in its default "Convo1", so the adapters below get an Activity template built from it instead.
REFERENCE = ConversationReference(
    channel_id="msteams",
    service_url="https://smba.trafficmanager.net/uk/",
    conversation=ConversationAccount(id="a:1Hq3pZ9wXexampleexampleexampleexampleexampleexample"),
    user=ChannelAccount(id="29:1user-aad-mri", name="Sam"),
    bot=ChannelAccount(id="28:bot-app-id", name="Classroom"),
)
STORAGE_KEY = f"msteams/conversations/{REFERENCE.conversation.id}"


class Bot:
    """What one bot process holds: storage, ConversationState, DialogSet and an adapter."""

    def __init__(self, storage: SqlAlchemyStorage) -> None:
        self.conversation_state = ConversationState(storage)
        self.dialogs = DialogSet(self.conversation_state.create_property("DialogState"))
        self.dialogs.add(TextPrompt("name-prompt"))
        self.dialogs.add(WaterfallDialog("greet", [self._ask_name, self._echo_name]))
        template = TurnContext.apply_conversation_reference(Activity(type="message"), REFERENCE)
        self.adapter = TestAdapter(self._on_turn, template)

    async def _on_turn(self, turn_context: TurnContext) -> None:
        dialog_context = await self.dialogs.create_context(turn_context)
        result = await dialog_context.continue_dialog()
        if result.status == DialogTurnStatus.Empty:
            await dialog_context.begin_dialog("greet")
        await self.conversation_state.save_changes(turn_context)

    @staticmethod
    async def _ask_name(step: WaterfallStepContext) -> DialogTurnResult:
        question = MessageFactory.text("What is your name?")
        return await step.prompt("name-prompt", PromptOptions(prompt=question))

    @staticmethod
    async def _echo_name(step: WaterfallStepContext) -> DialogTurnResult:
        await step.context.send_activity(f"Hello, {step.result}!")
        return await step.end_dialog()


async def test_dialog_continues_after_the_process_restarts(db_url: str) -> None:
    first_engine = create_engine(db_url)
    first = Bot(SqlAlchemyStorage(create_session_factory(first_engine)))
    flow = await first.adapter.send("hi")
    await flow.assert_reply("What is your name?")
    assert first.adapter.activity_buffer == []
    # The process goes away: its engine, connections and in-memory objects with it.
    await first_engine.dispose()

    second_engine = create_engine(db_url)
    try:
        storage = SqlAlchemyStorage(create_session_factory(second_engine))
        stored = (await storage.read([STORAGE_KEY]))[STORAGE_KEY]
        assert isinstance(stored, dict)
        dialog_state = stored["DialogState"]
        assert isinstance(dialog_state, DialogState)
        assert [instance.id for instance in dialog_state.dialog_stack] == ["name-prompt", "greet"]

        second = Bot(storage)
        # Without the stored stack this would start over and ask for the name again.
        flow = await second.adapter.send("Ada")
        await flow.assert_reply("Hello, Ada!")
        assert second.adapter.activity_buffer == []

        # The dialog has finished, and the finished state is what is stored now.
        finished = (await storage.read([STORAGE_KEY]))[STORAGE_KEY]
        assert finished["DialogState"].dialog_stack == []
    finally:
        await second_engine.dispose()
