"""A registration year's CPD log as files: a Word document (python-docx), each entry under the form's headings,
and CSV, one row per entry with the form's fields as columns."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from classroom.reflection.form import HEADINGS, WHAT_SWE_ASKS, form_fields
from classroom.reflection.registration_year import registration_year_label
from classroom.reflection.views import CpdEntryView

WORD_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CSV_TYPE = "text/csv"


def word_document(year: int, entries: Sequence[CpdEntryView]) -> bytes:
    from docx import Document  # here, not at the top: every bot process would carry python-docx (7 MB) for it

    document = Document()
    document.add_heading("CPD log", level=0)
    document.add_paragraph(f"Registration year {registration_year_label(year)}")
    peer = sum(1 for e in entries if e.has_peer_reflection)
    document.add_paragraph(f"{len(entries)} entries; {peer} with peer reflection.")
    document.add_paragraph(WHAT_SWE_ASKS)
    for entry in entries:
        fields = form_fields(entry)
        document.add_page_break()
        document.add_heading(fields[0][1] or f"Entry {entry.id}", level=1)
        for heading, value in fields:
            document.add_heading(heading, level=2)
            document.add_paragraph(value)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _cell(value: str) -> str:
    """A spreadsheet must not run what someone typed: a leading =, +, - or @ is made literal."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def csv_document(entries: Sequence[CpdEntryView]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Entry", "Registration year starting", "Hours", *HEADINGS])
    for entry in entries:
        writer.writerow(
            [
                entry.id,
                entry.registration_year,
                f"{entry.minutes / 60:g}",
                *(_cell(value) for _, value in form_fields(entry)),
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8
