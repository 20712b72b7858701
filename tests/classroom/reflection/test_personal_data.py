"""The reflection feature's personal data of one person: exported whole (words opened, for them) and erased."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from classroom.errors import NotFound
from classroom.people import find_person
from classroom.reflection.personal_data import erase_personal_data, export_personal_data
from classroom.reflection.views import CpdFields
from storage.models import CpdEntry, CpdExportLink, Reflection, RunSession
from tests.classroom.reflection.conftest import ALEX, ISAIAH
from tests.classroom.reflection.test_reflections import ANSWERS, SECRET
from tests.support.enrolment import MULTI_RUN


async def test_export_holds_every_reflection_and_entry_of_the_person_only(
    enrolment, reflection, sealer, session_factory, clock
) -> None:
    alex_place = await enrolment.enrol(ALEX, MULTI_RUN)
    isaiah_place = await enrolment.enrol(ISAIAH, MULTI_RUN)
    async with session_factory() as session:
        first = await session.scalar(select(RunSession.id).where(RunSession.position == 1))
        second = await session.scalar(select(RunSession.id).where(RunSession.position == 2))
    assert first is not None and second is not None
    await reflection.save(ALEX, alex_place.id, first, ANSWERS, [], finish=True)
    await reflection.save(ALEX, alex_place.id, second, {"covered": "draft words"}, [], finish=False)
    await reflection.save(ISAIAH, isaiah_place.id, first, {**ANSWERS, "covered": "Isaiah's words"}, [], finish=True)
    await reflection.add_cpd(
        ALEX,
        activity_date=clock.now().date(),
        cpd_type="Reading or research",
        minutes=90,
        fields=CpdFields(title="Read the PLO guidance", description="d", learnt="l", impact="i"),
    )
    async with session_factory() as session:
        alex = await find_person(session, ALEX)
        assert alex is not None
        exported = await export_personal_data(session, alex.id, sealer)
    json.dumps(exported)  # JSON-able as it is
    assert [r["status"] for r in exported["reflections"]] == ["done", "draft"]
    assert exported["reflections"][0]["answers"]["covered"] == SECRET
    assert exported["reflections"][1]["answers"] == {"covered": "draft words"}
    titles = sorted(e["title"] for e in exported["cpd_entries"])
    assert titles == ["Permanence in four sessions", "Read the PLO guidance"]
    assert "Isaiah's words" not in json.dumps(exported)


async def test_erasure_deletes_the_persons_rows_and_no_one_elses(
    enrolment, reflection, sealer, session_factory
) -> None:
    alex_place = await enrolment.enrol(ALEX, MULTI_RUN)
    isaiah_place = await enrolment.enrol(ISAIAH, MULTI_RUN)
    async with session_factory() as session:
        first = await session.scalar(select(RunSession.id).where(RunSession.position == 1))
    assert first is not None
    await reflection.save(ALEX, alex_place.id, first, ANSWERS, [], finish=True)
    await reflection.save(ISAIAH, isaiah_place.id, first, ANSWERS, [], finish=True)
    alex_link = await reflection.issue_export_link(ALEX, 2026)
    isaiah_link = await reflection.issue_export_link(ISAIAH, 2026)
    assert alex_link is not None and isaiah_link is not None
    async with session_factory.begin() as session:
        alex = await find_person(session, ALEX)
        assert alex is not None
        assert await erase_personal_data(session, alex.id) == 2
    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(Reflection)) == 1
        assert await session.scalar(select(func.count()).select_from(CpdEntry)) == 1
        assert (await export_personal_data(session, alex.id, sealer)) == {"reflections": [], "cpd_entries": []}
        assert await session.scalar(select(func.count()).select_from(CpdExportLink)) == 1
    with pytest.raises(NotFound):  # his download link went with his entries
        await reflection.export_file(alex_link[0], "docx")
    await reflection.export_file(isaiah_link[0], "docx")
