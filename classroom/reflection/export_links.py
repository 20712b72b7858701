"""Unguessable, expiring links to download one's CPD log for a registration year (Word or CSV).

The browser opens the link without signing in, so the token is the only credential: 256 random bits, kept only
as a SHA-256, and short-lived (the document holds the person's reflections). Unknown and expired links are alike.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import CpdExportLink

TOKEN_BYTES = 32
LINK_TTL = timedelta(minutes=30)
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")  # token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


async def issue_link(
    session: AsyncSession, person_id: int, registration_year: int, now: datetime
) -> tuple[str, datetime]:
    await session.execute(delete(CpdExportLink).where(CpdExportLink.expires_at < now))  # no stale links kept
    token = secrets.token_urlsafe(TOKEN_BYTES)
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
    if not _TOKEN_SHAPE.match(token):
        return None
    row = (
        await session.execute(
            select(CpdExportLink.person_id, CpdExportLink.registration_year).where(
                CpdExportLink.token_hash == hash_token(token), CpdExportLink.expires_at > now
            )
        )
    ).first()
    return (row[0], row[1]) if row else None
