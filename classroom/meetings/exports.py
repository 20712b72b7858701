"""A run's attendance as a CSV file behind an unguessable, expiring link (as the poll answers are).

The token is 256 random bits in the URL; the database keeps only its SHA-256. A link is issued to one person (a
trainer of the run or a coordinator) and works only while it has not expired and that person still sees the run's
attendance; anything else is the same "not found". The file is UTF-8 with a byte-order mark (Excel opens it as
such), one row per participant: each session's status and whether they completed; names are made inert for
spreadsheets (a cell starting a formula gets a leading ``'``).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.download_tokens import hash_token, new_token, well_formed
from classroom.errors import NotAllowed, NotFound
from classroom.meetings.policy import MeetingPolicy
from classroom.meetings.reports import csv_rows, run_attendance
from classroom.polls.authorisation import require_poll_runner, run_by_code
from classroom.polls.exports import ExportFile, ExportLinkIssued, spreadsheet_safe
from storage.models import AttendanceExportLink, CourseRun

PURGE_AFTER = timedelta(days=1)


async def issue_link(
    session: AsyncSession, run_code: str, *, by: str, now: datetime, ttl: timedelta
) -> ExportLinkIssued:
    """A link to the run's attendance for ``by``. Raises NotFound, also when ``by`` may not see it."""
    try:
        run = await run_by_code(session, run_code)
        await require_poll_runner(session, run, by)
    except NotAllowed as refused:
        raise NotFound("no such run") from refused
    token = new_token()
    session.add(
        AttendanceExportLink(
            run_id=run.id, token_hash=hash_token(token), issued_to_aad_object_id=by, expires_at=now + ttl
        )
    )
    await session.flush()
    return ExportLinkIssued(token, now + ttl)


async def export_file(session: AsyncSession, token: str, *, now: datetime, policy: MeetingPolicy) -> ExportFile:
    """The CSV behind a live link. Raises NotFound for a malformed, unknown or expired token, or one whose person
    may no longer see the run's attendance (all alike)."""
    link = None
    if well_formed(token):
        link = await session.scalar(
            select(AttendanceExportLink).where(
                AttendanceExportLink.token_hash == hash_token(token), AttendanceExportLink.expires_at > now
            )
        )
    if link is None:
        raise NotFound("no such export")
    run = await session.get(CourseRun, link.run_id)
    if run is None:
        raise NotFound("no such export")
    try:
        report = await run_attendance(session, run.code, link.issued_to_aad_object_id, now=now, policy=policy)
    except NotAllowed as refused:
        raise NotFound("no such export") from refused
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in csv_rows(report):
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return ExportFile(f"{run.code}-attendance.csv", out.getvalue().encode("utf-8-sig"))


async def purge_expired_links(session: AsyncSession, now: datetime) -> int:
    result = await session.execute(
        delete(AttendanceExportLink).where(AttendanceExportLink.expires_at < now - PURGE_AFTER)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
