"""Cards of polls: a new poll, live results, a voter's own view, an anonymous poll whose answers can't be changed,
the final results, and the longest poll the bounds allow (ten options of 120 two-byte characters); each kind live
and closed (multiple choice, rating, open text with the launcher's copy, confidence, quiz), results hidden until
the poll closes (and the launcher's copy), a poll closed by its timer, and a refused answer."""

from __future__ import annotations

from datetime import datetime, timedelta

from classroom.conversations import ConversationInfo
from classroom.people import assign_roles
from classroom.polls.ballots import Picks, Ratings, Score, Words
from classroom.polls.kinds import (
    OPTION_MAX,
    QUESTION_MAX,
    Confidence,
    MultipleChoice,
    OpenText,
    PollDraft,
    PollSettings,
    Quiz,
    Rating,
    SingleChoice,
)
from classroom.polls.polls import Voter
from classroom.polls.service import PollService
from dialogs.polls import compose, replies
from dialogs.polls.cards.compose import build_poll_compose_card
from dialogs.polls.cards.poll import build_poll_card
from dialogs.polls.cards.prepared import build_prepared_polls_card
from storage.models import PollResults, Role
from tests.support.card_samples import CardSample, SampleContext

POLL = build_poll_card.__name__
ADELE = Voter("sample-poll-adele", "Adele Vance")
CHAT = "19:sample-session@thread.v2"


class _Clock:
    def __init__(self, now: datetime) -> None:
        self.moment = now

    def now(self) -> datetime:
        return self.moment


def _chat() -> ConversationInfo:
    reference = {"conversation": {"id": CHAT}, "serviceUrl": "https://smba.example/", "channelId": "msteams"}
    return ConversationInfo(CHAT, "groupChat", "https://smba.example/", reference)


async def samples(context: SampleContext) -> list[CardSample]:
    async with context.session_factory.begin() as session:
        await assign_roles(session, ADELE.aad_object_id, [Role.COORDINATOR], ADELE.name)
    clock = _Clock(context.now)
    polls = PollService(context.session_factory, clock)
    await polls.link(_chat(), "PERM4-A", by=ADELE)
    zone = context.zone
    named = await polls.launch(
        CHAT,
        PollDraft(
            "Which principle comes first?",
            SingleChoice(("Presume capacity", "Support to decide", "Best interests")),
        ),
        by=ADELE,
    )
    voters = [Voter(f"sample-voter-{n}", f"Voter {n}") for n in range(3)]
    for voter, option in zip(voters, (0, 0, 2), strict=True):
        outcome = await polls.vote(named.id, named.options[option].id, voter)
    live = outcome.view

    anonymous = await polls.launch(
        CHAT,
        PollDraft(
            "How confident are you now? [link](https://evil.example)",
            SingleChoice(("Very", "A bit", "Not yet")),
            PollSettings(anonymous=True, changeable=False),
        ),
        by=ADELE,
    )
    await polls.vote(anonymous.id, anonymous.options[1].id, voters[0])
    locked = await polls.vote(anonymous.id, anonymous.options[1].id, voters[0])

    clock.moment += timedelta(minutes=4)
    final = (await polls.close(named.id, by=ADELE)).view

    longest = await polls.launch(
        CHAT,
        PollDraft("é" * QUESTION_MAX, SingleChoice(tuple(f"{n}" + "ü" * (OPTION_MAX - 1) for n in range(10)))),
        by=ADELE,
    )
    for n, voter in enumerate(voters):
        await polls.vote(longest.id, longest.options[n].id, voter)
    longest_view = (await polls.vote(longest.id, longest.options[9].id, Voter("sample-voter-9", "V"))).view
    kinds = await _kind_samples(polls, clock, voters, zone)
    return [
        *kinds,
        *_compose_samples(),
        *await _prepared_samples(polls, zone),
        CardSample("poll/new", POLL, build_poll_card(named, zone)),
        CardSample("poll/live", POLL, build_poll_card(live, zone)),
        CardSample("poll/my_answer", POLL, build_poll_card(live, zone, chosen="Presume capacity")),
        CardSample(
            "poll/anonymous_locked",
            POLL,
            build_poll_card(locked.view, zone, chosen=locked.chosen, notice=replies.LOCKED),
        ),
        CardSample("poll/final", POLL, build_poll_card(final, zone)),
        CardSample("poll/refused_after_close", POLL, build_poll_card(final, zone, notice=replies.CLOSED)),
        CardSample("poll/longest", POLL, build_poll_card(longest_view, zone, chosen=longest_view.options[9].text)),
    ]


async def _kind_samples(polls: PollService, clock: _Clock, voters: list[Voter], zone) -> list[CardSample]:  # type: ignore[no-untyped-def]
    samples: list[CardSample] = []

    async def launch(question: str, spec, settings: PollSettings | None = None):  # type: ignore[no-untyped-def]
        return await polls.launch(CHAT, PollDraft(question, spec, settings or PollSettings()), by=ADELE)

    async def close(poll_id: int):  # type: ignore[no-untyped-def]
        return await polls.close(poll_id, by=ADELE)

    multiple = await launch(
        "Which principles did you use this week?", MultipleChoice(("Capacity", "Support", "Best interests"), 2)
    )
    samples.append(CardSample("poll/multiple_new", POLL, build_poll_card(multiple, zone)))
    for voter, picks in zip(voters, ((0, 1), (1,), (1, 2)), strict=True):
        mine = await polls.answer(multiple.id, Picks(frozenset(multiple.options[n].id for n in picks)), voter)
    samples.append(CardSample("poll/multiple_my_answer", POLL, build_poll_card(mine.view, zone, chosen=mine.chosen)))
    samples.append(CardSample("poll/multiple_final", POLL, build_poll_card((await close(multiple.id)).view, zone)))

    rating = await launch("How useful was this morning?", Rating("Not useful", "Very useful"))
    for voter, score in zip(voters, (4, 5, 2), strict=True):
        rated = await polls.answer(rating.id, Score(score), voter)
    samples.append(CardSample("poll/rating_live", POLL, build_poll_card(rated.view, zone, chosen=rated.chosen)))
    samples.append(CardSample("poll/rating_final", POLL, build_poll_card((await close(rating.id)).view, zone)))

    words = await launch("What will you do differently?", OpenText(), PollSettings(anonymous=True))
    answers = (
        "Listen to the child's voice first",
        "Record the child's wishes [here](https://evil.example)",
        "Plan early",
    )
    for voter, answer in zip(voters, answers, strict=True):
        said = await polls.answer(words.id, Words(answer), voter)
    samples.append(CardSample("poll/text_live", POLL, build_poll_card(said.view, zone, chosen=said.chosen)))
    text_closed = await close(words.id)
    samples.append(
        CardSample("poll/text_final_launcher", POLL, build_poll_card(text_closed.runners_view, zone, for_launcher=True))
    )
    samples.append(CardSample("poll/text_final", POLL, build_poll_card(text_closed.view, zone)))

    crowded = await launch("What stayed with you?", OpenText())
    for n in range(45):  # more answers than the launcher's card lists, each as long as allowed
        await polls.answer(crowded.id, Words(f"{n} " + "ŵ" * 270), Voter(f"sample-crowd-{n}", f"Crowd {n}"))
    crowded_view = (await close(crowded.id)).runners_view
    samples.append(CardSample("poll/text_most_answers", POLL, build_poll_card(crowded_view, zone, for_launcher=True)))

    confidence = await launch("How confident are you now?", Confidence())
    samples.append(CardSample("poll/confidence_new", POLL, build_poll_card(confidence, zone)))
    for n, voter in enumerate(voters):
        ratings = {option.id: (n + position) % 5 + 1 for position, option in enumerate(confidence.options)}
        confident = await polls.answer(confidence.id, Ratings(ratings), voter)
    samples.append(CardSample("poll/confidence_live", POLL, build_poll_card(confident.view, zone)))
    samples.append(CardSample("poll/confidence_final", POLL, build_poll_card((await close(confidence.id)).view, zone)))

    quiz = await launch(
        "Who decides when someone lacks capacity?", Quiz(("The decision maker", "A judge", "The family"), 0)
    )
    for voter, option in zip(voters, (0, 0, 2), strict=True):
        guessed = await polls.vote(quiz.id, quiz.options[option].id, voter)
    samples.append(CardSample("poll/quiz_live", POLL, build_poll_card(guessed.view, zone)))
    samples.append(CardSample("poll/quiz_final", POLL, build_poll_card((await close(quiz.id)).view, zone)))

    hidden = await launch(
        "Which session helped most?",
        SingleChoice(("One", "Two")),
        PollSettings(results=PollResults.AFTER_CLOSE, closes_after_minutes=5),
    )
    waiting = await polls.vote(hidden.id, hidden.options[0].id, voters[0])
    samples.append(
        CardSample("poll/hidden_my_answer", POLL, build_poll_card(waiting.view, zone, chosen=waiting.chosen))
    )
    clock.moment += timedelta(minutes=5)
    await polls.close_due()
    runners = (await polls.close(hidden.id, by=ADELE)).runners_view
    samples.append(CardSample("poll/closed_by_timer", POLL, build_poll_card(runners, zone)))
    private = await launch(
        "Anything worrying you?", SingleChoice(("Yes", "No")), PollSettings(results=PollResults.LAUNCHER_ONLY)
    )
    await polls.vote(private.id, private.options[1].id, voters[1])
    private_closed = await close(private.id)
    samples.append(CardSample("poll/private_final", POLL, build_poll_card(private_closed.view, zone)))
    samples.append(
        CardSample(
            "poll/private_final_launcher", POLL, build_poll_card(private_closed.runners_view, zone, for_launcher=True)
        )
    )
    refused = await launch("Pick two at most", MultipleChoice(("a", "b", "c"), 2))
    samples.append(
        CardSample(
            "poll/refused_answer",
            POLL,
            build_poll_card(refused, zone, notice=replies.refused_answer("pick at most 2 answers; you picked 3")),
        )
    )
    return samples


def _compose_samples() -> list[CardSample]:
    name = build_poll_compose_card.__name__
    quiz = {
        compose.QUESTION: "Who decides when someone lacks capacity? [link](https://evil.example)",
        compose.KIND: "quiz",
        compose.OPTIONS: "*The decision maker\nA judge\nThe family",
        compose.MINUTES: "5",
        compose.ANONYMOUS: "true",
    }
    previewed = compose.compose(quiz)
    broken = compose.compose({**quiz, compose.OPTIONS: "Only one", compose.MINUTES: "soon"})
    assert previewed.draft is not None and broken.error is not None
    return [
        CardSample("poll/compose_new", name, build_poll_compose_card()),
        CardSample("poll/compose_preview", name, build_poll_compose_card(previewed.values, preview=previewed.draft)),
        CardSample("poll/compose_refused", name, build_poll_compose_card(broken.values, error=broken.error)),
        CardSample("poll/compose_posted", name, build_poll_compose_card(posted=previewed.draft)),
        CardSample("poll/compose_prepare", name, build_poll_compose_card(preparing=True)),
        CardSample(
            "poll/compose_prepare_preview",
            name,
            build_poll_compose_card(
                {**previewed.values, compose.RUN: "PERM4-A"}, preview=previewed.draft, preparing=True
            ),
        ),
        CardSample("poll/compose_saved", name, build_poll_compose_card(posted=previewed.draft, saved_for="PERM4-A")),
    ]


async def _prepared_samples(polls: PollService, zone) -> list[CardSample]:  # type: ignore[no-untyped-def]
    name = build_prepared_polls_card.__name__
    for question in ("How confident are you now? [link](https://evil.example)", "é" * QUESTION_MAX):
        await polls.prepare("PERM4-A", PollDraft(question, Quiz(("Yes", "No"), 0)), by=ADELE)
    listed = await polls.prepared_here(CHAT, by=ADELE.aad_object_id)
    return [
        CardSample("poll/prepared", name, build_prepared_polls_card(listed, "PERM4-A", zone)),
        CardSample("poll/prepared_none", name, build_prepared_polls_card([], "PERM4-A", zone)),
    ]
