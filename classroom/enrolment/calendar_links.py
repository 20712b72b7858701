"""Unguessable, expiring links to download an enrolment's calendar.

The token is 256 random bits in the URL; the database keeps only its SHA-256, so a copy of the database does
not yield working links. A link stops working when it expires; once the place is given up it gives the
cancellation of the place's events instead.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, ScalarSelect, bindparam, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.download_tokens import hash_token, new_token, well_formed
from storage.direct_statements import DirectStatement
from storage.models import CalendarLink

PURGE_AFTER = timedelta(days=1)
# A link ``my courses`` showed is shown again for this long (at most half its life), rather than a new one stored on
# every view: a view costs a read, not a write, and the table does not grow with views.
REUSE_FOR = timedelta(days=1)
RECENT_LINKS = 4096  # links each process remembers (one per confirmed place viewed lately)


async def issue_link(session: AsyncSession, enrolment_id: int, now: datetime, ttl: timedelta) -> tuple[str, datetime]:
    """A new token for the enrolment's calendar and when it expires (one plain INSERT, no ORM entity)."""
    return (await issue_links(session, [enrolment_id], now, ttl))[enrolment_id]


async def issue_links(
    session: AsyncSession, enrolment_ids: list[int], now: datetime, ttl: timedelta
) -> dict[int, tuple[str, datetime]]:
    """:func:`issue_link` for several enrolments at once, in one statement (``my courses`` issues one a place)."""
    if not enrolment_ids:
        return {}
    issued, rows = _new_links(enrolment_ids, now, ttl)
    await (await session.connection()).execute(_INSERT_LINKS, rows)
    return issued


_INSERT_LINKS = insert(CalendarLink.__table__)  # type: ignore[arg-type]  # built once: a link per place confirmed
_INSERT_LINK_ON = DirectStatement(_INSERT_LINKS)


def issue_link_on(connection: Connection, enrolment_id: int, now: datetime, ttl: timedelta) -> tuple[str, datetime]:
    """:func:`issue_link` from synchronous code, on the connection of the caller's transaction (on sqlite3 directly
    where it can: ``DirectStatement``)."""
    issued, rows = _new_links([enrolment_id], now, ttl)
    _INSERT_LINK_ON.execute(connection, rows[0])
    return issued[enrolment_id]


def _new_links(
    enrolment_ids: list[int], now: datetime, ttl: timedelta
) -> tuple[dict[int, tuple[str, datetime]], list[dict[str, Any]]]:
    """A new link for each enrolment: the tokens (with when they expire), and the rows that store their hashes."""
    expires_at = now + ttl
    tokens = {enrolment_id: new_token() for enrolment_id in enrolment_ids}
    rows = [
        {"enrolment_id": enrolment_id, "token_hash": hash_token(token), "expires_at": expires_at, "created_at": now}
        for enrolment_id, token in tokens.items()
    ]
    return {enrolment_id: (token, expires_at) for enrolment_id, token in tokens.items()}, rows


class RecentLinks:
    """The links this process issued for ``my courses`` lately, by enrolment, so a view soon after shows the same
    link. Only the process holds the tokens (the database keeps their hashes): after a restart, or on another
    replica, a view issues new ones. Each link is remembered with whom it was shown to (``holder``), so a view can
    check the holder's links in the statement that reads their places (:func:`stored_link_of`)."""

    def __init__(self, capacity: int = RECENT_LINKS) -> None:
        self._capacity = capacity
        self._links: OrderedDict[int, tuple[str, datetime]] = OrderedDict()
        self._holders: dict[int, str] = {}  # enrolment id -> whom its link was shown to
        self._held: dict[str, set[int]] = {}  # holder -> their enrolments with a link here

    def reusable(self, enrolment_id: int, now: datetime, ttl: timedelta) -> tuple[str, datetime] | None:
        link = self._links.get(enrolment_id)
        if link is None or link[1] - now <= ttl - min(REUSE_FOR, ttl / 2):
            return None
        return link

    def reusable_hashes(self, holder: str, now: datetime, ttl: timedelta) -> dict[str, int]:
        """The hashes of ``holder``'s links that may be shown again, each with its enrolment id."""
        hashes = {}
        for enrolment_id in self._held.get(holder, ()):
            link = self.reusable(enrolment_id, now, ttl)
            if link is not None:
                hashes[hash_token(link[0])] = enrolment_id
        return hashes

    def keep(self, links: dict[int, tuple[str, datetime]], holder: str = "") -> None:
        for enrolment_id, link in links.items():
            self._links[enrolment_id] = link
            self._links.move_to_end(enrolment_id)
            self._hold(enrolment_id, holder)
        while len(self._links) > self._capacity:
            enrolment_id, _link = self._links.popitem(last=False)
            self._hold(enrolment_id, None)

    def _hold(self, enrolment_id: int, holder: str | None) -> None:
        previous = self._holders.pop(enrolment_id, None)
        if previous is not None:
            held = self._held[previous]
            held.discard(enrolment_id)
            if not held:
                del self._held[previous]
        if holder:
            self._holders[enrolment_id] = holder
            self._held.setdefault(holder, set()).add(enrolment_id)


_STORED_AND_LIVE = select(CalendarLink.token_hash, CalendarLink.enrolment_id).where(
    CalendarLink.token_hash.in_(bindparam("hashes", expanding=True)), CalendarLink.expires_at > bindparam("now")
)


def stored_link_of(enrolment_id: ColumnElement[int], slots: int) -> ScalarSelect[str]:
    """For a statement reading enrolments: the hash of the enrolment's link among the hashes bound in ``slots``
    parameters (:func:`link_hash_parameters` of those of :meth:`RecentLinks.reusable_hashes`) when it is still
    stored and live at ``links_now``, else NULL."""
    return (
        select(CalendarLink.token_hash)
        .where(
            CalendarLink.enrolment_id == enrolment_id,
            CalendarLink.token_hash.in_([bindparam(f"{_LINK_HASH}{slot}") for slot in range(slots)]),
            CalendarLink.expires_at > bindparam("links_now"),
        )
        .limit(1)
        .scalar_subquery()
    )


_LINK_HASH = "link_hash_"


def link_hash_slots(count: int) -> int:
    """How many parameters :func:`stored_link_of` takes for ``count`` hashes: the next power of two (at least one),
    so a handful of statements serve every count, each compiled once. A list expanded into its parameters on
    every execution instead cost about a third of the ``my courses`` read."""
    return 1 << max(count - 1, 0).bit_length()


def link_hash_parameters(hashes: Collection[str]) -> dict[str, str | None]:
    """``hashes`` as the parameters of :func:`stored_link_of` with ``link_hash_slots(len(hashes))`` slots; a slot
    left over is NULL, which no stored hash equals."""
    padded = [*hashes, *[None] * (link_hash_slots(len(hashes)) - len(hashes))]
    return {f"{_LINK_HASH}{slot}": value for slot, value in enumerate(padded)}


async def links_for_view(
    session: AsyncSession,
    enrolment_ids: list[int],
    now: datetime,
    ttl: timedelta,
    recent: RecentLinks,
    *,
    holder: str = "",
    still_stored: set[int] | None = None,
) -> dict[int, tuple[str, datetime]]:
    """A link for each enrolment: the one shown lately when it is still stored (a person's data erased drops it)
    and has most of its life ahead, else a new one (:func:`issue_links`).

    ``still_stored``: the enrolments whose link shown lately the caller found stored and live, reading the
    holder's places (:func:`stored_link_of`); None to look here."""
    candidates = {i: link for i in enrolment_ids if (link := recent.reusable(i, now, ttl)) is not None}
    links: dict[int, tuple[str, datetime]] = {}
    if still_stored is not None:
        links = {i: link for i, link in candidates.items() if i in still_stored}
    elif candidates:
        hashes = {hash_token(token): i for i, (token, _expires) in candidates.items()}
        connection = await session.connection()  # a plain statement: no ORM handling needed
        for stored, enrolment_id in await connection.execute(_STORED_AND_LIVE, {"hashes": list(hashes), "now": now}):
            if hashes[stored] == enrolment_id:  # still this place's link
                links[enrolment_id] = candidates[enrolment_id]
    issued = await issue_links(session, [i for i in enrolment_ids if i not in links], now, ttl)
    recent.keep(issued, holder)
    return {i: links.get(i) or issued[i] for i in enrolment_ids}


def links_for_view_on(
    connection: Connection,
    enrolment_ids: list[int],
    now: datetime,
    ttl: timedelta,
    recent: RecentLinks,
    *,
    holder: str,
    still_stored: set[int],
) -> dict[int, tuple[str, datetime]]:
    """:func:`links_for_view` from synchronous code, on the connection of the caller's transaction."""
    shown = {i: link for i in enrolment_ids if i in still_stored and (link := recent.reusable(i, now, ttl))}
    missing = [i for i in enrolment_ids if i not in shown]
    issued: dict[int, tuple[str, datetime]] = {}
    if missing:
        issued, rows = _new_links(missing, now, ttl)
        connection.execute(insert(CalendarLink.__table__), rows)  # type: ignore[arg-type]
    recent.keep(issued, holder)
    return {i: shown.get(i) or issued[i] for i in enrolment_ids}


async def enrolment_id_for_token(session: AsyncSession, token: str, now: datetime) -> int | None:
    """The enrolment a live token belongs to; None for a malformed, unknown or expired token."""
    if not well_formed(token):
        return None
    return await session.scalar(
        select(CalendarLink.enrolment_id).where(
            CalendarLink.token_hash == hash_token(token), CalendarLink.expires_at > now
        )
    )


async def purge_expired_links(session: AsyncSession, now: datetime) -> int:
    result = await session.execute(
        delete(CalendarLink)
        .where(CalendarLink.expires_at < now - PURGE_AFTER)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
