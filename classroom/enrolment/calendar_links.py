"""Unguessable, expiring links to download an enrolment's calendar.

The token is 256 random bits in the URL; the database keeps only its SHA-256, so a copy of the database does
not yield working links. A link stops working when it expires; once the place is given up it gives the
cancellation of the place's events instead.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import CalendarLink

TOKEN_BYTES = 32
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")  # token_urlsafe(32)
PURGE_AFTER = timedelta(days=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


async def issue_link(session: AsyncSession, enrolment_id: int, now: datetime, ttl: timedelta) -> tuple[str, datetime]:
    """A new token for the enrolment's calendar and when it expires."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    expires_at = now + ttl
    session.add(CalendarLink(enrolment_id=enrolment_id, token_hash=hash_token(token), expires_at=expires_at))
    await session.flush()
    return token, expires_at


async def issue_links(
    session: AsyncSession, enrolment_ids: list[int], now: datetime, ttl: timedelta
) -> dict[int, tuple[str, datetime]]:
    """:func:`issue_link` for several enrolments at once, in one statement (``my courses`` issues one a place)."""
    if not enrolment_ids:
        return {}
    expires_at = now + ttl
    tokens = {enrolment_id: secrets.token_urlsafe(TOKEN_BYTES) for enrolment_id in enrolment_ids}
    rows = [
        {"enrolment_id": enrolment_id, "token_hash": hash_token(token), "expires_at": expires_at, "created_at": now}
        for enrolment_id, token in tokens.items()
    ]
    await session.execute(insert(CalendarLink.__table__), rows)  # type: ignore[arg-type]
    return {enrolment_id: (token, expires_at) for enrolment_id, token in tokens.items()}


async def enrolment_id_for_token(session: AsyncSession, token: str, now: datetime) -> int | None:
    """The enrolment a live token belongs to; None for a malformed, unknown or expired token."""
    if not _TOKEN_SHAPE.match(token):
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
