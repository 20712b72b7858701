"""Checking a code (forgiving of case, spaces and dashes; bounded; nothing said of unknown codes), the holder's
download links (theirs alone, expiring), the PDF read back (a Greek and Cyrillic name, the course, the code), and
erasure (the code then names nobody; an erased trainer leaves others' certificates). On SQLite and PostgreSQL."""

from __future__ import annotations

import io
import secrets
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from bot.assembly import build_services
from classroom.certificates.codes import MAX_TYPED, normalised, shown
from classroom.certificates.links import LINK_TTL
from classroom.errors import InvalidInput, NotFound
from classroom.privacy.audit import Actor
from storage.models import Certificate, Role
from tests.classroom.certificates.conftest import ALEX, GREEK_NAME, ISAIAH, SOFIA, issue
from tests.support.bot_harness import default_settings
from tests.support.enrolment import MULTI_RUN, TRAINER_AAD, add_person


async def _code_of(session_factory, holder_name: str) -> str:  # type: ignore[no-untyped-def]
    async with session_factory() as session:
        code = await session.scalar(select(Certificate.code).where(Certificate.holder_name == holder_name))
    assert code is not None
    return code


def test_typed_codes_are_forgiven_case_spaces_and_dashes_and_bounded() -> None:
    assert normalised("abcde-23456") == "ABCDE23456"
    assert normalised("  ABCDE 23456 ") == "ABCDE23456"
    assert normalised("abc–de 234—56") == "ABCDE23456"  # en and em dashes, as phones type them
    assert normalised("ABCDE-2345") is None  # too short
    assert normalised("ABCDE-23450") is None  # 0 is not in the alphabet (taken for O)
    assert normalised("A" * (MAX_TYPED + 1)) is None
    assert normalised("<script>") is None


async def test_anyone_checks_a_code_and_learns_whose_it_is_and_the_course(
    enrolment, certificates, session_factory, clock
) -> None:
    await issue(session_factory, ALEX, ISAIAH, now=clock.now())
    code = await _code_of(session_factory, "Alex Wilber")

    found = await certificates.verify(f"  {shown(code).lower()} ")
    assert (found.holder_name, found.course_code, found.run_code) == ("Alex Wilber", "PERMX", MULTI_RUN)
    assert found.session_count == 4 and found.issued_at == clock.now()
    assert (await certificates.verify(code[:5] + " " + code[5:])).holder_name == "Alex Wilber"

    unknown = "".join(secrets.choice("23456789ABCDEFGHJKMNPQRSTVWXYZ") for _ in range(10))
    with pytest.raises(NotFound):
        await certificates.verify(unknown)
    for malformed in ("hello", "", "A" * 500, "ABCDE-2345O"):
        with pytest.raises(InvalidInput):
            await certificates.verify(malformed)


async def test_the_pdf_names_the_person_in_their_own_script_the_course_and_the_code(
    enrolment, certificates, session_factory, clock
) -> None:
    await issue(session_factory, SOFIA, now=clock.now())
    [item] = await certificates.mine(SOFIA)
    file = await certificates.pdf(item.token)
    assert file.content.startswith(b"%PDF-") and file.filename == f"certificate-{MULTI_RUN}-{item.certificate.code}.pdf"

    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(file.content)).pages)
    flat = " ".join(text.split())
    assert GREEK_NAME in flat
    assert "Permanence in four sessions" in flat and "Course code PERMX" in flat and MULTI_RUN in flat
    assert shown(item.certificate.code) in flat and f"certificate {shown(item.certificate.code)}" in flat
    assert "Total hours: 20 hours" in flat and "Zoe Rosenfield" in flat
    assert "Monday 14 December 2026, 10:00–15:00" in flat and "Monday 4 January 2027" in flat
    assert "Issued on Monday 23 November 2026 (UK time)" in flat


async def test_download_links_are_the_holders_alone_and_expire(enrolment, certificates, session_factory, clock) -> None:
    await issue(session_factory, ALEX, ISAIAH, now=clock.now())
    [mine] = await certificates.mine(ALEX)
    assert mine.certificate.holder_name == "Alex Wilber" and mine.expires_at == clock.now() + LINK_TTL
    assert await certificates.mine(ALEX, shown(await _code_of(session_factory, "Isaiah Langer"))) == []
    assert await certificates.mine("aad-never-met") == []
    assert (await certificates.pdf(mine.token)).content.startswith(b"%PDF-")

    for dead in (secrets.token_urlsafe(32), "short", "../../etc/passwd"):
        with pytest.raises(NotFound):
            await certificates.pdf(dead)
    clock.advance(LINK_TTL + timedelta(seconds=1))
    with pytest.raises(NotFound):
        await certificates.pdf(mine.token)


async def test_after_erasure_the_code_names_nobody_and_an_erased_trainer_leaves_the_certificates(
    enrolment, certificates, session_factory, clock
) -> None:
    await add_person(session_factory, "aad-admin", "Ada Admin", roles=[Role.ADMIN])
    await add_person(session_factory, TRAINER_AAD, "Zoe Rosenfield", roles=[Role.TRAINER])
    await issue(session_factory, ALEX, ISAIAH, now=clock.now())
    alex_code = await _code_of(session_factory, "Alex Wilber")
    privacy = build_services(default_settings(), session_factory, clock).privacy
    assert any(s.title == "Certificates of attendance" for s in (await privacy.my_data(ALEX)).sections)

    await privacy.forget(Actor(ALEX, "Alex Wilber", "a:alex"), ALEX)
    with pytest.raises(NotFound):
        await certificates.verify(alex_code)
    assert (await certificates.verify(await _code_of(session_factory, "Isaiah Langer"))).holder_name == "Isaiah Langer"

    await privacy.forget(Actor("aad-admin", "Ada Admin", "a:admin"), TRAINER_AAD)
    [isaiah] = await certificates.mine(ISAIAH)
    assert isaiah.certificate.trainers == ("Rebecca Watts",)
