"""A run's evaluation report as CSV behind an unguessable, expiring link (as poll answers are).

The token is 256 random bits in the URL; only its SHA-256 is kept. A link is issued to one trainer of the run or
coordinator and works only while it lives and that person may still see the run's evaluation; anything else is
the same "not found". The file holds the report's figures, never a row per person: the small-group rule applies
as on the card. UTF-8 with a byte-order mark (Excel); cells a spreadsheet would read as formulas are defused.
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
from classroom.evaluation.policy import EvaluationTiming
from classroom.evaluation.report import build_report
from classroom.evaluation.views import Measure, RunReport
from classroom.polls.authorisation import may_run_polls, require_poll_runner, run_by_code, run_by_id
from classroom.polls.exports import spreadsheet_safe
from storage.models import EvaluationExportLink

UK = ZoneInfo("Europe/London")  # when the figures are published, as people here read it
PACE_WORDS = {"too_slow": "too slow", "about_right": "about right", "too_fast": "too fast"}


@dataclass(frozen=True)
class LinkIssued:
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class CsvFile:
    filename: str
    content: bytes


async def issue_link(
    session: AsyncSession, aad_object_id: str, run_code: str, *, now: datetime, ttl: timedelta
) -> LinkIssued:
    run = await run_by_code(session, run_code)
    await require_poll_runner(session, run, aad_object_id)
    token = new_token()
    session.add(
        EvaluationExportLink(
            run_id=run.id,
            token_hash=hash_token(token),
            issued_to_aad_object_id=aad_object_id,
            expires_at=now + ttl,
            created_at=now,
        )
    )
    return LinkIssued(token, now + ttl)


def _figure(value: float | None, digits: int = 2) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _measure_row(number: int, outcome: str, comparison: str, measure: Measure, min_group: int) -> list[str]:
    note = measure.undefined or ""
    if not measure.shown:
        note = f"fewer than {min_group} matched pairs: not shown (privacy)"
    share = "" if measure.share_improved is None else f"{measure.share_improved * 100:.0f}%"
    return [
        str(number),
        spreadsheet_safe(outcome),
        comparison,
        str(measure.n),
        _figure(measure.mean_before),
        _figure(measure.mean_after),
        _figure(measure.mean_change),
        share,
        _figure(measure.sd_change),
        _figure(measure.d_z),
        _figure(measure.g_z),
        note,
    ]


def report_csv(report: RunReport) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Run", report.run_code, spreadsheet_safe(report.course_title)])
    writer.writerow(["Places confirmed", report.confirmed])
    writer.writerow(["Before answers", report.before_answers, "After answers", report.after_answers])
    writer.writerow([])
    if report.published_at is not None:
        published = report.published_at.astimezone(UK)
        writer.writerow(
            [f'Figures are published on {published:%d/%m/%Y at %H:%M} (UK time), when the "after" survey closes']
        )
        return out.getvalue().encode("utf-8-sig")
    writer.writerow(
        [
            "Outcome",
            "Learning outcome",
            "Comparison",
            "Matched pairs (n)",
            "Mean baseline",
            "Mean after",
            "Mean change",
            "Improved",
            "SD of changes",
            "d_z (mean change / SD of changes)",
            "g_z (d_z with small-sample correction)",
            "Note",
        ]
    )
    for outcome in report.outcomes:
        writer.writerow(
            _measure_row(outcome.number, outcome.text, "before vs after", outcome.pre_post, report.min_group)
        )
        writer.writerow(
            _measure_row(outcome.number, outcome.text, "then-test vs after", outcome.then_now, report.min_group)
        )
    writer.writerow([])
    satisfaction = report.satisfaction
    if satisfaction is None:
        writer.writerow([f"Satisfaction: fewer than {report.min_group} answers, not shown (privacy)"])
    else:
        writer.writerow(["Question", "Answer", "Count"])
        for question, counts in (
            ("Relevance to practice", satisfaction.relevance),
            ("Trainers", satisfaction.trainers),
            ("Pace", satisfaction.pace),
            ("Would recommend", satisfaction.recommend),
        ):
            for answer, count in counts.items():
                writer.writerow([question, PACE_WORDS.get(answer, answer), count])
        writer.writerow([])
        writer.writerow(["What should change"])
        for text in satisfaction.changes:
            writer.writerow([spreadsheet_safe(text)])
    return out.getvalue().encode("utf-8-sig")


async def export_file(session: AsyncSession, token: str, *, now: datetime, timing: EvaluationTiming) -> CsvFile:
    """The CSV behind a live link; NotFound for a malformed, unknown, expired or no-longer-entitled one (alike)."""
    link = None
    if well_formed(token):
        link = await session.scalar(
            select(EvaluationExportLink).where(
                EvaluationExportLink.token_hash == hash_token(token), EvaluationExportLink.expires_at > now
            )
        )
    if link is None:
        raise NotFound("no such export")
    run = await run_by_id(session, link.run_id)
    if not await may_run_polls(session, run, link.issued_to_aad_object_id):
        raise NotFound("no such export")
    report = await build_report(session, run, now=now, timing=timing)
    return CsvFile(f"{run.code}-evaluation.csv", report_csv(report))


async def purge_links(session: AsyncSession, now: datetime) -> int:
    result = await session.execute(delete(EvaluationExportLink).where(EvaluationExportLink.expires_at <= now))
    return int(result.rowcount)  # type: ignore[attr-defined]
