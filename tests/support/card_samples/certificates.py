"""Cards of certificates: the congratulations card (one session and four), ``my certificates`` (none, one, the
most listed with the longest names and titles), and a checked code (a name in Greek and Cyrillic)."""

from __future__ import annotations

from datetime import timedelta

from classroom.certificates.notices import CertificateIssuedNotice
from classroom.certificates.service import MAX_LISTED
from classroom.certificates.views import CertificateLinkIssued, CertificateView, VerifiedCertificate
from dialogs.certificates.cards import build_issued_card, build_my_certificates_card, build_verified_card
from tests.support.card_samples import CardSample, SampleContext

BASE_URL = "https://classroom.example.org"
TITLE = "Permanence Planning for Children (Four sessions)"


def _notice(context: SampleContext, sessions: int) -> CertificateIssuedNotice:
    first = context.now + timedelta(days=21)
    return CertificateIssuedNotice(
        certificate_id=3,
        code="K7M2QX9HTA",
        course_title=TITLE,
        course_code="PERM4",
        run_code="PERM4-A",
        first_starts_at=first,
        last_ends_at=first + timedelta(weeks=sessions - 1, hours=5),
        session_count=sessions,
        minutes=300 * sessions,
    )


def _issued(
    context: SampleContext, number: int, *, name: str = "Alex Wilber", title: str = TITLE
) -> CertificateLinkIssued:
    first = context.now + timedelta(days=21 + number)
    view = CertificateView(
        id=number,
        code=f"K7M2QX9H{'23456789ABCDEFGH'[number % 16]}A",
        holder_name=name,
        course_code="PERM4",
        course_title=title,
        run_code=f"PERM4-{number}",
        sessions=tuple((first + timedelta(weeks=w), first + timedelta(weeks=w, hours=5)) for w in range(4)),
        minutes=1200,
        outcomes=("Understand the legal framework for permanence",),
        trainers=("Zoe Rosenfield", "Rebecca Watts"),
        issued_at=context.now,
    )
    return CertificateLinkIssued(view, f"token{number:038d}", context.now + timedelta(hours=1))


async def samples(context: SampleContext) -> list[CardSample]:
    zone = context.zone
    issued, listed, verified = (
        build_issued_card.__name__,
        build_my_certificates_card.__name__,
        build_verified_card.__name__,
    )
    longest = [_issued(context, n, name="ŵ" * 200, title="Ŵ" * 300) for n in range(MAX_LISTED)]
    checked = VerifiedCertificate(
        code="K7M2QX9HTA",
        holder_name="Σοφία Παπαδοπούλου-Ковальчук",
        course_code="PERM4",
        course_title=TITLE,
        run_code="PERM4-A",
        first_starts_at=context.now + timedelta(days=21),
        last_ends_at=context.now + timedelta(days=42, hours=5),
        session_count=4,
        issued_at=context.now + timedelta(days=43),
    )
    return [
        CardSample("certificates/issued", issued, build_issued_card(_notice(context, 4), zone)),
        CardSample("certificates/issued-one-day", issued, build_issued_card(_notice(context, 1), zone)),
        CardSample("certificates/mine-none", listed, build_my_certificates_card([], zone, BASE_URL)),
        CardSample("certificates/mine-one", listed, build_my_certificates_card([_issued(context, 1)], zone, BASE_URL)),
        CardSample("certificates/mine-longest", listed, build_my_certificates_card(longest, zone, BASE_URL)),
        CardSample("certificates/verified", verified, build_verified_card(checked, zone)),
    ]
