"""The coordinators' daily digest: new, open, unassigned and overdue enquiries, oldest first.

Run as a periodic job (``DIGEST_JOB_NAME``) on working days; ``classroom.periodic`` makes one replica run
each day's digest, in the transaction that claims the day, and the dedupe key (one per local date and
target) makes a second run on the same day queue nothing even if the schedule is changed mid-day.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.clock import Clock
from classroom.coordinators import NotifiedTarget, notify_coordinators
from classroom.enquiries.notices import DIGEST
from classroom.enquiries.views import cut
from classroom.enquiries.working_days import add_working_days, is_working_day, previous_working_day
from classroom.outbox import Notice, NoticePart
from classroom.periodic import PeriodicJob
from storage.models import Enquiry, EnquiryStatus, PeriodicJobRun

DIGEST_JOB_NAME = "enquiry-digest"
SHOWN_PER_SECTION = 5  # a digest is one Teams message (a card at most 28 KB); the counts are always complete
NAME_SHOWN = 80


class DigestLine(NoticePart):
    reference: str
    kind: str
    enquirer_name: str
    organisation: str
    created_at: datetime
    assignee_name: str | None
    overdue_since: datetime | None  # when it became overdue; None when it is not


class DigestSection(NoticePart):
    total: int
    lines: list[DigestLine]  # the oldest ``SHOWN_PER_SECTION``


class Digest(Notice):
    """The digest as it is queued: one notice per coordinators' target."""

    KIND: ClassVar[str] = DIGEST
    generated_at: datetime
    since: datetime  # "new" means received after this (the previous digest)
    overdue_after: int  # working days
    new: DigestSection
    open: DigestSection
    unassigned: DigestSection
    overdue: DigestSection

    @property
    def empty(self) -> bool:
        return self.new.total == 0 and self.open.total == 0


def _section(lines: list[DigestLine]) -> DigestSection:
    return DigestSection(total=len(lines), lines=lines[:SHOWN_PER_SECTION])


def overdue_since(enquiry: Enquiry, overdue_after: int, zone: ZoneInfo) -> datetime | None:
    """When a waiting enquiry became (or becomes) overdue; None when nobody is waiting for us."""
    if enquiry.status is not EnquiryStatus.AWAITING_REPLY or enquiry.awaiting_since is None:
        return None
    return add_working_days(enquiry.awaiting_since, overdue_after, zone)


async def previous_digest_at(session: AsyncSession, now: datetime, zone: ZoneInfo) -> datetime:
    """When the last digest before this one ran; the previous working day at this time if none did."""
    last = await session.scalar(
        select(func.max(PeriodicJobRun.claimed_at)).where(
            PeriodicJobRun.job_name == DIGEST_JOB_NAME, PeriodicJobRun.claimed_at < now
        )
    )
    return last if last is not None else previous_working_day(now, zone)


async def build_digest(session: AsyncSession, *, now: datetime, zone: ZoneInfo, overdue_after: int) -> Digest:
    since = await previous_digest_at(session, now, zone)
    open_enquiries = list(
        (
            await session.scalars(
                select(Enquiry)
                .where(Enquiry.status != EnquiryStatus.CLOSED, Enquiry.created_at <= now)
                .order_by(Enquiry.created_at, Enquiry.id)
            )
        ).all()
    )
    new_enquiries = list(
        (
            await session.scalars(
                select(Enquiry)
                .where(Enquiry.created_at > since, Enquiry.created_at <= now)
                .order_by(Enquiry.created_at, Enquiry.id)
            )
        ).all()
    )

    def line(enquiry: Enquiry) -> DigestLine:
        due = overdue_since(enquiry, overdue_after, zone)
        return DigestLine(
            reference=enquiry.reference,
            kind=enquiry.kind.value,
            enquirer_name=cut(enquiry.enquirer_name, NAME_SHOWN) or "",
            organisation=cut(enquiry.organisation, NAME_SHOWN) or "",
            created_at=enquiry.created_at,
            assignee_name=enquiry.assignee_name,
            overdue_since=due if due is not None and due <= now else None,
        )

    open_lines = [line(e) for e in open_enquiries]
    overdue = sorted(
        (x for x in open_lines if x.overdue_since is not None), key=lambda x: (x.overdue_since, x.created_at)
    )
    return Digest(
        generated_at=now,
        since=since,
        overdue_after=overdue_after,
        new=_section([line(e) for e in new_enquiries]),
        open=_section(open_lines),
        unassigned=_section([x for x in open_lines if x.assignee_name is None]),
        overdue=_section(overdue),
    )


async def enqueue_digest(
    session: AsyncSession, *, now: datetime, zone: ZoneInfo, overdue_after: int
) -> list[NotifiedTarget]:
    """Queue today's digest for the coordinators (nothing on a weekend); returns the copies queued."""
    if not is_working_day(now.astimezone(zone).date()):
        return []
    digest = await build_digest(session, now=now, zone=zone, overdue_after=overdue_after)
    day = now.astimezone(zone).date().isoformat()
    return await notify_coordinators(session, digest, dedupe_key=f"enquiry-digest:{day}", due_at=now)


def digest_job(clock: Clock, zone: ZoneInfo, *, overdue_after: int) -> PeriodicJob:
    """The periodic job to schedule as ``DIGEST_JOB_NAME`` (it runs in the claiming transaction)."""

    async def job(session: AsyncSession) -> None:
        await enqueue_digest(session, now=clock.now(), zone=zone, overdue_after=overdue_after)

    return job
