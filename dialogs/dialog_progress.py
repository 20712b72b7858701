"""Where each person is with their dialog: when they last answered it, and a command offered to them in it.

Kept beside the dialog state (in the database, so it survives restarts). A dialog left unanswered for the
``DIALOG_TIMEOUT_HOURS`` setting (or kept from before this was recorded) is closed when the person next writes,
instead of taking their new message as an answer to a question asked days ago.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from botbuilder.core import StatePropertyAccessor, TurnContext

from classroom.clock import Clock

PROGRESS_PROPERTY = "DialogProgress"


@dataclass(frozen=True)
class Offer:
    """A command typed where a question takes free text, offered instead of run: what was typed, and the
    command (by name) with its arguments, to run if the person chooses to leave the dialog for it."""

    text: str
    command: str
    args: str


@dataclass
class Progress:
    touched_at: datetime | None = None  # None: no dialog, or one from before this was kept (of unknown age)
    offer: Offer | None = None


def _offer(stored: object) -> Offer | None:
    if not isinstance(stored, dict):
        return None
    text, command, args = (stored.get(key) for key in ("text", "command", "args"))
    if isinstance(text, str) and isinstance(command, str) and isinstance(args, str):
        return Offer(text, command, args)
    return None


def _moment(stored: object) -> datetime | None:
    try:
        return datetime.fromisoformat(stored) if isinstance(stored, str) else None
    except ValueError:
        return None


class DialogProgress:
    def __init__(self, state: StatePropertyAccessor, clock: Clock, timeout: timedelta) -> None:
        self._state = state
        self._clock = clock
        self.timeout = timeout

    async def load(self, turn_context: TurnContext) -> Progress:
        stored = await self._state.get(turn_context)  # no default: nothing is written for a one-shot command
        if not isinstance(stored, dict):
            return Progress()
        return Progress(_moment(stored.get("touched_at")), _offer(stored.get("offer")))

    def expired(self, progress: Progress) -> bool:
        """Whether the dialog in progress has waited too long. One kept from before this was recorded has no time:
        it may be months old, so it is closed too rather than taking today's message as its answer."""
        return progress.touched_at is None or self._clock.now() - progress.touched_at >= self.timeout

    async def save(self, turn_context: TurnContext, progress: Progress, *, in_dialog: bool) -> None:
        """Record this turn: touched now while a dialog is in progress, forgotten when none is."""
        if not in_dialog:
            if await self._state.get(turn_context) is not None:
                await self._state.delete(turn_context)
            return
        offer = progress.offer
        stored: dict[str, Any] = {
            "touched_at": self._clock.now().isoformat(),
            "offer": {"text": offer.text, "command": offer.command, "args": offer.args} if offer else None,
        }
        await self._state.set(turn_context, stored)
