"""The poll's shared card in the chat, as an outbox row (``polls.card``, dedupe key ``poll-card:<id>:chat``).

The row stays the card's record after it is sent (with Teams' message id). A vote does not rewrite it: hundreds
of votes a second would each wait for the one before on that row. The card is drawn from the tallies when it
is sent (``fresh_card``, the notice kinds' ``fresh`` step in the dispatcher), and a vote, once committed, only
makes the copies Teams has due again (``card_changed``), at most one update a second; every vote until that
update goes joins it, so a burst of votes is one update with the newest counts. Closing writes the final card
into the row (``refresh_card``) and always queues a final update.

When the chat does not see everything (results "after I close" or "to me only", and the answers of an open-text
poll), the launcher also gets the poll with every result in their 1:1 chat (``polls.results``, dedupe key
``poll-results:<id>:launcher``), updated in the same way.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, ClassVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.outbox import Notice, enqueue, last_sent, replace_copies, resend_copies
from classroom.polls.views import PollView, poll_views
from storage.models import CourseRun, Poll, PollKind, PollResults

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


def launcher_gets_results(poll: Poll | PollView) -> bool:
    return poll.results is not PollResults.LIVE or poll.kind is PollKind.OPEN_TEXT


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


async def refresh_card(
    session: AsyncSession, poll: Poll, view: PollView, runners_view: PollView | None, *, now: datetime
) -> None:
    """Every copy of the card will show ``view`` (the launcher's ``runners_view``), no sooner than a second after
    the last update (the close: its final card, in the rows)."""
    last = await last_sent(session, card_key_prefix(poll.id))
    due = now if last is None else max(now, last + CARD_GAP)
    await replace_copies(session, card_key_prefix(poll.id), PollCardNotice(poll=view), now=now, not_before=due)
    if launcher_gets_results(poll):
        assert runners_view is not None
        runners = PollResultsNotice(poll=runners_view)
        await replace_copies(session, results_key_prefix(poll.id), runners, now=now, not_before=due)


# How long before a card's update is due a vote still marks the card itself (room for a dispatcher's clock running
# a little ahead of this process's).
DRAW_MARGIN = timedelta(milliseconds=250)
_WAITING_KEPT = 1_000  # polls remembered per process (a few are live at once)


class WaitingUpdates:
    """One process's memory of the poll card updates its votes made due, and from when each is drawn.

    A vote marks the card changed after it committed (``card_changed``), and the copy Teams has goes again, drawn
    from the tallies, a second after its last update. Until that update is drawn, every vote committed before it
    is in it anyway: such votes skip the statement (at hundreds of votes a second, most votes). A poll card has
    one copy per key prefix (its dedupe key), so the one update due is the whole card. What is remembered is only
    noted once the marking transaction committed (``note``), and drops ``DRAW_MARGIN`` before the draw."""

    def __init__(self) -> None:
        self._drawn_from: dict[str, datetime] = {}

    def waiting(self, prefix: str, now: datetime) -> bool:
        drawn_from = self._drawn_from.get(prefix)
        return drawn_from is not None and now < drawn_from - DRAW_MARGIN

    def note(self, marked: dict[str, datetime | None]) -> None:
        if len(self._drawn_from) > _WAITING_KEPT:
            self._drawn_from.clear()
        for prefix, drawn_from in marked.items():
            if drawn_from is None:
                self._drawn_from.pop(prefix, None)
            else:
                self._drawn_from[prefix] = drawn_from


def _card_prefixes(view: PollView) -> list[str]:
    return [card_key_prefix(view.id), *([results_key_prefix(view.id)] if launcher_gets_results(view) else [])]


def update_waiting(view: PollView, waiting: WaitingUpdates, now: datetime) -> bool:
    """Whether every copy of the poll's card is to be drawn afresh later by an update ``waiting`` knows of."""
    return all(waiting.waiting(prefix, now) for prefix in _card_prefixes(view))


async def card_changed(
    session: AsyncSession, view: PollView, *, now: datetime, waiting: WaitingUpdates | None = None
) -> dict[str, datetime | None]:
    """After a vote committed: every copy of the poll's card Teams has goes again, drawn afresh, no sooner than
    a second after its last update (``classroom.outbox.resend_copies``); copies already due are left alone.
    ``waiting``: updates this process knows are due later, which need no marking. Returns, per key prefix marked,
    when its update will be drawn (for ``WaitingUpdates.note`` once the caller's transaction committed)."""
    marked: dict[str, datetime | None] = {}
    for prefix in _card_prefixes(view):
        if waiting is None or not waiting.waiting(prefix, now):
            marked[prefix] = (await resend_copies(session, prefix, now=now, gap=CARD_GAP)).drawn_from
    return marked


async def _fresh(session: AsyncSession, payload: dict[str, Any], *, runners: bool) -> dict[str, Any]:
    poll = await session.get(Poll, int(payload["poll"]["id"]))
    if poll is None:
        return payload  # deleted meanwhile: the row's own copy is all there is
    code = await session.scalar(select(CourseRun.code).where(CourseRun.id == poll.run_id)) or ""
    shared, runners_view = await poll_views(session, poll, code, runners=runners)
    if runners:
        assert runners_view is not None
        return PollResultsNotice(poll=runners_view).payload()
    return PollCardNotice(poll=shared).payload()


async def fresh_card(session: AsyncSession, payload: dict[str, Any]) -> dict[str, Any]:
    """The shared card's payload as it is now (the dispatcher draws it when the card is sent)."""
    return await _fresh(session, payload, runners=False)


async def fresh_results(session: AsyncSession, payload: dict[str, Any]) -> dict[str, Any]:
    """The launcher's copy's payload as it is now."""
    return await _fresh(session, payload, runners=True)
