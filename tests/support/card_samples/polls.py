"""Cards of polls: a new poll, live results, a voter's own view, an anonymous poll whose answers can't be changed,
the final results, and the longest poll the bounds allow (ten options of 120 two-byte characters)."""

from __future__ import annotations

from datetime import datetime, timedelta

from classroom.conversations import ConversationInfo
from classroom.people import assign_roles
from classroom.polls.kinds import OPTION_MAX, QUESTION_MAX, PollDraft, PollSettings, SingleChoice
from classroom.polls.polls import Voter
from classroom.polls.service import PollService
from dialogs.polls import replies
from dialogs.polls.cards.poll import build_poll_card
from storage.models import Role
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
    return [
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
