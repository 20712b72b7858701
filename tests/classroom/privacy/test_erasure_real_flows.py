"""An erasure after the real flows, not seeded rows: an enquiry with the coordinators' card, a reply and an answer,
a booking with a clash and the trainer's review card, a named poll answer, a calendar link and ``my data``'s own
download link. Afterwards no table holds Alex's id, name, email or words (the cards to coordinators and trainers
went with them), while Bea, who did the same, keeps everything: words they both used ("Social worker") are no trace
of either."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.assembly import build_services
from classroom.enquiries.actions import Actor as EnquiryActor
from classroom.enquiries.fields import EnquiryDraft
from classroom.enrolment.enrolments import Clash
from classroom.people import ensure_person
from classroom.polls.polls import Voter
from classroom.privacy.audit import Actor
from dialogs.services import Services
from storage.models import EnquiryKind, Role
from tests.classroom.enrolment.conftest import FIRST_DAY
from tests.classroom.privacy.test_erasure import rows_mentioning
from tests.support.bot_harness import default_settings
from tests.support.enrolment import BHCC, COORDINATOR_AAD, MULTI, MULTI_RUN, add_person, load_world, world
from tests.support.polls import GROUP_CHAT, ZOE, chat_info, draft


@dataclass(frozen=True)
class Participant:
    aad: str
    name: str
    email: str
    message: str
    answer: str
    reason: str

    @property
    def markers(self) -> set[str]:
        return {self.aad, self.name, self.email, self.message, self.answer, self.reason}


ALEX = Participant(
    "aad-alex-real",
    "Alexander Pemberton-Fox",
    "alexander.pf@brighton-hove.example.gov.uk",
    "Could our duty team of six do PERMX online in March, please?",
    "Alexander again: the week of 8 March suits the whole team",
    "Alexander: final hearing at the family court that day",
)
BEA = Participant(
    "aad-bea-real",
    "Beatrice Longbottom-Hale",
    "beatrice.lh@brighton-hove.example.gov.uk",
    "Is there a recording for anyone who misses a session?",
    "Beatrice here: thank you, that helps",
    "Beatrice: a child protection conference I must chair",
)


async def _everything(services: Services, who: Participant) -> None:
    submitted = await services.enquiries.submit(
        EnquiryDraft(
            kind=EnquiryKind.QUESTION,
            course_codes=[MULTI],
            name=who.name,
            email=who.email,
            organisation=BHCC,
            role="Social worker",
            message=who.message,
        ),
        enquirer=who.aad,
        idempotency_key=f"enquiry-{who.aad}",
    )
    await services.enquiries.reply(
        submitted.id, EnquiryActor(COORDINATOR_AAD, "Adele Vance"), "Yes: which weeks?", idempotency_key=None
    )
    await services.enquiries.enquirer_writes(
        submitted.reference, EnquiryActor(who.aad, who.name), who.answer, idempotency_key=None
    )
    await services.enrolment.enrol(who.aad, MULTI_RUN, clash=Clash((2,), who.reason))
    await services.enrolment.issue_calendar_link(who.aad, MULTI_RUN)
    poll = await services.polls.poll((await services.polls.launch(GROUP_CHAT, draft(), by=ZOE)).id)
    await services.polls.vote(poll.id, poll.options[0].id, Voter(who.aad, who.name))
    await services.privacy.export_link(Actor(who.aad, who.name, f"a:{who.aad}"))


@pytest.fixture
async def services(session_factory, clock) -> Services:
    await load_world(session_factory, world(FIRST_DAY))
    await add_person(session_factory, "aad-admin-patti", "Patti Fernandez", roles=[Role.ADMIN])
    services = build_services(default_settings(), session_factory, clock)
    await services.polls.link(chat_info(), MULTI_RUN, by=ZOE)
    for who in (ALEX, BEA):
        async with session_factory.begin() as session:
            await ensure_person(session, who.aad, who.name, who.email)
        await add_person(session_factory, who.aad, who.name, BHCC)
        await _everything(services, who)
    return services


async def test_after_the_real_flows_nothing_of_alex_is_left_and_bea_keeps_hers(services, session_factory) -> None:
    seen = await rows_mentioning(session_factory, ALEX.markers)
    assert {"people", "enquiries", "enquiry_events", "enrolments", "outbox", "poll_votes"} <= set(seen)
    bea_before = await rows_mentioning(session_factory, BEA.markers)

    await services.privacy.forget(Actor(ALEX.aad, ALEX.name, "a:alex"), ALEX.aad)

    assert await rows_mentioning(session_factory, ALEX.markers) == {}
    assert await rows_mentioning(session_factory, BEA.markers) == bea_before
    roster = (await services.enrolment.rosters(COORDINATOR_AAD, MULTI_RUN))[0]
    assert "Erased person" in repr(roster) and ALEX.name not in repr(roster)
