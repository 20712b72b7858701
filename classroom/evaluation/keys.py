"""Respondent keys: HMAC-SHA256 of the enrolment id under a random key of the run's own.

The answers table holds only this key, so it names nobody; the same enrolment always gets the same key, so a
person's "before" and "after" match. Only code holding the run's key and the enrolment can find an answer again
(the person's own export and erasure). When the key is dropped the answers become anonymous for good.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.base import utcnow
from storage.models import EvaluationRunKey
from storage.upsert import insert_or_ignore, insert_or_ignore_on

KEY_BYTES = 32


def respondent_key(hmac_key: bytes, enrolment_id: int) -> str:
    return hmac.new(hmac_key, f"enrolment:{enrolment_id}".encode("ascii"), hashlib.sha256).hexdigest()


# Built once: read on every place confirmed.
_KEY = select(EvaluationRunKey.hmac_key).where(EvaluationRunKey.run_id == bindparam("run_id"))


async def run_key(session: AsyncSession, run_id: int, *, create: bool = True) -> bytes | None:
    """The run's key, made on first use (two transactions at once agree: the first insert wins). None once it has
    been dropped, or when there is none and ``create`` is False.

    Read first: once the run has its row (from its first place on), that read is all it costs."""
    found = (await session.execute(_KEY, {"run_id": run_id})).first()
    if found is not None or not create:
        return found.hmac_key if found is not None else None
    await insert_or_ignore(
        session,
        EvaluationRunKey.__table__,  # type: ignore[arg-type]
        {"run_id": run_id, "hmac_key": secrets.token_bytes(KEY_BYTES), "created_at": utcnow()},
        ["run_id"],
    )
    return await session.scalar(_KEY, {"run_id": run_id})


def run_key_on(connection: Connection, run_id: int) -> bytes | None:
    """:func:`run_key` (made on first use) from synchronous code, on the connection of the caller's transaction."""
    found = connection.execute(_KEY, {"run_id": run_id}).first()
    if found is not None:
        return found.hmac_key
    insert_or_ignore_on(
        connection,
        EvaluationRunKey.__table__,  # type: ignore[arg-type]
        {"run_id": run_id, "hmac_key": secrets.token_bytes(KEY_BYTES), "created_at": utcnow()},
        ["run_id"],
    )
    return connection.execute(_KEY, {"run_id": run_id}).scalar()
