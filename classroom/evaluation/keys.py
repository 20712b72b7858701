"""Respondent keys: HMAC-SHA256 of the enrolment id under a random key of the run's own.

The answers table holds only this key, so it names nobody; the same enrolment always gets the same key, so a
person's "before" and "after" match. Only code holding the run's key and the enrolment can find an answer again
(the person's own export and erasure). When the key is dropped the answers become anonymous for good.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.base import utcnow
from storage.models import EvaluationRunKey
from storage.upsert import insert_or_ignore

KEY_BYTES = 32


def respondent_key(hmac_key: bytes, enrolment_id: int) -> str:
    return hmac.new(hmac_key, f"enrolment:{enrolment_id}".encode("ascii"), hashlib.sha256).hexdigest()


async def run_key(session: AsyncSession, run_id: int, *, create: bool = True) -> bytes | None:
    """The run's key, made on first use (two transactions at once agree: the first insert wins). None once it has
    been dropped, or when there is none and ``create`` is False."""
    if create:
        await insert_or_ignore(
            session,
            EvaluationRunKey.__table__,  # type: ignore[arg-type]
            {"run_id": run_id, "hmac_key": secrets.token_bytes(KEY_BYTES), "created_at": utcnow()},
            ["run_id"],
        )
    return await session.scalar(select(EvaluationRunKey.hmac_key).where(EvaluationRunKey.run_id == run_id))
