"""A turn's ``DialogContext`` without the memory scopes it never reads.

botbuilder's ``DialogContext`` builds a ``DialogStateManager`` (memory scopes and path resolvers, for declarative
dialogs' ``dialog.x``/``$x`` paths) every time it is made: most of the cost of opening the dialogs on a turn. Our
dialogs (waterfalls and prompts) never read those paths, so here the manager is built the first time ``state`` is
asked for, as the same object botbuilder would have built, and a turn with no dialog in progress never pays for it.

The contexts botbuilder makes itself within a dialog (a component's inner one, one for each waterfall step) still
build their managers, and the first of a turn built the turn's configuration: nine memory scopes and five path
resolvers, about 28 us of each dialog turn's CPU, never used. The turn's configuration is given here instead, its
scopes and resolvers made the first time anyone asks for them (:class:`_TurnConfiguration`).
"""

from __future__ import annotations

from typing import Any

from botbuilder.core import TurnContext
from botbuilder.core.component_registration import ComponentRegistration
from botbuilder.dialogs import DialogContext, DialogSet, DialogState
from botbuilder.dialogs.memory import (
    ComponentMemoryScopesBase,
    ComponentPathResolversBase,
    DialogStateManager,
    DialogStateManagerConfiguration,
)

_CONFIGURATION_KEY = DialogStateManagerConfiguration.__name__  # where DialogStateManager looks for the turn's


class _TurnConfiguration(DialogStateManagerConfiguration):
    """The turn's ``DialogStateManagerConfiguration``, its memory scopes and path resolvers made as
    ``DialogStateManager`` makes them (from the registered components) the first time either is asked for."""

    def __init__(self) -> None:  # the lists are made when asked for (``__getattr__``)
        pass

    def __getattr__(self, name: str) -> Any:
        if name not in ("memory_scopes", "path_resolvers"):
            raise AttributeError(name)
        components = list(ComponentRegistration.get_components())
        self.memory_scopes = [
            scope
            for component in components
            if isinstance(component, ComponentMemoryScopesBase)
            for scope in component.get_memory_scopes()
        ]
        self.path_resolvers = [
            resolver
            for component in components
            if isinstance(component, ComponentPathResolversBase)
            for resolver in component.get_path_resolvers()
        ]
        return getattr(self, name)


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
        turn_context.turn_state.setdefault(_CONFIGURATION_KEY, _TurnConfiguration())

    @property
    def state(self) -> DialogStateManager:
        if self._state_manager is None:
            self._state_manager = DialogStateManager(self)
        return self._state_manager

    @state.setter
    def state(self, value: DialogStateManager) -> None:
        self._state_manager = value
