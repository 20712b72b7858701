"""A turn's ``DialogContext`` without the memory scopes it never reads.

botbuilder's ``DialogContext`` builds a ``DialogStateManager`` (memory scopes and path resolvers, for declarative
dialogs' ``dialog.x``/``$x`` paths) every time it is made: most of the cost of opening the dialogs on a turn. Our
dialogs (waterfalls and prompts) never read those paths, so here the manager is built the first time ``state`` is
asked for, as the same object botbuilder would have built, and a turn with no dialog in progress never pays for it.
"""

from __future__ import annotations

from botbuilder.core import TurnContext
from botbuilder.dialogs import DialogContext, DialogSet, DialogState
from botbuilder.dialogs.memory import DialogStateManager


class TurnDialogContext(DialogContext):
    def __init__(self, dialog_set: DialogSet, turn_context: TurnContext, state: DialogState) -> None:
        # What ``DialogContext.__init__`` sets, but the state manager (checks kept: its arguments are never None).
        if dialog_set is None:
            raise TypeError("DialogContext(): dialog_set cannot be None.")
        if turn_context is None:
            raise TypeError("DialogContext(): turn_context cannot be None.")
        self._turn_context = turn_context
        self._dialogs = dialog_set
        self._stack = state.dialog_stack
        self.services = {}
        self.parent = None  # type: ignore[assignment]  # as botbuilder's: annotated DialogContext, is None
        self._state_manager: DialogStateManager | None = None

    @property
    def state(self) -> DialogStateManager:
        if self._state_manager is None:
            self._state_manager = DialogStateManager(self)
        return self._state_manager

    @state.setter
    def state(self, value: DialogStateManager) -> None:
        self._state_manager = value
