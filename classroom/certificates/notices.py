"""The congratulations card in the holder's 1:1 chat, as an outbox row (one per certificate, for good).

It carries no download link: a link's token is a credential, and the database keeps only hashes of those. The
card's button asks the bot for a fresh link instead (``my certificates CODE``), issued to whoever presses it only
if the certificate is theirs."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from classroom.outbox import Notice

ISSUED = "certificates.issued"


class CertificateIssuedNotice(Notice):
    KIND: ClassVar[str] = ISSUED
    certificate_id: int
    code: str
    course_title: str
    course_code: str
    run_code: str
    first_starts_at: datetime
    last_ends_at: datetime
    session_count: int
    minutes: int


def issued_key(certificate_id: int) -> str:
    return f"certificates:{certificate_id}:issued"
