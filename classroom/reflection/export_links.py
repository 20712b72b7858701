"""Unguessable, expiring links to download one's CPD log for a registration year (Word or CSV).

The browser opens the link without signing in, so the token is the only credential: 256 random bits, kept only
as a SHA-256, and short-lived (the document holds the person's reflections). Unknown and expired links are alike.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.download_tokens import hash_token, new_token, well_formed
from storage.models import CpdExportLink

LINK_TTL = timedelta(minutes=30)


async def issue_link(
    session: AsyncSession, person_id: int, registration_year: int, now: datetime
) -> tuple[str, datetime]:
    await session.execute(delete(CpdExportLink).where(CpdExportLink.expires_at < now))  # no stale links kept
    token = new_token()
    expires_at = now + LINK_TTL
    session.add(
        CpdExportLink(
            person_id=person_id,
            registration_year=registration_year,
            token_hash=hash_token(token),
            expires_at=expires_at,
            created_at=now,
        )
    )
    await session.flush()
    return token, expires_at


async def resolve(session: AsyncSession, token: str, now: datetime) -> tuple[int, int] | None:
    """(person id, registration year) of a live token; None for a malformed, unknown or expired one."""
    if not well_formed(token):
        return None
    row = (
        await session.execute(
            select(CpdExportLink.person_id, CpdExportLink.registration_year).where(
                CpdExportLink.token_hash == hash_token(token), CpdExportLink.expires_at > now
            )
        )
    ).first()
    return (row[0], row[1]) if row else None
