"""Every kind of poll in the domain: what it asks, which answers it takes (each value checked against the poll),
how it counts them, and each answer as plain text (``answer_text``, what the export reads)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from classroom.errors import InvalidInput
from classroom.polls.ballots import AnswerRefused, Choice, Picks, Ratings, Score, Words, answer_text
from classroom.polls.errors import AnswerLocked, NotAnOption
from classroom.polls.kinds import Confidence, MultipleChoice, OpenText, PollDraft, PollSettings, Quiz, Rating
from classroom.polls.notices import CARD
from classroom.polls.polls import Voter
from classroom.polls.views import Audience
from storage.models import CourseRun, LearningOutcome, Poll, PollVote, PollVotePick
from tests.support.enrolment import outbox
from tests.support.polls import ADELE, GROUP_CHAT, MULTI_RUN, ZOE, chat_info

VOTERS = [Voter(f"aad-kind-voter-{n}", f"Voter {n}") for n in range(4)]


@pytest.fixture
async def linked(polls):
    await polls.link(chat_info(), MULTI_RUN, by=ZOE)
    return polls


async def launch(polls, spec, settings: PollSettings | None = None, question: str = "Which?"):  # type: ignore[no-untyped-def]
    return await polls.launch(GROUP_CHAT, PollDraft(question, spec, settings or PollSettings()), by=ZOE)


async def stored_answers(session_factory, poll_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    async with session_factory() as session:
        poll = await session.get(Poll, poll_id)
        votes = (await session.scalars(select(PollVote).where(PollVote.poll_id == poll_id).order_by(PollVote.id))).all()
        return [answer_text(poll, vote) for vote in votes]


async def test_multiple_choice_counts_each_pick_and_refuses_more_than_the_maximum(linked, session_factory) -> None:
    poll = await launch(linked, MultipleChoice(("Capacity", "Support", "Best interests"), 2))
    a, b, c = (o.id for o in poll.options)
    first = await linked.answer(poll.id, Picks(frozenset({a, c})), VOTERS[0])
    assert first.chosen == "Capacity; Best interests"
    await linked.answer(poll.id, Picks(frozenset({c})), VOTERS[1])
    await linked.vote(poll.id, b, VOTERS[2])  # one pick, by a button
    with pytest.raises(AnswerRefused, match="pick at most 2 answers; you picked 3"):
        await linked.answer(poll.id, Picks(frozenset({a, b, c})), VOTERS[3])
    with pytest.raises(AnswerRefused, match="pick at least one"):
        await linked.answer(poll.id, Picks(frozenset()), VOTERS[3])
    with pytest.raises(NotAnOption):
        await linked.answer(poll.id, Picks(frozenset({a, 2**31 - 1})), VOTERS[3])
    changed = await linked.answer(poll.id, Picks(frozenset({a, b})), VOTERS[0])
    assert changed.changed and changed.chosen == "Capacity; Support"
    view = changed.view
    assert ([o.votes for o in view.options], view.voters) == ([1, 2, 1], 3)
    assert view.percent(view.options[1]) == 67  # a share of the voters: shares add up to more than 100
    assert await stored_answers(session_factory, poll.id) == ["Capacity; Support", "Best interests", "Support"]
    async with session_factory() as session:  # the old picks went with the change
        assert await session.scalar(select(func.count()).select_from(PollVotePick)) == 4


@pytest.mark.parametrize("max_picks", [0, 4])
async def test_a_multiple_choice_maximum_outside_the_options_is_refused(linked, max_picks) -> None:
    with pytest.raises(InvalidInput, match="between 1 and 3"):
        await launch(linked, MultipleChoice(("a", "b", "c"), max_picks))


async def test_rating_takes_1_to_5_only_and_shows_the_average(linked, session_factory) -> None:
    poll = await launch(linked, Rating("Not useful", "Very useful"), question="How useful?")
    assert ([o.text for o in poll.options], poll.low_label, poll.high_label) == (
        ["1", "2", "3", "4", "5"],
        "Not useful",
        "Very useful",
    )
    for voter, score in zip(VOTERS, (4, 5, 2), strict=False):
        outcome = await linked.answer(poll.id, Score(score), voter)
    assert outcome.chosen == "2 of 5" and outcome.view.mean_rating == pytest.approx(11 / 3)
    for bad in (0, 6, -1, True):
        with pytest.raises(AnswerRefused, match="from 1 to 5"):
            await linked.answer(poll.id, Score(bad), VOTERS[3])
    assert await stored_answers(session_factory, poll.id) == ["4 of 5", "5 of 5", "2 of 5"]


@pytest.mark.parametrize(("low", "high", "says"), [("", "Very", "label for 1 and for 5"), ("x" * 61, "y", "60")])
async def test_rating_labels_are_bounded(linked, low, high, says) -> None:
    with pytest.raises(InvalidInput, match=says):
        await launch(linked, Rating(low, high))


async def test_open_text_is_bounded_and_shows_frequent_words_to_all_and_answers_to_the_trainer(
    linked, session_factory
) -> None:
    poll = await launch(linked, OpenText(), PollSettings(anonymous=True), question="What will you do differently?")
    for bad, says in (("  \u200b ", "the answer is empty"), ("x" * 281, "at most 280 characters; yours has 281")):
        with pytest.raises(AnswerRefused, match=says):
            await linked.answer(poll.id, Words(bad), VOTERS[0])
    said = ("Listen to the child's voice", "The child's voice, and   stability", "x" * 280)
    for voter, words in zip(VOTERS, said, strict=False):
        outcome = await linked.answer(poll.id, Words(words), voter)
    shared = outcome.view
    assert [(w.word, w.answers) for w in shared.words][:2] == [("child", 2), ("voice", 2)]
    assert "the" not in {w.word for w in shared.words} and shared.answers == []  # stop words out; no answers
    closed = await linked.close(poll.id, by=ZOE)
    assert closed.runners_view.answers == ["x" * 280, "The child's voice, and stability", "Listen to the child's voice"]
    assert closed.view.answers == [] and closed.runners_view.audience is Audience.RUNNER
    [launchers] = [r for r in await outbox(session_factory, "polls.results", status=None)]
    assert launchers.recipient_aad_object_id == ZOE.aad_object_id and len(launchers.payload["poll"]["answers"]) == 3
    [chat_card] = await outbox(session_factory, CARD, status=None)
    assert chat_card.payload["poll"]["answers"] == []


async def test_confidence_asks_about_each_learning_outcome_of_the_course(linked, session_factory) -> None:
    async with session_factory.begin() as session:
        run = await session.scalar(select(CourseRun).where(CourseRun.code == MULTI_RUN))
        session.add(LearningOutcome(course_id=run.course_id, position=2, text="plan for   permanence " + "é" * 300))
    poll = await launch(linked, Confidence(), question="How confident are you now?")
    async with session_factory() as session:
        outcomes = await session.scalars(
            select(LearningOutcome.text).where(LearningOutcome.course_id == run.course_id).order_by("position")
        )
        expected = [" ".join(text.split()) for text in outcomes.all()]
    assert [o.text for o in poll.options] == expected and len(expected) == 2  # the catalogue's, in its order
    ids = [o.id for o in poll.options]
    every = {option_id: 4 for option_id in ids}
    first = await linked.answer(poll.id, Ratings(every), VOTERS[0])
    assert first.chosen == "; ".join(f"{o.text}: 4" for o in poll.options)
    second = await linked.answer(poll.id, Ratings({**every, ids[0]: 1}), VOTERS[1])
    assert second.view.options[0].mean == pytest.approx(2.5) and second.view.options[0].ratings == [1, 0, 0, 1, 0]
    assert second.view.options[1].mean == pytest.approx(4.0) and second.view.voters == 2
    refusals = [
        ({option_id: 3 for option_id in ids[:-1]}, AnswerRefused, "rate every learning outcome"),
        ({**every, ids[0]: 6}, AnswerRefused, "from 1 to 5"),
        ({**every, 2**31 - 1: 3}, NotAnOption, "not one of this poll's options"),
    ]
    for ratings, error, says in refusals:
        with pytest.raises(error, match=says):
            await linked.answer(poll.id, Ratings(ratings), VOTERS[2])


async def test_confidence_needs_a_course_with_learning_outcomes(linked, session_factory) -> None:
    async with session_factory.begin() as session:
        await session.execute(LearningOutcome.__table__.delete())
    with pytest.raises(InvalidInput, match="lists no learning outcomes"):
        await launch(linked, Confidence())


async def test_a_quizs_right_answer_stays_hidden_until_it_closes(linked, session_factory) -> None:
    poll = await launch(linked, Quiz(("The decision maker", "A judge", "The family"), 0))
    assert all(not o.correct for o in poll.options)
    for voter, option in zip(VOTERS, (0, 0, 2), strict=False):
        outcome = await linked.vote(poll.id, poll.options[option].id, voter)
    assert all(not o.correct for o in outcome.view.options)
    [row] = await outbox(session_factory, CARD, status=None)
    assert all(not o["correct"] for o in row.payload["poll"]["options"])  # not even in the queued card
    final = (await linked.close(poll.id, by=ADELE)).view
    assert final.correct_option is not None and final.correct_option.text == "The decision maker"
    assert final.percent(final.correct_option) == 67


@pytest.mark.parametrize("correct", [-1, 3])
async def test_a_quiz_needs_one_of_its_options_as_the_right_answer(linked, correct) -> None:
    with pytest.raises(InvalidInput, match="right answer"):
        await launch(linked, Quiz(("a", "b", "c"), correct))


async def test_an_answer_of_the_wrong_shape_for_the_kind_is_refused(linked) -> None:
    single = await linked.launch(
        GROUP_CHAT, PollDraft("Which?", MultipleChoice(("a", "b"), 1)), by=ZOE
    )  # any kind: a shape it does not take
    text = await launch(linked, OpenText(), question="Why?")
    for poll_id, ballot in ((single.id, Words("a")), (text.id, Choice(text.id)), (single.id, Score(3))):
        with pytest.raises(AnswerRefused, match="does not fit this poll"):
            await linked.answer(poll_id, ballot, VOTERS[0])


async def test_a_locked_answer_of_any_kind_is_refused_with_what_was_answered(linked) -> None:
    poll = await launch(linked, OpenText(), PollSettings(changeable=False), question="Why?")
    await linked.answer(poll.id, Words("Because"), VOTERS[0])
    assert (await linked.answer(poll.id, Words("Because"), VOTERS[0])).counted is False
    with pytest.raises(AnswerLocked) as locked:
        await linked.answer(poll.id, Words("Changed my mind"), VOTERS[0])
    assert locked.value.chosen == "Because"


async def test_the_launchers_list_of_answers_is_the_latest_within_its_bounds(linked) -> None:
    from classroom.polls.views import ANSWERS_CHARACTERS

    poll = await launch(linked, OpenText(), question="What stayed with you?")
    for n in range(12):
        await linked.answer(poll.id, Words(f"{n:02} " + "y" * 277), Voter(f"aad-many-{n}", f"Many {n}"))
    runners = (await linked.close(poll.id, by=ZOE)).runners_view
    shown = ANSWERS_CHARACTERS // 280
    assert runners.answers_total == 12 and len(runners.answers) == shown
    assert [answer[:2] for answer in runners.answers] == [f"{n:02}" for n in range(11, 11 - shown, -1)]
