"""Reading enquiries: coordinators' lists by filter, an enquirer's own, one by reference for a viewer."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.coordinators import is_coordinator
from classroom.enquiries.views import EnquiryView, cut, enquiry_view
from classroom.errors import NotAllowed, NotFound
from storage.models import Enquiry, EnquiryKind, EnquiryStatus

LIST_LIMIT = 15  # one card; the total is always given
NAME_SHOWN = 80


class CoordinatorFilter(enum.StrEnum):
    OPEN = "open"
    MINE = "mine"
    UNASSIGNED = "unassigned"


@dataclass(frozen=True)
class EnquirySummary:
    id: int
    reference: str
    kind: EnquiryKind
    status: EnquiryStatus
    enquirer_name: str
    organisation: str
    course_codes: list[str]
    created_at: datetime
    updated_at: datetime
    awaiting_since: datetime | None
    assignee_name: str | None

    @classmethod
    def of(cls, enquiry: Enquiry) -> EnquirySummary:
        return cls(
            enquiry.id,
            enquiry.reference,
            enquiry.kind,
            enquiry.status,
            cut(enquiry.enquirer_name, NAME_SHOWN) or "",
            cut(enquiry.organisation, NAME_SHOWN) or "",
            list(enquiry.course_codes),
            enquiry.created_at,
            enquiry.updated_at,
            enquiry.awaiting_since,
            enquiry.assignee_name,
        )


@dataclass(frozen=True)
class EnquiryList:
    items: list[EnquirySummary]
    total: int  # how many matched; ``items`` holds at most LIST_LIMIT of them


async def _listed(session: AsyncSession, statement: Select[Any], limit: int) -> EnquiryList:
    rows = list((await session.scalars(statement)).all())
    return EnquiryList([EnquirySummary.of(e) for e in rows[:limit]], len(rows))


async def coordinator_list(
    session: AsyncSession, viewer: str, which: CoordinatorFilter, *, limit: int = LIST_LIMIT
) -> EnquiryList:
    """Open enquiries (all, the viewer's, or nobody's), oldest first: the longest waiting come first."""
    if not await is_coordinator(session, viewer):
        raise NotAllowed("only coordinators can list enquiries")
    statement = select(Enquiry).where(Enquiry.status != EnquiryStatus.CLOSED)
    if which is CoordinatorFilter.MINE:
        statement = statement.where(Enquiry.assignee_aad_object_id == viewer)
    elif which is CoordinatorFilter.UNASSIGNED:
        statement = statement.where(Enquiry.assignee_aad_object_id.is_(None))
    return await _listed(session, statement.order_by(Enquiry.created_at, Enquiry.id), limit)


async def enquirer_list(session: AsyncSession, enquirer: str, *, limit: int = LIST_LIMIT) -> EnquiryList:
    """The enquirer's own enquiries, newest first."""
    statement = (
        select(Enquiry)
        .where(Enquiry.enquirer_aad_object_id == enquirer)
        .order_by(Enquiry.created_at.desc(), Enquiry.id.desc())
    )
    return await _listed(session, statement, limit)


@dataclass(frozen=True)
class ViewedEnquiry:
    view: EnquiryView
    as_coordinator: bool  # False: the viewer is the enquirer and sees their own view


async def enquiry_for(session: AsyncSession, reference: str, viewer: str) -> ViewedEnquiry:
    """One enquiry as the viewer may see it: coordinators see any, an enquirer only their own.

    Raises:
        NotFound: no such enquiry, or not one this viewer may see (the two look the same, on purpose).
    """
    enquiry = await session.scalar(select(Enquiry).where(Enquiry.reference == reference))
    coordinator = await is_coordinator(session, viewer)
    if enquiry is None or not (coordinator or enquiry.enquirer_aad_object_id == viewer):
        raise NotFound(f"no enquiry {reference} for you")
    return ViewedEnquiry(await enquiry_view(session, enquiry), coordinator)


async def enquiry_by_id(session: AsyncSession, enquiry_id: int) -> EnquiryView:
    enquiry = await session.get(Enquiry, enquiry_id)
    if enquiry is None:
        raise NotFound(f"no enquiry {enquiry_id}")
    return await enquiry_view(session, enquiry)
