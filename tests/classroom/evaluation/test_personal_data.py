"""The person's own evaluation answers can be exported and erased although the answers table names nobody: they
are found again through the person's enrolments and the run's key. Once the key is dropped (a year after the run)
nobody can find them: they are anonymous statistics."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.assembly import build_services
from classroom.evaluation.answers import SurveyAnswers
from classroom.evaluation.notices import REPORT
from classroom.evaluation.privacy import EvaluationData
from classroom.polls.ballots import Ratings
from classroom.privacy.audit import Actor as PrivacyActor
from classroom.privacy.personal_data import Erasure, Retention, Subject
from classroom.privacy.retention import DOWNLOAD_LINKS, EVALUATION_KEYS
from storage.models import EvaluationExportLink, EvaluationPhase, EvaluationResponse, OutboxNotification, Person
from tests.classroom.evaluation.conftest import ALEX, FIRST_DAY, ISAIAH, PEOPLE, enrolment_id
from tests.classroom.privacy.test_erasure import rows_mentioning
from tests.support.bot_harness import default_settings
from tests.support.enrolment import MULTI_RUN, TRAINER_AAD, outbox, weekly_session

LAST_END = weekly_session(FIRST_DAY, 4)[1]
RETENTION = Retention({DOWNLOAD_LINKS: timedelta(days=1), EVALUATION_KEYS: timedelta(days=365)})


async def _subject(session_factory, aad: str) -> Subject:  # type: ignore[no-untyped-def]
    async with session_factory() as session:
        person = await session.scalar(select(Person).where(Person.aad_object_id == aad))
    return Subject(aad, person.id, person.name)


async def _answered(enrolment, evaluation, session_factory, clock) -> None:  # type: ignore[no-untyped-def]
    for aad, rating in ((ALEX, 2), (ISAIAH, 4)):
        await enrolment.enrol(aad, MULTI_RUN)
        mine = await enrolment_id(session_factory, aad)
        await evaluation.answer(aad, mine, EvaluationPhase.BEFORE, SurveyAnswers(now=Ratings({1: rating})))
    clock.set(LAST_END)
    mine = await enrolment_id(session_factory, ALEX)
    given = SurveyAnswers(now=Ratings({1: 4}), then=Ratings({1: 1}), change="More on contact")
    await evaluation.answer(ALEX, mine, EvaluationPhase.AFTER, given)


async def test_export_gives_the_person_their_own_answers_only(enrolment, evaluation, session_factory, clock) -> None:
    await _answered(enrolment, evaluation, session_factory, clock)
    async with session_factory() as session:
        section = await EvaluationData().export(session, await _subject(session_factory, ALEX))
    assert section is not None
    answers = section.data["evaluation_answers"]
    assert sorted(a["phase"] for a in answers) == ["after", "before"]
    before = next(a for a in answers if a["phase"] == "before")
    assert before["ratings"] == [{"outcome": "understand permanence", "item": "now", "rating": 2}]  # not Isaiah's 4
    assert next(a for a in answers if a["phase"] == "after")["what_should_change"] == "More on contact"


async def test_erasure_deletes_the_persons_answers_and_links(enrolment, evaluation, session_factory, clock) -> None:
    await _answered(enrolment, evaluation, session_factory, clock)
    await evaluation.issue_export_link(TRAINER_AAD, MULTI_RUN)
    alex, trainer = await _subject(session_factory, ALEX), await _subject(session_factory, TRAINER_AAD)
    async with session_factory.begin() as session:
        erasure = Erasure(alex, frozenset({ALEX}), "aad-erased-1", clock.now(), timedelta(days=365))
        done = await EvaluationData().erase(session, erasure)
        await EvaluationData().erase(session, Erasure(trainer, frozenset(), "aad-erased-2", clock.now(), timedelta()))
    assert done == {"evaluation answers deleted": 2}
    async with session_factory() as session:
        assert len((await session.scalars(select(EvaluationResponse))).all()) == 1  # Isaiah's "before"
        assert (await session.scalars(select(EvaluationExportLink))).all() == []
        assert await EvaluationData().export(session, alex) is None


async def test_a_year_after_the_run_the_key_goes_and_the_answers_are_anonymous(
    enrolment, evaluation, session_factory, clock
) -> None:
    await _answered(enrolment, evaluation, session_factory, clock)
    async with session_factory.begin() as session:
        kept = await EvaluationData().purge(session, LAST_END + timedelta(days=300), RETENTION)
    assert kept[EVALUATION_KEYS] == 0
    async with session_factory.begin() as session:
        purged = await EvaluationData().purge(session, LAST_END + timedelta(days=366), RETENTION)
    assert purged[EVALUATION_KEYS] == 1
    alex = await _subject(session_factory, ALEX)
    async with session_factory() as session:
        assert await EvaluationData().export(session, alex) is None
        assert len((await session.scalars(select(EvaluationResponse))).all()) == 3  # kept, as statistics
    clock.set(LAST_END + timedelta(days=366))
    report = await evaluation.report(TRAINER_AAD, MULTI_RUN)
    assert report.outcomes[0].pre_post.n == 1  # type: ignore[union-attr]


async def test_after_forget_me_no_outbox_row_holds_what_the_person_wrote(session_factory, clock, enrolment) -> None:
    """The report card to the trainers and coordinators is stored in the outbox (and kept there once sent); what
    people wrote is read live by ``evaluation RUN``, never put in that row, so ``forget me`` leaves none of it."""
    services = build_services(default_settings(), session_factory, clock)
    five = list(PEOPLE)[:5]
    wrote = {aad: f"Fewer role plays on day {n}, please" for n, aad in enumerate(five, start=1)}  # nobody named
    for aad in five:
        await enrolment.enrol(aad, MULTI_RUN)
        mine = await enrolment_id(session_factory, aad)
        await services.evaluation.answer(aad, mine, EvaluationPhase.BEFORE, SurveyAnswers(now=Ratings({1: 2})))
    clock.set(LAST_END)
    for aad in five:
        mine = await enrolment_id(session_factory, aad)
        given = SurveyAnswers(now=Ratings({1: 4}), then=Ratings({1: 1}), change=wrote[aad])
        await services.evaluation.answer(aad, mine, EvaluationPhase.AFTER, given)
    clock.set(LAST_END + services.evaluation.timing.after_open + timedelta(minutes=15))
    async with session_factory.begin() as session:
        await services.evaluation.reports_job()(session)
    assert await outbox(session_factory, REPORT)  # the report card is queued, with the satisfaction counts

    await services.privacy.forget(PrivacyActor(ALEX, PEOPLE[ALEX], "a:alex"), ALEX)

    async with session_factory() as session:
        payloads = [str(p) for p in (await session.scalars(select(OutboxNotification.payload))).all()]
    assert not [p for p in payloads if wrote[ALEX] in p]
    assert await rows_mentioning(session_factory, {wrote[ALEX]}) == {}
