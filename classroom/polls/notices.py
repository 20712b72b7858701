"""The poll's shared card in the chat, as an outbox row (``polls.card``, dedupe key ``poll-card:<id>:chat``).

The row stays the card's record after it is sent (with Teams' message id); each vote and the close replace it
in place (``classroom.outbox.replace_copies``). Updates are coalesced: the card is replaced at most once a
second (``card_due_at`` on the poll keeps when it next goes), and every change until then joins that update,
so a burst of votes is one update with the newest counts. Closing always queues a final update.

When the chat does not see everything (results "after I close" or "to me only", and the answers of an open-text
poll), the launcher also gets the poll with every result in their 1:1 chat (``polls.results``, dedupe key
``poll-results:<id>:launcher``), updated in the same way.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import ClassVar

from sqlalchemy.ext.asyncio import AsyncSession

from classroom.outbox import Notice, enqueue, replace_copies
from classroom.polls.views import PollView
from storage.models import Poll, PollKind, PollResults

CARD = "polls.card"
RESULTS = "polls.results"
CARD_GAP = timedelta(seconds=1)  # at most one update a second per poll message


class PollCardNotice(Notice):
    KIND: ClassVar[str] = CARD
    poll: PollView


class PollResultsNotice(Notice):
    """The launcher's own copy, in their 1:1 chat, with every result (``view.audience`` is the runners')."""

    KIND: ClassVar[str] = RESULTS
    poll: PollView


def card_key_prefix(poll_id: int) -> str:
    return f"poll-card:{poll_id}:"


def results_key_prefix(poll_id: int) -> str:
    return f"poll-results:{poll_id}:"


def launcher_gets_results(poll: Poll) -> bool:
    return poll.results is not PollResults.LIVE or poll.kind is PollKind.OPEN_TEXT


def next_card_time(last_due: datetime | None, now: datetime) -> datetime:
    """When the card's next update may go: now, unless one went (or goes) less than a second before; a change
    while an update waits joins it."""
    if last_due is None:
        return now
    if now < last_due:
        return last_due
    return max(now, last_due + CARD_GAP)


async def post_card(
    session: AsyncSession, poll: Poll, view: PollView, runners_view: PollView | None, *, now: datetime
) -> None:
    """``runners_view``: needed when the launcher gets a copy of their own (``launcher_gets_results``)."""
    if launcher_gets_results(poll):
        assert runners_view is not None
        await enqueue(
            session,
            PollResultsNotice(poll=runners_view),
            due_at=now,
            dedupe_key=f"{results_key_prefix(poll.id)}launcher",
            recipient=poll.launched_by_aad_object_id,
        )
    await enqueue(
        session,
        PollCardNotice(poll=view),
        due_at=now,
        dedupe_key=f"{card_key_prefix(poll.id)}chat",
        conversation_key=poll.conversation_id,
    )
    poll.card_due_at = now


async def refresh_card(
    session: AsyncSession, poll: Poll, view: PollView, runners_view: PollView | None, *, now: datetime
) -> None:
    """Every copy of the card will show ``view`` (the launcher's ``runners_view``), no sooner than a second after
    the last update."""
    due = next_card_time(poll.card_due_at, now)
    # A change joining an update already scheduled: the dispatchers were woken when it was, and wait for it.
    wake = not (due == poll.card_due_at and due > now)
    notice = PollCardNotice(poll=view)
    await replace_copies(session, card_key_prefix(poll.id), notice, now=now, not_before=due, wake=wake)
    if launcher_gets_results(poll):
        assert runners_view is not None
        runners = PollResultsNotice(poll=runners_view)
        await replace_copies(session, results_key_prefix(poll.id), runners, now=now, not_before=due, wake=wake)
    if due != poll.card_due_at:  # set only when it moves: the same value would still cost the poll a flush
        poll.card_due_at = due
