"""Unguessable, expiring links to one certificate's PDF, issued to its holder when they ask (``my certificates``).

As for the calendar and CPD links the token is the only credential (a browser opens it without signing in):
256 random bits, kept only as a SHA-256, short-lived. Malformed, unknown and expired tokens are alike.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.download_tokens import hash_token, new_token, well_formed
from storage.models import CertificateLink

LINK_TTL = timedelta(hours=1)


async def issue_link(
    session: AsyncSession, certificate_id: int, now: datetime, ttl: timedelta = LINK_TTL
) -> tuple[str, datetime]:
    token = new_token()
    expires_at = now + ttl
    session.add(
        CertificateLink(
            certificate_id=certificate_id, token_hash=hash_token(token), expires_at=expires_at, created_at=now
        )
    )
    await session.flush()
    return token, expires_at


async def certificate_for_token(session: AsyncSession, token: str, now: datetime) -> int | None:
    """The certificate a live token opens; None for a malformed, unknown or expired one."""
    if not well_formed(token):
        return None
    return await session.scalar(
        select(CertificateLink.certificate_id).where(
            CertificateLink.token_hash == hash_token(token), CertificateLink.expires_at > now
        )
    )


async def purge_expired_links(session: AsyncSession, before: datetime) -> int:
    result = await session.execute(
        delete(CertificateLink).where(CertificateLink.expires_at < before).execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
