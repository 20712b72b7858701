"""The catalogue file format: what loads, and how each kind of mistake is reported (file, line, field)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from classroom.catalogue.file_format import (
    CatalogueDocument,
    CatalogueFileError,
    Problem,
    load_catalogue,
    parse_catalogue,
)

DEMO_FILE = Path(__file__).parents[2] / "classroom" / "demo" / "catalogue.yaml"

VALID = """\
timezone: Europe/London
organisations:
  - name: Brighton & Hove City Council
    price_band: 1
courses:
  - code: perm-x
    title: A course
    summary: What it is about.
    target_audience: Social Work Practitioners
    duration: One day
    outline_url: https://example.org/outline.pdf
    learning_outcomes:
      - first outcome
    runs:
      - code: PERM-X-1
        capacity: 12
        join_url: https://teams.microsoft.com/l/meetup-join/19%3ameeting_ABC%40thread.v2/0
        eligibility:
          audience: Children's services staff
          organisations: [Brighton & Hove City Council]
        trainers:
          - name: Zoe Rosenfield
            aad_object_id: 11111111-2222-3333-4444-555555555555
          - name: Rebecca Watts
        prices: {tier_1: 95, tier_2: 110.50}
        sessions:
          - {date: 2021-07-12, start: 10:00, end: 15:00}
          - {date: 2021-12-13, start: 10:00, end: 15:00}
"""

SECOND_COURSE = """\
  - code: OTHER
    title: Another course
    summary: Another summary.
    target_audience: Everyone
    duration: Half a day
    learning_outcomes: [something]
    runs:
      - code: perm-x-1
        capacity: 5
        sessions:
          - {date: 2021-08-02, start: 09:30, end: 12:30}
"""


def write(tmp_path: Path, text: str | bytes, name: str = "catalogue.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def variant(old: str, new: str) -> str:
    assert old in VALID, f"test bug: {old!r} is not in the valid file"
    return VALID.replace(old, new, 1)


def line_of(text: str, marker: str, occurrence: int = 1) -> int:
    lines = [number for number, line in enumerate(text.splitlines(), start=1) if marker in line]
    return lines[occurrence - 1]


def problems_of(path: Path) -> list[Problem]:
    with pytest.raises(CatalogueFileError) as caught:
        load_catalogue(path)
    assert caught.value.problems, "an invalid file must come with at least one problem"
    assert str(caught.value) == "\n".join(str(p) for p in caught.value.problems)
    return caught.value.problems


def only_problem(path: Path, field: str) -> Problem:
    matching = [p for p in problems_of(path) if p.field == field]
    assert len(matching) == 1, f"expected one problem for {field}, got {problems_of(path)}"
    return matching[0]


def test_demo_file_loads() -> None:
    document = load_catalogue(DEMO_FILE)

    assert isinstance(document, CatalogueDocument)
    assert [course.code for course in document.courses] == ["PERMPLAN", "PERM4"]
    assert [run.code for _, run in document.runs()] == ["PERMPLAN-1", "PERMPLAN-2", "PERM4-A"]
    assert document.timezone == "Europe/London"


def test_valid_file_is_converted(tmp_path: Path) -> None:
    document = load_catalogue(write(tmp_path, VALID))

    [course] = document.courses
    [run] = course.runs
    assert course.code == "PERM-X"  # normalised to upper case
    assert course.delivery == "Online via Microsoft Teams"  # the default
    assert run.prices_pence == {1: 9500, 2: 11050}
    # Links are kept exactly as written (a normalised Teams link might stop working).
    assert run.join_url == "https://teams.microsoft.com/l/meetup-join/19%3ameeting_ABC%40thread.v2/0"
    assert run.eligible_organisations == ("Brighton & Hove City Council",)
    assert [(t.name, t.aad_object_id) for t in run.trainers] == [
        ("Zoe Rosenfield", "11111111-2222-3333-4444-555555555555"),
        ("Rebecca Watts", None),
    ]
    assert document.organisations[0].price_band == 1


def test_session_times_are_converted_to_utc_across_daylight_saving(tmp_path: Path) -> None:
    [course] = load_catalogue(write(tmp_path, VALID)).courses
    july, december = course.runs[0].sessions

    # 10:00 in London is 09:00 UTC in summer time (BST) and 10:00 UTC in winter (GMT).
    assert july.starts_at == datetime(2021, 7, 12, 9, 0, tzinfo=UTC)
    assert july.ends_at == datetime(2021, 7, 12, 14, 0, tzinfo=UTC)
    assert december.starts_at == datetime(2021, 12, 13, 10, 0, tzinfo=UTC)
    assert december.ends_at == datetime(2021, 12, 13, 15, 0, tzinfo=UTC)
    assert july.starts_at.utcoffset() == timedelta(0)  # timezone-aware, in UTC


def test_the_file_timezone_is_used(tmp_path: Path) -> None:
    text = variant("timezone: Europe/London", "timezone: America/New_York")
    july = load_catalogue(write(tmp_path, text)).courses[0].runs[0].sessions[0]

    assert july.starts_at == datetime(2021, 7, 12, 14, 0, tzinfo=UTC)  # EDT is UTC-4


def test_yaml_1_1_surprises_are_avoided(tmp_path: Path) -> None:
    # YAML 1.1 reads 10:00 as the number 600 and 010 as octal 8; here they are a time and an error.
    text = variant("capacity: 12", "capacity: 010")
    problem = only_problem(write(tmp_path, text), "courses[0].runs[0].capacity")
    assert problem.message == "must be a whole number"

    start = load_catalogue(write(tmp_path, VALID)).courses[0].runs[0].sessions[0].starts_at
    assert (start.hour, start.minute) == (9, 0)


@pytest.mark.parametrize(
    ("old", "new", "field", "marker", "message"),
    [
        pytest.param(
            "    title: A course\n", "", "courses[0].title", "- code: perm-x", "is required", id="missing-required"
        ),
        pytest.param(
            "capacity: 12",
            "capacty: 12",
            "courses[0].runs[0].capacty",
            "capacty",
            "unknown key; did you mean 'capacity'?",
            id="unknown-key",
        ),
        pytest.param(
            "capacity: 12",
            "capacity: twelve",
            "courses[0].runs[0].capacity",
            "capacity",
            "must be a whole number",
            id="bad-type",
        ),
        pytest.param(
            "summary: What it is about.",
            "summary: [a, list]",
            "courses[0].summary",
            "summary",
            "must be text",
            id="bad-type-list",
        ),
        pytest.param(
            "code: perm-x",
            "code: P",
            "courses[0].code",
            "code: P",
            "'P' is not a valid course code",
            id="bad-code-short",
        ),
        pytest.param(
            "code: perm-x",
            "code: PERM X",
            "courses[0].code",
            "code: PERM X",
            "'PERM X' is not a valid course code",
            id="bad-code-space",
        ),
        pytest.param(
            "{date: 2021-07-12, start: 10:00, end: 15:00}",
            "{date: 2021-07-12, start: 10:00, end: 09:00}",
            "courses[0].runs[0].sessions[0].end",
            "2021-07-12",
            "must be after the start time (10:00)",
            id="end-before-start",
        ),
        pytest.param(
            "{date: 2021-07-12, start: 10:00, end: 15:00}",
            "{date: 2021-07-12, start: 10am, end: 15:00}",
            "courses[0].runs[0].sessions[0].start",
            "2021-07-12",
            "must be a time of day as HH:MM",
            id="bad-time",
        ),
        pytest.param(
            "{date: 2021-12-13, start: 10:00, end: 15:00}",
            "{date: 2021-07-12, start: 14:00, end: 16:00}",
            "courses[0].runs[0].sessions[1].date",
            "start: 14:00",
            "starts before session 1 ends",
            id="sessions-overlap",
        ),
        pytest.param(
            "price_band: 1",
            "price_band: 6",
            "organisations[0].price_band",
            "price_band",
            "must be a price band from 1 to 5",
            id="bad-band",
        ),
        pytest.param(
            "prices: {tier_1: 95, tier_2: 110.50}",
            "prices: {tier_1: 95, tier_6: 110.50}",
            "courses[0].runs[0].prices.tier_6",
            "prices:",
            "unknown key; did you mean 'tier_5'? allowed here: tier_1, tier_2, tier_3, tier_4, tier_5",
            id="bad-price-band",
        ),
        pytest.param(
            "prices: {tier_1: 95, tier_2: 110.50}",
            "prices: {tier_1: 95.005}",
            "courses[0].runs[0].prices.tier_1",
            "prices:",
            "whole pence",
            id="fraction-of-a-penny",
        ),
        pytest.param(
            "join_url: https://teams.microsoft.com/l/meetup-join/19%3ameeting_ABC%40thread.v2/0",
            "join_url: ftp://example.org/meeting",
            "courses[0].runs[0].join_url",
            "join_url",
            "is not a web link",
            id="bad-url-scheme",
        ),
        pytest.param(
            "outline_url: https://example.org/outline.pdf",
            "outline_url: example.org/outline.pdf",
            "courses[0].outline_url",
            "outline_url",
            "is not a web link",
            id="bad-url-relative",
        ),
        pytest.param(
            "capacity: 12",
            "capacity: 0",
            "courses[0].runs[0].capacity",
            "capacity",
            "must be greater than 0",
            id="capacity-zero",
        ),
        pytest.param(
            "organisations: [Brighton & Hove City Council]",
            "organisations: [Brighton and Hove City Council]",
            "courses[0].runs[0].eligibility.organisations[0]",
            "Brighton and Hove",
            "did you mean 'Brighton & Hove City Council'?",
            id="unlisted-organisation",
        ),
        pytest.param(
            "{date: 2021-07-12, start: 10:00, end: 15:00}",
            "{date: 2021-03-28, start: 01:30, end: 03:00}",
            "courses[0].runs[0].sessions[0].start",
            "2021-03-28",
            "01:30 does not exist on 2021-03-28 in Europe/London",
            id="time-in-dst-gap",
        ),
        pytest.param(
            "title: A course",
            "title: " + "x" * 301,
            "courses[0].title",
            "title:",
            "must be at most 300 characters",
            id="too-long",
        ),
        pytest.param(
            "timezone: Europe/London",
            "timezone: Europe/Londn",
            "timezone",
            "timezone",
            "unknown timezone 'Europe/Londn'",
            id="bad-timezone",
        ),
        pytest.param(
            "        capacity: 12\n",
            "        capacity: 12\n        capacity: 14\n",
            "courses[0].runs[0].capacity",
            "capacity: 14",
            "duplicate key (also given on line",
            id="duplicate-key",
        ),
    ],
)
def test_invalid_values_are_reported_with_file_line_and_field(
    tmp_path: Path, old: str, new: str, field: str, marker: str, message: str
) -> None:
    text = variant(old, new)
    problem = only_problem(write(tmp_path, text), field)

    assert problem.file == str(tmp_path / "catalogue.yaml")
    assert problem.line == line_of(text, marker)
    assert message in problem.message
    assert str(problem).startswith(f"{tmp_path / 'catalogue.yaml'}:{problem.line}: {field}: ")


def test_problem_reads_like_a_compiler_message() -> None:
    problem = Problem("catalogue.yaml", 42, "courses[1].runs[0].capacity", "must be greater than 0")
    assert str(problem) == "catalogue.yaml:42: courses[1].runs[0].capacity: must be greater than 0"
    assert str(Problem("catalogue.yaml", None, "", "file not found")) == "catalogue.yaml: file not found"


def test_duplicate_run_codes_across_the_file_are_reported(tmp_path: Path) -> None:
    text = VALID + SECOND_COURSE  # the second course reuses PERM-X-1 (in lower case)
    problem = only_problem(write(tmp_path, text), "courses[1].runs[0].code")

    assert problem.line == line_of(text, "code: perm-x-1")
    assert problem.message == (
        f"run code PERM-X-1 is already used at courses[0].runs[0].code (line {line_of(text, 'code: PERM-X-1')})"
    )


def test_duplicate_course_codes_are_reported(tmp_path: Path) -> None:
    text = VALID + SECOND_COURSE.replace("code: OTHER", "code: PERM-X").replace("perm-x-1", "OTHER-1")
    problem = only_problem(write(tmp_path, text), "courses[1].code")

    assert problem.line == line_of(text, "code: PERM-X", occurrence=2)  # the first is PERM-X-1
    assert "course code PERM-X is already used at courses[0].code" in problem.message


def test_every_problem_is_reported_in_line_order(tmp_path: Path) -> None:
    text = (
        VALID.replace("price_band: 1", "price_band: 9")
        .replace("title: A course", "titel: A course")
        .replace("capacity: 12", "capacity: -1")
        .replace("end: 15:00}", "end: 08:00}", 1)
    )
    problems = problems_of(write(tmp_path, text))

    assert [p.field for p in problems] == [
        "organisations[0].price_band",
        "courses[0].title",  # missing: reported on the course's first line
        "courses[0].titel",
        "courses[0].runs[0].capacity",
        "courses[0].runs[0].sessions[0].end",
    ]
    assert [p.line for p in problems] == sorted(p.line or 0 for p in problems)


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    text = variant("        capacity: 12\n", "        capacity: [12\n")
    [problem] = problems_of(write(tmp_path, text))

    assert problem.message.startswith("YAML syntax error: ")
    assert problem.line is not None and problem.line >= line_of(text, "capacity: [12")
    assert problem.field == ""


def test_bad_indentation_is_a_syntax_error(tmp_path: Path) -> None:
    text = variant("    title: A course\n", "   title: A course\n")
    [problem] = problems_of(write(tmp_path, text))

    assert problem.message.startswith("YAML syntax error: ")
    assert problem.line == line_of(text, "   title: A course")


def test_impossible_date_names_the_line(tmp_path: Path) -> None:
    text = variant("2021-07-12", "2021-02-30")
    [problem] = problems_of(write(tmp_path, text))

    assert problem.line == line_of(text, "2021-02-30")
    assert "'2021-02-30' is not a real date" in problem.message


def test_file_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    raw = VALID.replace("summary: What it is about.", "summary: Costs £95.").encode("latin-1")
    [problem] = problems_of(write(tmp_path, raw))

    assert problem.line == line_of(VALID, "summary:")
    assert "is not UTF-8 text (byte 0xa3)" in problem.message


def test_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    document = load_catalogue(write(tmp_path, "\ufeff" + VALID))
    assert document.courses[0].code == "PERM-X"


def test_missing_file(tmp_path: Path) -> None:
    [problem] = problems_of(tmp_path / "missing.yaml")

    assert problem == Problem(str(tmp_path / "missing.yaml"), None, "", "file not found")


@pytest.mark.parametrize(
    ("text", "found"),
    [("- a\n- b\n", "is a list"), ("just some words\n", "is a single value (str)")],
)
def test_wrong_top_level_type(tmp_path: Path, text: str, found: str) -> None:
    [problem] = problems_of(write(tmp_path, text))

    assert problem.line == 1
    assert problem.message.startswith("must be a mapping with timezone:, organisations: and courses:")
    assert problem.message.endswith(found)


def test_empty_file(tmp_path: Path) -> None:
    [problem] = problems_of(write(tmp_path, "# nothing yet\n"))
    assert "the file is empty" in problem.message


def test_parse_catalogue_reports_under_the_given_name() -> None:
    with pytest.raises(CatalogueFileError) as caught:
        parse_catalogue(VALID.replace("capacity: 12", "capacity: 0"), "upload.yaml")
    [problem] = caught.value.problems
    assert str(problem) == (
        f"upload.yaml:{line_of(VALID, 'capacity')}: courses[0].runs[0].capacity: must be greater than 0"
    )
