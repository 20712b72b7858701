"""A course words its reflection questions its own way in the catalogue file (by key; the rest keep the default
set); the prompt planned for its sessions asks them so. Unknown keys are refused with the file's line."""

from __future__ import annotations

from pathlib import Path

import pytest

from classroom.catalogue.file_format import CatalogueFileError, load_catalogue
from classroom.catalogue.importer import import_catalogue
from classroom.enrolment.service import EnrolmentService
from classroom.reflection.notices import PROMPT
from classroom.reflection.questions import DEFAULT_QUESTIONS, questions_for
from tests.classroom.test_catalogue_file import VALID, line_of, variant, write
from tests.support.enrolment import add_person, outbox

WORDED = variant(
    "      - first outcome\n",
    "      - first outcome\n"
    "    reflection_questions:\n"
    "      learnt: What did today change in how you see permanence?\n",
)


def test_the_file_gives_a_courses_wording_by_key(tmp_path: Path) -> None:
    [course] = load_catalogue(write(tmp_path, WORDED)).courses
    assert course.reflection_questions == (("learnt", "What did today change in how you see permanence?"),)
    [plain] = load_catalogue(write(tmp_path, VALID, "plain.yaml")).courses
    assert plain.reflection_questions == ()


def test_an_unknown_question_key_is_refused_with_its_line(tmp_path: Path) -> None:
    with pytest.raises(CatalogueFileError) as caught:
        load_catalogue(write(tmp_path, misspelt := WORDED.replace("      learnt:", "      lernt:")))
    [problem] = caught.value.problems
    assert "reflection_questions" in problem.field and problem.line == line_of(misspelt, "lernt:")
    assert "'covered', 'learnt', 'impact', 'try_first', 'peer' or 'feeling'" in problem.message


def test_questions_keep_the_default_where_the_course_says_nothing() -> None:
    worded = questions_for({"peer": "Who did you talk it over with? (optional)"})
    assert [q.key for q in worded] == [q.key for q in DEFAULT_QUESTIONS]
    assert worded[4].label == "Who did you talk it over with? (optional)" and not worded[4].required
    assert worded[:4] == DEFAULT_QUESTIONS[:4]
    assert questions_for(None) == DEFAULT_QUESTIONS


async def test_the_prompt_asks_the_courses_questions(session_factory, clock, tmp_path: Path) -> None:
    async with session_factory.begin() as session:
        await import_catalogue(session, load_catalogue(write(tmp_path, WORDED)))
    await add_person(session_factory, "aad-alex", "Alex Wilber")
    clock.set(clock.now().replace(year=2021, month=6, day=1))
    await EnrolmentService(session_factory, clock).enrol("aad-alex", "PERM-X-1")
    rows = await outbox(session_factory, PROMPT)
    assert rows
    labels = {q["key"]: q["label"] for q in rows[0].payload["questions"]}
    assert labels["learnt"] == "What did today change in how you see permanence?"
    assert labels["covered"] == DEFAULT_QUESTIONS[0].label
