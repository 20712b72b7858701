"""Unguessable, expiring links to download everything held about one person (as the calendar links: 256 random
bits in the URL, only their SHA-256 stored, so a copy of the database yields no working link)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.download_tokens import hash_token, new_token, well_formed
from storage.models import DataExportLink


async def issue_export_link(
    session: AsyncSession, aad_object_id: str, now: datetime, ttl: timedelta
) -> tuple[str, datetime]:
    token = new_token()
    expires_at = now + ttl
    session.add(DataExportLink(aad_object_id=aad_object_id, token_hash=hash_token(token), expires_at=expires_at))
    await session.flush()
    return token, expires_at


async def owner_of_token(session: AsyncSession, token: str, now: datetime) -> str | None:
    """Whose data a live token opens; None for a malformed, unknown or expired token."""
    if not well_formed(token):
        return None
    return await session.scalar(
        select(DataExportLink.aad_object_id).where(
            DataExportLink.token_hash == hash_token(token), DataExportLink.expires_at > now
        )
    )


async def delete_links_of(session: AsyncSession, aad_object_id: str) -> int:
    result = await session.execute(delete(DataExportLink).where(DataExportLink.aad_object_id == aad_object_id))
    return int(result.rowcount)  # type: ignore[attr-defined]


async def purge_expired(session: AsyncSession, before: datetime) -> int:
    result = await session.execute(delete(DataExportLink).where(DataExportLink.expires_at < before))
    return int(result.rowcount)  # type: ignore[attr-defined]
