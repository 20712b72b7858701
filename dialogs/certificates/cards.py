"""The certificate cards: congratulations in the holder's 1:1 chat, their list with download buttons, and the
answer to ``certificate CODE``. Names and titles are shown literally (never as markdown)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from classroom.certificates.codes import shown
from classroom.certificates.notices import CertificateIssuedNotice
from classroom.certificates.views import CertificateLinkIssued, VerifiedCertificate
from classroom.reflection.form import hours_text
from dialogs.cards.base import CardMessage, Element, card, container, facts, field_row, heading, open_url, submit, text
from dialogs.cards.formatting import local_date, plural, short_time
from dialogs.certificates.links import certificate_url

MY_CERTIFICATES = "my certificates"


def _dates(first: str, last: str) -> str:
    return first if first == last else f"{first} to {last}"


def build_issued_card(notice: CertificateIssuedNotice, zone: ZoneInfo) -> CardMessage:
    dates = _dates(local_date(notice.first_starts_at, zone), local_date(notice.last_ends_at, zone))
    body: list[Element] = [
        heading("Congratulations!", size="Medium"),
        text("You completed the course and your certificate of attendance is ready."),
        field_row("Course", notice.course_title),
        facts(
            [
                ("Course code", f"{notice.course_code} (run {notice.run_code})"),
                ("Dates", dates),
                ("Sessions", str(notice.session_count)),
                ("Hours", hours_text(notice.minutes)),
                ("Verification code", shown(notice.code)),
            ]
        ),
        text("The hours are in your CPD log too (type **my cpd**).", subtle=True),
    ]
    return card(body, [submit("Download certificate (PDF)", MY_CERTIFICATES, shown(notice.code), style="positive")])


def _row(item: CertificateLinkIssued, zone: ZoneInfo, base_url: str) -> Element:
    view = item.certificate
    dates = _dates(local_date(view.first_starts_at, zone), local_date(view.last_ends_at, zone))
    return container(
        [
            field_row("Course", view.course_title),
            text(
                f"{view.run_code} · {dates} · {hours_text(view.minutes)} · code {shown(view.code)}",
                subtle=True,
            ),
            {
                "type": "ActionSet",
                "actions": [open_url(f"Download {view.run_code} (PDF)", certificate_url(base_url, item.token))],
            },
        ],
        separator=True,
    )


def build_my_certificates_card(items: list[CertificateLinkIssued], zone: ZoneInfo, base_url: str) -> CardMessage:
    if not items:
        body: list[Element] = [
            heading("Your certificates", size="Medium"),
            text("You have no certificates of attendance yet. You get one when you complete a course."),
        ]
        return card(body)
    body = [heading("Your certificates", size="Medium")]
    body.extend(_row(item, zone, base_url) for item in items)
    expires = short_time(min(item.expires_at for item in items), zone)
    body.append(text(f"The download links work until {expires}; type **{MY_CERTIFICATES}** for new ones.", subtle=True))
    return card(body)


def build_verified_card(found: VerifiedCertificate, zone: ZoneInfo) -> CardMessage:
    dates = _dates(local_date(found.first_starts_at, zone), local_date(found.last_ends_at, zone))
    body: list[Element] = [
        heading("Valid certificate of attendance", size="Medium"),
        facts([("Code", shown(found.code))]),
        field_row("Awarded to", found.holder_name),
        field_row("Course", found.course_title),
        facts(
            [
                ("Course code", found.course_code),
                ("Run", found.run_code),
                ("Dates", f"{dates} ({plural(found.session_count, 'session')})"),
                ("Issued", local_date(found.issued_at, zone)),
            ]
        ),
    ]
    return card(body)
