"""The reschedule confirmation's buttons (``Action.Execute``): move the session and tell everyone, or cancel.

What the card sends back only names the move (run, session, new time) and the time the coordinator was shown;
it is untrusted and bounded here. Whether the presser may move sessions is decided again, as the move happens,
from their Entra object id and stored roles, and the session must still be at the time shown: if it moved
meanwhile the coordinator gets a fresh confirmation card instead, and nobody is told anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botbuilder.core import InvokeResponse

from classroom.enrolment.errors import SessionChanged
from classroom.errors import ClassroomError
from dialogs.card_actions import CardActionRequest, card_answer, message_answer
from dialogs.cards.formatting import local_time_range
from dialogs.enrolment.cards.reschedule import (
    build_reschedule_cancelled_card,
    build_reschedule_confirmation_card,
    build_session_move_done_card,
)
from dialogs.enrolment.replies import NOT_SIGNED_IN, explain

OUT_OF_DATE = "Sorry, that card is out of date. Type reschedule again to move the session."
_MAX_VALUE_LENGTH = 48


@dataclass(frozen=True)
class _RequestedMove:
    run_code: str
    position: int
    starts_at: datetime
    ends_at: datetime
    was: tuple[datetime, datetime]


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str) or len(value) > _MAX_VALUE_LENGTH:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _requested_move(data: dict[str, Any]) -> _RequestedMove | None:
    """The move the card names, if every value is one the card could have sent."""
    run_code, position = data.get("run"), data.get("session")
    if not isinstance(run_code, str) or not 0 < len(run_code) <= _MAX_VALUE_LENGTH:
        return None
    if not isinstance(position, int) or isinstance(position, bool) or not 0 < position < 100:
        return None
    moments = [_moment(data.get(key)) for key in ("starts_at", "ends_at", "was_starts_at", "was_ends_at")]
    starts_at, ends_at, was_start, was_end = moments
    if starts_at is None or ends_at is None or was_start is None or was_end is None:
        return None
    return _RequestedMove(run_code.strip().upper(), position, starts_at, ends_at, (was_start, was_end))


async def confirm(request: CardActionRequest) -> InvokeResponse:
    aad_object_id = request.sender_id
    if not aad_object_id:
        return message_answer(NOT_SIGNED_IN)
    move = _requested_move(request.data)
    if move is None:
        return message_answer(OUT_OF_DATE)
    enrolment, zone = request.services.enrolment, request.services.zone
    try:
        moved = await enrolment.move_session(
            aad_object_id, move.run_code, move.position, move.starts_at, move.ends_at, was=move.was, where=request.where
        )
    except SessionChanged as changed:
        return await _confirm_again(request, aad_object_id, move, changed)
    except ClassroomError as error:
        return message_answer(f"{explain(error, move.run_code)} Nothing was changed.")
    return card_answer(build_session_move_done_card(moved, zone).card)


async def _confirm_again(
    request: CardActionRequest, aad_object_id: str, move: _RequestedMove, changed: SessionChanged
) -> InvokeResponse:
    """The session moved since the card was made: show what the move would do now, to confirm again."""
    zone = request.services.zone
    now_at = local_time_range(changed.current.starts_at, changed.current.ends_at, zone)
    try:
        preview = await request.services.enrolment.preview_session_move(
            aad_object_id, move.run_code, move.position, move.starts_at, move.ends_at
        )
    except ClassroomError as error:
        return message_answer(
            f"Session {move.position} has moved since that card was made (it is now {now_at}). "
            f"{explain(error, move.run_code)} Nothing was changed."
        )
    note = f"Session {move.position} has moved since that card was made: it is now {now_at}. Nothing was changed."
    return card_answer(build_reschedule_confirmation_card(preview, zone, note=note).card)


async def cancel(_request: CardActionRequest) -> InvokeResponse:
    return card_answer(build_reschedule_cancelled_card().card)
