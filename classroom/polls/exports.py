"""Poll answers as a CSV file behind an unguessable, expiring link (imitating the calendar links).

- The token is 256 random bits in the URL; the database keeps only its SHA-256. A link is issued to one person
  (a trainer of the run or a coordinator) for one poll or for all of a run's polls, and works only while it has
  not expired and that person is still entitled to the run's answers; anything else is the same "not found".
- The file has one row per answer (table ``poll_votes``), the answer rendered by ``ballots.answer_text``:
  poll number, question, kind, answer, and for named polls only the voter's name and email and when they
  answered (in the people's time zone). Anonymous polls have no name, no email, no time: the database has none.
- UTF-8 with a byte-order mark, so Excel opens it as UTF-8. A cell that a spreadsheet would read as a formula
  (starting with ``= + - @``, a tab or a carriage return) is prefixed with ``'`` (OWASP's advice on CSV injection):
  questions, answers and names were typed by people.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.download_tokens import hash_token, new_token, well_formed
from classroom.errors import NotFound
from classroom.polls.answers import kind_as_text
from classroom.polls.authorisation import run_by_code, run_by_id
from classroom.polls.ballots import answer_text
from classroom.polls.results import entitled_run
from storage.models import CourseRun, Person, Poll, PollExportLink, PollVote

PURGE_AFTER = timedelta(days=1)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportLinkIssued:
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content: bytes  # UTF-8 with a byte-order mark


async def issue_link(
    session: AsyncSession,
    *,
    run_code: str | None = None,
    poll_id: int | None = None,
    by: str | None,
    now: datetime,
    ttl: timedelta,
) -> ExportLinkIssued:
    """A link to the answers of one poll (``poll_id``) or of every poll of a run (``run_code``), for ``by``.
    Raises NotFound, also when ``by`` may not see them."""
    run: CourseRun | None
    if poll_id is not None:
        poll = await session.get(Poll, poll_id)
        run = await run_by_id(session, poll.run_id) if poll is not None else None
    else:
        try:
            run = await run_by_code(session, run_code or "")
        except NotFound:
            run = None
    entitled = await entitled_run(session, run, by)
    assert by is not None  # entitled_run refuses nobody-in-particular
    token = new_token()
    expires_at = now + ttl
    session.add(
        PollExportLink(
            run_id=entitled.id,
            poll_id=poll_id,
            token_hash=hash_token(token),
            issued_to_aad_object_id=by,
            expires_at=expires_at,
        )
    )
    await session.flush()
    return ExportLinkIssued(token, expires_at)


def spreadsheet_safe(value: str) -> str:
    """``value``, made inert for spreadsheets when it would start a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


HEADER = ("Poll", "Run", "Question", "Kind", "Anonymous", "Answer", "Voter name", "Voter email", "Answered at")


async def export_file(session: AsyncSession, token: str, *, now: datetime, zone: ZoneInfo) -> ExportFile:
    """The CSV behind a live link. Raises NotFound for a malformed, unknown or expired token, or one whose person
    may no longer see the run's answers (all alike)."""
    link = None
    if well_formed(token):
        link = await session.scalar(
            select(PollExportLink).where(
                PollExportLink.token_hash == hash_token(token), PollExportLink.expires_at > now
            )
        )
    if link is None:
        raise NotFound("no such export")
    run = await entitled_run(session, await run_by_id(session, link.run_id), link.issued_to_aad_object_id)
    query = select(Poll).where(Poll.run_id == run.id).order_by(Poll.id)
    if link.poll_id is not None:
        query = query.where(Poll.id == link.poll_id)
    polls = list(await session.scalars(query))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow((*HEADER[:-1], f"Answered at ({zone.key})"))
    for poll in polls:
        for vote, email in await _answers(session, poll):
            named = not poll.anonymous
            answered = _local(vote.answered_at, zone) if named else ""
            writer.writerow(
                (
                    poll.id,
                    run.code,
                    spreadsheet_safe(poll.question),
                    kind_as_text(poll),
                    "yes" if poll.anonymous else "no",
                    spreadsheet_safe(answer_text(poll, vote)),
                    spreadsheet_safe(vote.voter_name or "") if named else "",
                    spreadsheet_safe(email or "") if named else "",
                    answered,
                )
            )
    name = f"{run.code}-poll-{link.poll_id}" if link.poll_id is not None else f"{run.code}-polls"
    return ExportFile(f"{name}.csv", out.getvalue().encode("utf-8-sig"))


def _local(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S") if moment is not None else ""


async def _answers(session: AsyncSession, poll: Poll) -> list[tuple[PollVote, str | None]]:
    """The poll's answers, one row each, in the order given; for a named poll with the voter's stored email."""
    if poll.anonymous:
        votes = await session.scalars(select(PollVote).where(PollVote.poll_id == poll.id).order_by(PollVote.id))
        return [(vote, None) for vote in votes]
    rows = await session.execute(
        select(PollVote, Person.email)
        .outerjoin(Person, Person.aad_object_id == PollVote.voter_key)
        .where(PollVote.poll_id == poll.id)
        .order_by(PollVote.answered_at, PollVote.id)
    )
    return [(vote, email) for vote, email in rows.all()]


async def purge_expired_links(session: AsyncSession, now: datetime) -> int:
    result = await session.execute(
        delete(PollExportLink)
        .where(PollExportLink.expires_at < now - PURGE_AFTER)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
