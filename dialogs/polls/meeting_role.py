"""SEAM, NOT BUILT YET: issue 14 asks that in a meeting chat the person launching or closing a poll is also the
meeting's Organizer or Presenter, asked of Teams at that moment (``GET /v1/meetings/{meetingId}/participants/
{aadObjectId}?tenantId=...``; botbuilder 4.17's ``get_meeting_participant`` calls the wrong URL), refusing with a
clear reason when Teams cannot answer (configurable to fall back to stored roles).

That is a later slice. Until then :func:`meeting_role_refusal` checks nothing and says so: the run's trainers and
coordinators (stored roles) decide alone, in meeting chats as elsewhere. Launch and close call it already, so the
real check goes here and nowhere else.
"""

from __future__ import annotations

from botbuilder.core import TurnContext


async def meeting_role_refusal(turn_context: TurnContext) -> str | None:
    """Why this person may not launch or close a poll in this meeting (None: no objection). Not built yet."""
    del turn_context
    return None
