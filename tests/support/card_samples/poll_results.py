"""Cards of poll results after the session: one poll's results (with its download button, and with the link the
presser alone sees), a run's polls, a run with none, and a run listing as long as it gets (the newest 20 polls of
ten 120-character options each)."""

from __future__ import annotations

from datetime import timedelta

from classroom.conversations import ConversationInfo
from classroom.people import assign_roles
from classroom.polls.kinds import OPTION_MAX, QUESTION_MAX, PollDraft, PollSettings, SingleChoice
from classroom.polls.polls import Voter
from classroom.polls.service import PollService
from dialogs.polls.cards.results import Download, build_poll_results_card, build_run_polls_card
from storage.models import Role
from tests.support.card_samples import CardSample, SampleContext

ONE = build_poll_results_card.__name__
RUN = build_run_polls_card.__name__
ADELE = Voter("sample-results-adele", "Adele Vance")
CHAT = "19:sample-results@thread.v2"
URL = "https://classroom.example.org/exports/polls/0123456789abcdefghijklmnopqrstuvwxyzABCDEFG.csv"


class _Clock:
    def __init__(self, context: SampleContext) -> None:
        self.moment = context.now

    def now(self):  # type: ignore[no-untyped-def]
        return self.moment


def _chat() -> ConversationInfo:
    reference = {"conversation": {"id": CHAT}, "serviceUrl": "https://smba.example/", "channelId": "msteams"}
    return ConversationInfo(CHAT, "groupChat", "https://smba.example/", reference)


async def samples(context: SampleContext) -> list[CardSample]:
    async with context.session_factory.begin() as session:
        await assign_roles(session, ADELE.aad_object_id, [Role.COORDINATOR], ADELE.name)
    clock = _Clock(context)
    polls = PollService(context.session_factory, clock)
    zone = context.zone
    empty = await polls.run_polls("PERMPLAN-1", by=ADELE.aad_object_id)
    await polls.link(_chat(), "PERM4-A", by=ADELE)
    poll = await polls.launch(
        CHAT, PollDraft("Which principle comes first?", SingleChoice(("Presume capacity", "Best interests"))), by=ADELE
    )
    for n, option in enumerate((0, 0, 1)):
        await polls.vote(poll.id, poll.options[option].id, Voter(f"sample-results-{n}", f"Voter {n}"))
    clock.moment += timedelta(minutes=3)
    closed = (await polls.close(poll.id, by=ADELE)).view
    anonymous = await polls.launch(
        CHAT, PollDraft("How sure are you?", SingleChoice(("Very", "Not yet")), PollSettings(anonymous=True)), by=ADELE
    )
    await polls.vote(anonymous.id, anonymous.options[0].id, Voter("sample-results-0", "Voter 0"))
    listing = await polls.run_polls("PERM4-A", by=ADELE.aad_object_id)
    for n in range(20):
        longest = await polls.launch(
            CHAT,
            PollDraft("é" * QUESTION_MAX, SingleChoice(tuple(f"{m}" + "ü" * (OPTION_MAX - 1) for m in range(10)))),
            by=ADELE,
        )
        await polls.vote(longest.id, longest.options[n % 10].id, Voter("sample-results-0", "Voter 0"))
    full = await polls.run_polls("PERM4-A", by=ADELE.aad_object_id)
    download = Download(URL, clock.moment + timedelta(hours=1))
    return [
        CardSample("poll_results/closed", ONE, build_poll_results_card(closed, zone)),
        CardSample("poll_results/with_link", ONE, build_poll_results_card(closed, zone, download=download)),
        CardSample("poll_results/run", RUN, build_run_polls_card(listing, zone)),
        CardSample("poll_results/run_with_link", RUN, build_run_polls_card(listing, zone, download=download)),
        CardSample("poll_results/run_without_polls", RUN, build_run_polls_card(empty, zone)),
        CardSample("poll_results/run_longest", RUN, build_run_polls_card(full, zone)),
    ]
