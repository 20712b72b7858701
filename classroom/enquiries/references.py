"""Readable enquiry references, ENQ-2026-0042: one counter row per year, bumped in the caller's transaction.

The bump is a single ``UPDATE … RETURNING``: PostgreSQL holds the row lock until the transaction ends, so a
concurrent submission waits and then gets the next number; SQLite serialises writers anyway. A rolled-back
transaction gives its number back, so numbers have no gaps from failed submissions.
"""

from __future__ import annotations

import re

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import EnquiryCounter
from storage.upsert import insert_or_ignore

PREFIX = "ENQ"
_REFERENCE = re.compile(r"^\s*ENQ[-\s]?(\d{4})[-\s]?(\d{1,6})\s*$", re.IGNORECASE)


def format_reference(year: int, number: int) -> str:
    return f"{PREFIX}-{year}-{number:04d}"


def parse_reference(text: str) -> str | None:
    """``enq-2026-42`` or ``ENQ 2026 0042`` -> ``ENQ-2026-0042``; None when it is not a reference."""
    match = _REFERENCE.match(text or "")
    if match is None:
        return None
    return format_reference(int(match.group(1)), int(match.group(2)))


async def allocate_number(session: AsyncSession, year: int) -> int:
    """The next enquiry number of ``year``, reserved until the caller's transaction ends."""
    await insert_or_ignore(
        session,
        EnquiryCounter.__table__,  # type: ignore[arg-type]
        {"year": year, "last_number": 0},
        ["year"],
    )
    number = await session.scalar(
        update(EnquiryCounter)
        .where(EnquiryCounter.year == year)
        .values(last_number=EnquiryCounter.last_number + 1)
        .returning(EnquiryCounter.last_number)
        .execution_options(synchronize_session=False)
    )
    assert number is not None
    return int(number)
