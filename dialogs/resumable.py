"""Dialogs people can be in the middle of, put aside for a moment and come back to.

A command run in the middle of a dialog (``courses`` while an enquiry asks which course) answers first; then the
dialog's question is asked again, saying whose it is ("Back to your enquiry:"). A dialog a command started on
top of another one hands back to it the same way when it ends.
"""

from __future__ import annotations

from botbuilder.dialogs import ComponentDialog, DialogContext, DialogInstance, DialogReason, DialogTurnResult

SOMETHING = "what we were doing"  # the topic of a dialog that does not say what it is


class ResumableDialog(ComponentDialog):
    """A multi-turn dialog with a ``topic`` people recognise ("your enquiry")."""

    def __init__(self, dialog_id: str, topic: str) -> None:
        super().__init__(dialog_id)
        self.topic = topic

    async def resume_dialog(
        self, dialog_context: DialogContext, reason: DialogReason, result: object = None
    ) -> DialogTurnResult:
        await dialog_context.context.send_activity(f"Back to {self.topic}:")
        return await super().resume_dialog(dialog_context, reason, result)


def topic_of(dialog_context: DialogContext, instance: DialogInstance) -> str:
    dialog = dialog_context.find_dialog_sync(instance.id)
    return dialog.topic if isinstance(dialog, ResumableDialog) else SOMETHING


async def ask_again(dialog_context: DialogContext) -> None:
    """Put the question of the dialog in progress back in front of the person."""
    instance = dialog_context.active_dialog
    if instance is None:
        return
    dialog = await dialog_context.find_dialog(instance.id)
    if isinstance(dialog, ResumableDialog):
        await dialog.resume_dialog(dialog_context, DialogReason.NextCalled)
    else:
        await dialog_context.reprompt_dialog()


async def discard(dialog_context: DialogContext, instance: DialogInstance) -> None:
    """Take a dialog off the stack without handing back to the one below it (that one is asked again, if at all,
    by whoever discarded it)."""
    dialog_context.stack.remove(instance)
    dialog = await dialog_context.find_dialog(instance.id)
    if dialog is not None:
        await dialog.end_dialog(dialog_context.context, instance, DialogReason.CancelCalled)
