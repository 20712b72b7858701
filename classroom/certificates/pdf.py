"""The certificate as a PDF (fpdf2): who, which course, the sessions, hours, outcomes, trainers, the code.

Names come from Teams and titles from the catalogue, so every string is written as plain text (fpdf2 reads no
markup unless asked) in DejaVu Sans, a TrueType font covering Latin, Greek, Cyrillic and more, embedded (subset)
so the PDF shows the same everywhere and its text can be read back. Times are shown in the people's time zone.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from classroom.certificates.codes import shown
from classroom.certificates.errors import NoFontForCertificates
from classroom.certificates.views import CertificateView
from classroom.reflection.form import hours_text

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),  # Debian and Ubuntu: fonts-dejavu-core
    Path("/usr/share/fonts/dejavu"),  # Fedora, Alpine
    Path("/usr/share/fonts/TTF"),  # Arch
)
REGULAR, BOLD = "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"
FAMILY = "DejaVu"
# Scripts DejaVu lacks (Chinese, Japanese, Korean…) are written in these when the machine has them
# (fonts-droid-fallback, fonts-noto-cjk); without them such characters are left out (fpdf2 logs which).
FALLBACK_FONTS = (
    Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
    Path("/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
)
PRODUCER = "classroom-bot"


@cache
def font_files() -> tuple[Path, Path]:
    for folder in FONT_DIRS:
        regular, bold = folder / REGULAR, folder / BOLD
        if regular.is_file() and bold.is_file():
            return regular, bold
    raise NoFontForCertificates(f"no {REGULAR} in {', '.join(map(str, FONT_DIRS))}")


def _day(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%A %-d %B %Y")


def _session_line(start: datetime, end: datetime, zone: ZoneInfo) -> str:
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    return f"{_day(start, zone)}, {local_start:%H:%M}–{local_end:%H:%M}"


def verification_hint(code: str) -> str:
    return (
        f"Verification code: {shown(code)}. To check this certificate, send the training bot in Microsoft Teams "
        f"the message: certificate {shown(code)}"
    )


def render_certificate(view: CertificateView, zone: ZoneInfo) -> bytes:
    regular, bold = font_files()
    from fpdf import FPDF  # here, not at the top: fpdf2 brings Pillow and fontTools (24 MB) into every process

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_creation_date(view.issued_at)
    pdf.set_title(f"Certificate of attendance: {view.course_title}")
    pdf.set_subject(f"{view.course_code} {view.run_code}")
    pdf.set_creator(PRODUCER)
    pdf.set_producer(PRODUCER)
    pdf.add_font(FAMILY, "", str(regular))
    pdf.add_font(FAMILY, "B", str(bold))
    fallbacks = []
    for number, path in enumerate(p for p in FALLBACK_FONTS if p.is_file()):
        pdf.add_font(f"fallback{number}", "", str(path))
        fallbacks.append(f"fallback{number}")
    if fallbacks:
        pdf.set_fallback_fonts(fallbacks, exact_match=False)
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_page()

    def line(words: str, size: float, *, bold_: bool = False, height: float = 7, align: str = "C") -> None:
        pdf.set_font(FAMILY, "B" if bold_ else "", size)
        pdf.multi_cell(0, height, words, align=align, new_x="LMARGIN", new_y="NEXT")

    def gap(mm: float) -> None:
        pdf.ln(mm)

    line("Certificate of attendance", 26, bold_=True, height=12)
    gap(8)
    line("This is to certify that", 13)
    gap(3)
    line(view.holder_name, 22, bold_=True, height=10)
    gap(3)
    line("attended the course", 13)
    gap(3)
    line(view.course_title, 17, bold_=True, height=8)
    line(f"Course code {view.course_code} · run {view.run_code} · online via Microsoft Teams", 11)
    gap(6)
    count = len(view.sessions)
    line(f"Sessions attended ({count})" if count != 1 else "Session attended", 12, bold_=True, align="L")
    for start, end in view.sessions:
        line(_session_line(start, end, zone), 11, height=6, align="L")
    gap(2)
    line(f"Total hours: {hours_text(view.minutes)}", 12, bold_=True, align="L")
    if view.outcomes:
        gap(4)
        line("Learning outcomes", 12, bold_=True, align="L")
        for outcome in view.outcomes:
            line(f"•  {outcome}", 10.5, height=5.5, align="L")
    if view.trainers:
        gap(4)
        line("Trainers", 12, bold_=True, align="L")
        line(", ".join(view.trainers), 11, height=6, align="L")
    gap(6)
    where = "UK time" if zone.key == "Europe/London" else zone.key
    line(f"Issued on {_day(view.issued_at, zone)} ({where})", 11, align="L")
    gap(2)
    line(verification_hint(view.code), 10, height=5.5, align="L")
    return bytes(pdf.output())
