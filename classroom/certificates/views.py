"""What the certificate commands, cards and the PDF are given: plain data, times UTC."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class CertificateView:
    """A certificate as issued (its own copy of the course's details at the time)."""

    id: int
    code: str
    holder_name: str
    course_code: str
    course_title: str
    run_code: str
    sessions: tuple[tuple[datetime, datetime], ...]  # the sessions attended, in order
    minutes: int
    outcomes: tuple[str, ...]
    trainers: tuple[str, ...]
    issued_at: datetime

    @property
    def first_starts_at(self) -> datetime:
        return self.sessions[0][0]

    @property
    def last_ends_at(self) -> datetime:
        return self.sessions[-1][1]


@dataclass(frozen=True)
class VerifiedCertificate:
    """What anyone who has a valid code may learn: whose it is, the course and run, the dates, when issued."""

    code: str
    holder_name: str
    course_code: str
    course_title: str
    run_code: str
    first_starts_at: datetime
    last_ends_at: datetime
    session_count: int
    issued_at: datetime


@dataclass(frozen=True)
class CertificateLinkIssued:
    certificate: CertificateView
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class CertificateFile:
    filename: str
    content: bytes
    content_type: str = "application/pdf"
