"""The coordinators' daily digest: new, open, unassigned and overdue enquiries, oldest first.

Run as a periodic job (``DIGEST_JOB_NAME``) on working days; ``classroom.periodic`` makes one replica run
each day's digest, in the transaction that claims the day, and the dedupe key (one per local date and
target) makes a second run on the same day queue nothing even if the schedule is changed mid-day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.clock import Clock
from classroom.coordinators import NotifiedTarget, notify_coordinators
from classroom.enquiries.notifications import ENQUIRY_DIGEST
from classroom.enquiries.views import cut
from classroom.enquiries.working_days import add_working_days, is_working_day, previous_working_day
from classroom.periodic import PeriodicJob
from storage.models import Enquiry, EnquiryStatus, PeriodicJobRun

DIGEST_JOB_NAME = "enquiry-digest"
SHOWN_PER_SECTION = 5  # a digest is one Teams message (a card at most 28 KB); the counts are always complete
NAME_SHOWN = 80


@dataclass(frozen=True)
class DigestLine:
    reference: str
    kind: str
    enquirer_name: str
    organisation: str
    created_at: datetime
    assignee_name: str | None
    overdue_since: datetime | None  # when it became overdue; None when it is not

    def to_payload(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "kind": self.kind,
            "enquirer_name": self.enquirer_name,
            "organisation": self.organisation,
            "created_at": self.created_at.isoformat(),
            "assignee_name": self.assignee_name,
            "overdue_since": self.overdue_since.isoformat() if self.overdue_since else None,
        }

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> DigestLine:
        overdue = data.get("overdue_since")
        return cls(
            str(data["reference"]),
            str(data["kind"]),
            str(data["enquirer_name"]),
            str(data["organisation"]),
            datetime.fromisoformat(data["created_at"]),
            data.get("assignee_name"),
            datetime.fromisoformat(overdue) if overdue else None,
        )


@dataclass(frozen=True)
class DigestSection:
    total: int
    lines: list[DigestLine]  # the oldest ``SHOWN_PER_SECTION``

    def to_payload(self) -> dict[str, Any]:
        return {"total": self.total, "lines": [line.to_payload() for line in self.lines]}

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> DigestSection:
        return cls(int(data["total"]), [DigestLine.from_payload(line) for line in data["lines"]])


@dataclass(frozen=True)
class Digest:
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

    def to_payload(self) -> dict[str, Any]:
        return {
            "generated_at": self.generated_at.isoformat(),
            "since": self.since.isoformat(),
            "overdue_after": self.overdue_after,
            "new": self.new.to_payload(),
            "open": self.open.to_payload(),
            "unassigned": self.unassigned.to_payload(),
            "overdue": self.overdue.to_payload(),
        }

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> Digest:
        return cls(
            datetime.fromisoformat(data["generated_at"]),
            datetime.fromisoformat(data["since"]),
            int(data["overdue_after"]),
            DigestSection.from_payload(data["new"]),
            DigestSection.from_payload(data["open"]),
            DigestSection.from_payload(data["unassigned"]),
            DigestSection.from_payload(data["overdue"]),
        )


def _section(lines: list[DigestLine]) -> DigestSection:
    return DigestSection(len(lines), lines[:SHOWN_PER_SECTION])


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
            enquiry.reference,
            enquiry.kind.value,
            cut(enquiry.enquirer_name, NAME_SHOWN) or "",
            cut(enquiry.organisation, NAME_SHOWN) or "",
            enquiry.created_at,
            enquiry.assignee_name,
            due if due is not None and due <= now else None,
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
    return await notify_coordinators(
        session, kind=ENQUIRY_DIGEST, payload=digest.to_payload(), dedupe_key=f"enquiry-digest:{day}", due_at=now
    )


def digest_job(clock: Clock, zone: ZoneInfo, *, overdue_after: int) -> PeriodicJob:
    """The periodic job to schedule as ``DIGEST_JOB_NAME`` (it runs in the claiming transaction)."""

    async def job(session: AsyncSession) -> None:
        await enqueue_digest(session, now=clock.now(), zone=zone, overdue_after=overdue_after)

    return job
