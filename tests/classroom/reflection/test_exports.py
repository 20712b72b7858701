"""Exports for the author only: the Word document and CSV behind an expiring, unguessable link, every field of
the form under its heading; unknown, malformed and expired links alike refused."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from docx import Document
from sqlalchemy import select, text

from classroom.errors import NotFound
from classroom.reflection import form
from classroom.reflection.export_links import LINK_TTL
from classroom.reflection.views import CpdFields
from storage.models import RunSession
from tests.classroom.reflection.conftest import ALEX, ISAIAH
from tests.classroom.reflection.test_reflections import ANSWERS
from tests.support.enrolment import MULTI_RUN


async def _alex_with_entries(enrolment, reflection, session_factory, clock) -> None:  # type: ignore[no-untyped-def]
    place = await enrolment.enrol(ALEX, MULTI_RUN)
    async with session_factory() as session:
        first = await session.scalar(select(RunSession.id).where(RunSession.position == 1))
    assert first is not None
    await reflection.save(ALEX, place.id, first, {**ANSWERS, "covered": '=HYPERLINK("x")'}, [], finish=True)
    await reflection.add_cpd(
        ALEX,
        activity_date=clock.now().date() + timedelta(days=30),
        cpd_type="Supervision",
        minutes=90,
        fields=CpdFields(title="Group supervision on contact", description="d", learnt="l", impact="i", peer="p"),
    )


async def test_the_word_document_has_every_field_under_the_forms_headings(
    enrolment, reflection, session_factory, clock
) -> None:
    await _alex_with_entries(enrolment, reflection, session_factory, clock)
    issued = await reflection.issue_export_link(ALEX, 2026)
    assert issued is not None
    token, expires_at = issued
    assert len(token) == 43 and expires_at == clock.now() + LINK_TTL
    file = await reflection.export_file(token, "docx")
    assert file.filename == "cpd-2026-2027.docx"
    paragraphs = [(p.style.name, p.text) for p in Document(io.BytesIO(file.content)).paragraphs]
    headings = [t for style, t in paragraphs if style == "Heading 2"]
    assert headings == list(form.HEADINGS) * 2
    body = "\n".join(t for _, t in paragraphs)
    for words in (
        ANSWERS["learnt"],
        ANSWERS["impact"],
        ANSWERS["peer"],
        "What I will try first: " + ANSWERS["try_first"],
    ):
        assert words in body
    assert "Permanence in four sessions" in body and "Group supervision on contact" in body
    assert "14 December 2026" in body and "Course or training (online) (5 hours)" in body
    assert "2 entries; 2 with peer reflection." in body


async def test_the_csv_has_a_row_per_entry_and_never_a_formula(enrolment, reflection, session_factory, clock) -> None:
    await _alex_with_entries(enrolment, reflection, session_factory, clock)
    issued = await reflection.issue_export_link(ALEX, 2026)
    assert issued is not None
    file = await reflection.export_file(issued[0], "csv")
    rows = list(csv.reader(io.StringIO(file.content.decode("utf-8-sig"))))
    assert rows[0] == ["Entry", "Registration year starting", "Hours", *form.HEADINGS]
    assert len(rows) == 3
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["Hours"] == "5" and first[form.PEER] == ANSWERS["peer"]
    assert first[form.DESCRIPTION].startswith("'=HYPERLINK")  # made literal for spreadsheets


async def test_links_expire_and_unknown_ones_are_refused_alike(enrolment, reflection, session_factory, clock) -> None:
    await _alex_with_entries(enrolment, reflection, session_factory, clock)
    issued = await reflection.issue_export_link(ALEX, 2026)
    assert issued is not None
    token = issued[0]
    for bad in ("A" * 43, token[:-1], "../../etc/passwd", ""):
        with pytest.raises(NotFound):
            await reflection.export_file(bad, "docx")
    with pytest.raises(NotFound):
        await reflection.export_file(token, "pdf")
    async with session_factory() as session:
        stored = (await session.execute(text("SELECT token_hash FROM cpd_export_links"))).scalars().all()
    assert token not in stored  # only its hash is kept
    clock.advance(LINK_TTL)
    with pytest.raises(NotFound):
        await reflection.export_file(token, "docx")


async def test_someone_elses_link_holds_only_their_own_log(enrolment, reflection, session_factory, clock) -> None:
    await _alex_with_entries(enrolment, reflection, session_factory, clock)
    await enrolment.enrol(ISAIAH, MULTI_RUN)
    issued = await reflection.issue_export_link(ISAIAH, 2026)
    assert issued is not None
    file = await reflection.export_file(issued[0], "csv")
    assert len(list(csv.reader(io.StringIO(file.content.decode("utf-8-sig"))))) == 1  # the header only
