"""The role matrix: every command in the feature registry, typed by each kind of person, is allowed or refused as
this table says, and shows another participant's data (Bea's name, her clash reason, her enquiry) only to those
entitled to it. A command without an entry here fails the test, so a new command states who may use it.

Kinds of person: a participant (booked on the run), a participant of another organisation, the run's trainer, a
trainer of another run, a coordinator, an admin (the admin role alone), someone the bot has never met, and someone
without an Entra object id (a guest, or an activity without one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from botbuilder.schema import Activity
from sqlalchemy import select

from bot.features import FEATURES
from classroom.admin.service import AdminService
from classroom.certificates.issuing import issue_certificates
from classroom.enrolment.enrolments import Clash
from classroom.enrolment.service import EnrolmentService
from dialogs.registry import FeatureRegistry
from storage.models import Certificate, CourseRun, Enquiry, EnquiryKind, Person, Role
from tests.classroom.enrolment.conftest import FIRST_DAY
from tests.support.bot_harness import Conversation, default_settings
from tests.support.enrolment import (
    BHCC,
    COORDINATOR_AAD,
    MULTI,
    MULTI_RUN,
    ONE_DAY_RUN,
    OTHER_TRAINER_AAD,
    SOUTHCOAST,
    TRAINER_AAD,
    add_person,
    load_world,
    weekly_session,
    world,
)
from tests.support.members import teams_member
from tests.support.privacy import SEAL_KEY

BEA_AAD, BEA_NAME = "aad-bea", "Beatrix Quillfeather"
BEA_SECRETS = (BEA_NAME, "Bea's court date", "Bea's question about spring")
BEA_ENQUIRY = "ENQ-2026-0077"

PERSONAS: dict[str, tuple[str | None, str]] = {
    "participant": ("aad-alex", "Alex Wilber"),
    "other_org": ("aad-lynne", "Lynne Robbins"),
    "trainer_of_run": (TRAINER_AAD, "Zoe Rosenfield"),
    "trainer_other_run": (OTHER_TRAINER_AAD, "Megan Bowen"),
    "coordinator": (COORDINATOR_AAD, "Adele Vance"),
    "admin": ("aad-patti", "Patti Fernandez"),
    "unknown": ("aad-never-met", "Nobody Known"),
    "no_entra_id": (None, "Guest"),
}
ALL = frozenset(PERSONAS)
SIGNED_IN = ALL - {"no_entra_id"}
OVERSEERS = frozenset({"coordinator", "admin"})
TRAINERS = frozenset({"trainer_of_run", "trainer_other_run"})
NOBODY: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Case:
    typed: str  # what is typed (group chat commands are typed in a group chat)
    allowed: frozenset[str]  # who is not refused
    sees_bea: frozenset[str] = NOBODY  # who is shown Bea's data
    group: bool = False  # typed in a group chat, linked to the run by a coordinator first


COMMANDS: dict[str, Case] = {
    "courses": Case("courses", ALL),
    "course": Case(f"course {MULTI}", ALL),
    "find": Case("find permanence", ALL),
    "outbox": Case("outbox", OVERSEERS),
    "enquire": Case("enquire", SIGNED_IN),  # a guest is told at once: the enquiry could never be sent
    "my enquiries": Case("my enquiries", SIGNED_IN),
    "enquiry": Case(f"enquiry {BEA_ENQUIRY}", frozenset({"coordinator"}), frozenset({"coordinator"})),
    "answer": Case(f"answer {BEA_ENQUIRY} hello", NOBODY),  # Bea's own: nobody else writes into it
    "enquiries": Case("enquiries", frozenset({"coordinator"}), frozenset({"coordinator"})),
    "coordinators": Case("coordinators", frozenset({"coordinator"})),
    "enrol": Case(f"enrol {MULTI_RUN}", SIGNED_IN),
    "my courses": Case("my courses", SIGNED_IN),
    "withdraw": Case(f"withdraw {MULTI_RUN}", SIGNED_IN),
    "offer": Case(f"offer decline {MULTI_RUN}", SIGNED_IN),
    "roster": Case(
        f"roster {MULTI_RUN}", frozenset({"trainer_of_run"}) | OVERSEERS, frozenset({"trainer_of_run"}) | OVERSEERS
    ),
    # The first allowed decides (and is told whose place it was); those after are told it was already settled.
    "clash": Case("clash accept {clash}", frozenset({"trainer_of_run"}) | OVERSEERS, frozenset({"trainer_of_run"})),
    # The command is open to admins, the decision only to coordinators (the domain decides, from stored roles).
    "organisation": Case("organisation confirm {person}", frozenset({"coordinator"})),
    "reschedule": Case(f"reschedule {MULTI_RUN} 2 20/09/2027 10:00-15:00", OVERSEERS),
    "poll": Case("poll Which first? | A | B", frozenset({"trainer_of_run"}) | OVERSEERS, group=True),
    "link": Case(f"link {ONE_DAY_RUN}", frozenset({"trainer_other_run"}) | OVERSEERS, group=True),
    "unlink": Case("unlink", frozenset({"trainer_of_run"}) | OVERSEERS, group=True),
    "vote": Case("vote 999 1", SIGNED_IN, group=True),
    "roles": Case("roles", OVERSEERS),
    "roles history": Case("roles history", OVERSEERS),
    "grant": Case("grant", frozenset({"admin"})),
    "revoke": Case("revoke", frozenset({"admin"})),
    "role change": Case(f"role change grant {BEA_AAD} coordinator", frozenset({"admin"}), frozenset({"admin"})),
    "trainers": Case(f"trainers {MULTI_RUN}", OVERSEERS),
    "link trainer": Case("link trainer", OVERSEERS),
    "unlink trainer": Case("unlink trainer", OVERSEERS),
    "my data": Case("my data", SIGNED_IN),
    "forget me": Case("forget me", SIGNED_IN),
    "forget": Case("forget", frozenset({"admin"})),
    "erasure confirm": Case(f"erasure confirm {BEA_AAD}", frozenset({"admin"})),
    "audit": Case("audit", frozenset({"admin"})),
    "polls": Case(f"polls {MULTI_RUN}", frozenset({"trainer_of_run"}) | OVERSEERS),
    "poll results": Case("poll results {poll}", frozenset({"trainer_of_run"}) | OVERSEERS),
    "poll export": Case("poll export {poll}", frozenset({"trainer_of_run"}) | OVERSEERS),
    "polls export": Case(f"polls export {MULTI_RUN}", frozenset({"trainer_of_run"}) | OVERSEERS),
    "prepared": Case("prepared", frozenset({"trainer_of_run"}) | OVERSEERS, group=True),
    "reflect": Case("reflect", frozenset({"trainer_of_run"}) | OVERSEERS, group=True),
    "reflections": Case(f"reflections {MULTI_RUN} 1", frozenset({"trainer_of_run"}) | OVERSEERS),
    # A reflection is its author's alone: nobody else opens, saves or skips Bea's, whatever their role.
    "reflection": Case("reflection open {clash} {session}", NOBODY),
    # A run's attendance and a session's register name its participants (Bea among them): the run's people only.
    "attendance": Case(
        f"attendance {MULTI_RUN} 1",
        frozenset({"trainer_of_run"}) | OVERSEERS,
        frozenset({"trainer_of_run"}) | OVERSEERS,
    ),
    "my cpd": Case("my cpd", SIGNED_IN),
    # Anyone with a certificate's code may check it: whose it is is what it answers (Bea's name, to everyone).
    "certificate": Case("certificate {certificate}", ALL, ALL),
    # The holder's own only: Bea's code typed by anyone else shows none of hers.
    "my certificates": Case("my certificates {certificate}", SIGNED_IN),
    "evaluation": Case(f"evaluation {MULTI_RUN}", frozenset({"trainer_of_run"}) | OVERSEERS),
    # A survey is its participant's alone: nobody else answers or skips Bea's, whatever their role.
    "survey": Case("survey answer {clash} before", NOBODY),
    "cpd": Case("cpd add", SIGNED_IN),
    "help": Case("help", ALL),
    "hi": Case("hi", ALL),
    "thanks": Case("thanks", ALL),
}

REFUSED = re.compile(
    r"is only for|only for someone signed in|for someone signed in to Microsoft Teams|Sorry, only|only (?:admins|"
    r"coordinators|trainers|the run's trainers)|can't (?:see|show|decide|do) th|not (?:yours|allowed)|You can only|"
    r"isn't one of yours|isn't yours|I can't find an enquiry|people signed in|signed in with your work account|"
    r"only (?:a|the) run's trainers|that you can decide",
    re.IGNORECASE,
)


def words_of(activities: list[Activity]) -> str:
    parts: list[str] = []
    for activity in activities:
        parts.append(activity.text or "")
        for attachment in activity.attachments or []:
            content: Any = attachment.content
            if isinstance(content, dict):
                parts.append(str(content.get("fallbackText", "")))
    return "\n".join(parts)


def test_every_command_has_an_entry() -> None:
    assert set(FeatureRegistry(FEATURES).commands.commands) == set(COMMANDS)


@pytest.fixture
async def world_with_bea(session_factory, clock) -> None:
    await load_world(session_factory, world(FIRST_DAY))
    await add_person(session_factory, "aad-alex", "Alex Wilber", BHCC)
    await add_person(session_factory, "aad-lynne", "Lynne Robbins", SOUTHCOAST)
    await add_person(session_factory, "aad-patti", "Patti Fernandez", roles=[Role.ADMIN])
    await add_person(session_factory, BEA_AAD, BEA_NAME, BHCC)
    await AdminService(session_factory, clock).link_trainer(
        COORDINATOR_AAD, OTHER_TRAINER_AAD, "Megan Bowen", ONE_DAY_RUN, link=True
    )
    enrolment = EnrolmentService(session_factory, clock)
    await enrolment.enrol("aad-alex", MULTI_RUN)
    async with session_factory.begin() as session:
        from storage.models import PreparedPoll

        run_id = await session.scalar(select(CourseRun.id).where(CourseRun.code == MULTI_RUN))
        session.add(
            PreparedPoll(
                run_id=run_id,
                question="Ready?",
                draft={"question": "Ready?", "kind": "single_choice", "options": ["Yes", "No"]},
                prepared_by_aad_object_id=TRAINER_AAD,
                prepared_by_name="Zoe Rosenfield",
                prepared_at=clock.now(),
            )
        )
    await enrolment.enrol(BEA_AAD, MULTI_RUN, clash=Clash((2,), BEA_SECRETS[1]))
    async with session_factory.begin() as session:
        bea_id = await session.scalar(select(Person.id).where(Person.aad_object_id == BEA_AAD))
        run_id = await session.scalar(select(CourseRun.id).where(CourseRun.code == MULTI_RUN))
        await issue_certificates(session, run_id=run_id, person_ids=[bea_id], now=clock.now())
    async with session_factory.begin() as session:
        session.add(
            Enquiry(
                reference=BEA_ENQUIRY,
                year=2026,
                number=77,
                idempotency_key="bea-enquiry",
                kind=EnquiryKind.QUESTION,
                enquirer_aad_object_id=BEA_AAD,
                enquirer_name=BEA_NAME,
                enquirer_email="bea@example.gov.uk",
                organisation=BHCC,
                job_role="Social worker",
                course_codes=[MULTI],
                message=BEA_SECRETS[2],
                created_at=clock.now(),
            )
        )


def _conversation(session_factory, clock, persona: str, *, group: bool) -> Conversation:  # type: ignore[no-untyped-def]
    aad, name = PERSONAS[persona]
    settings = default_settings(reflection_keys=SEAL_KEY)  # reflections can be saved (and refused) for real
    if not group:
        return Conversation(
            session_factory,
            clock,
            aad_object_id=aad,  # type: ignore[arg-type]
            name=name,
            conversation_id=f"a:{persona}",
            settings=settings,
        )
    members = [teams_member(a, n) for a, n in PERSONAS.values() if a]
    return Conversation(
        session_factory,
        clock,
        aad_object_id=aad,  # type: ignore[arg-type]
        name=name,
        conversation_type="groupChat",
        conversation_id="19:session-chat@thread.v2",
        members=members,
        settings=settings,
    )


def outcome(replies: list[Activity]) -> tuple[bool, bool]:
    """(not refused, shows Bea's data)."""
    said = words_of(replies)
    return not REFUSED.search(said), any(secret in said for secret in BEA_SECRETS)


@pytest.mark.parametrize("command", sorted(COMMANDS))
async def test_who_may_use_each_command_and_who_sees_another_persons_data(
    command: str, world_with_bea, session_factory, clock
) -> None:
    case = COMMANDS[command]
    if case.group:
        [linked] = await _conversation(session_factory, clock, "coordinator", group=True).say(f"link {MULTI_RUN}")
        assert MULTI_RUN in words_of([linked])
    if "{poll}" in case.typed:  # a poll of the run to ask about
        coordinator = _conversation(session_factory, clock, "coordinator", group=True)
        await coordinator.say(f"link {MULTI_RUN}")
        await coordinator.say("poll Which first? | Capacity | Interests")
    data = await _press_data(session_factory, clock, "clash")
    poll = (await _press_data(session_factory, clock, "poll"))["poll"]
    session = (await _press_data(session_factory, clock, "reflection"))["session"]
    certificate = (await _press_data(session_factory, clock, "certificate"))["code"]
    typed = case.typed.format(
        clash=data["enrolment"], person=data["person"], poll=poll, session=session, certificate=certificate
    )
    # Those to be refused type first: an allowed command may change what it is about (a clash decided, a chat
    # unlinked), and a refusal must be a refusal of the person, not of the state it left.
    order = sorted(PERSONAS, key=lambda p: p in case.allowed)
    outcomes = {
        persona: outcome(await _conversation(session_factory, clock, persona, group=case.group).say(typed))
        for persona in order
    }
    assert {p for p, (allowed, _) in outcomes.items() if allowed} == set(case.allowed), sorted(outcomes.items())
    assert {p for p, (_, sees) in outcomes.items() if sees} == set(case.sees_bea), sorted(outcomes.items())


# -- card actions ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Press:
    data: str  # which of the world's objects the button names (see _press_data)
    allowed: frozenset[str]
    sees_bea: frozenset[str] = NOBODY
    group: bool = False  # pressed in the group chat linked to the run (posting and launching happen there)


CARD_ACTIONS: dict[str, Press] = {
    "admin.grant": Press("role", frozenset({"admin"}), frozenset({"admin"})),
    "admin.revoke": Press("role", frozenset({"admin"}), frozenset({"admin"})),
    "admin.cancel": Press("nothing", ALL),
    "enquiry.assign": Press("enquiry", frozenset({"coordinator"}), frozenset({"coordinator"})),
    "enquiry.reply": Press("enquiry", frozenset({"coordinator"}), frozenset({"coordinator"})),
    "enquiry.close": Press("enquiry", frozenset({"coordinator"}), frozenset({"coordinator"})),
    "enquiry.reopen": Press("enquiry", frozenset({"coordinator"}), frozenset({"coordinator"})),
    "enrolment.clash.accept": Press(
        "clash", frozenset({"trainer_of_run"}) | OVERSEERS, frozenset({"trainer_of_run"}) | OVERSEERS
    ),
    "enrolment.clash.decline": Press(
        "clash", frozenset({"trainer_of_run"}) | OVERSEERS, frozenset({"trainer_of_run"}) | OVERSEERS
    ),
    "enrolment.offer.accept": Press("run", SIGNED_IN),
    "enrolment.offer.decline": Press("run", SIGNED_IN),
    "enrolment.organisation.confirm": Press("organisation", frozenset({"coordinator"}), frozenset({"coordinator"})),
    "enrolment.organisation.correct": Press("organisation", frozenset({"coordinator"}), frozenset({"coordinator"})),
    "enrolment.reschedule": Press("move", OVERSEERS),
    "enrolment.reschedule_cancel": Press("nothing", ALL),
    "poll.vote": Press("vote", SIGNED_IN),
    "poll.answer": Press("ticks", SIGNED_IN),
    "poll.refresh": Press("poll", ALL),  # the card as this person may see it: the shared view, or their own answer
    "poll.close": Press("poll", frozenset({"trainer_of_run"}) | OVERSEERS),
    "poll.export": Press("poll", frozenset({"trainer_of_run"}) | OVERSEERS),
    "poll.compose.preview": Press("compose", ALL),  # shows the typed poll back; posts nothing
    "poll.compose.post": Press("compose", frozenset({"trainer_of_run"}) | OVERSEERS, group=True),
    "poll.compose.save": Press("compose", frozenset({"trainer_of_run"}) | OVERSEERS),
    "poll.prepared.launch": Press("prepared", frozenset({"trainer_of_run"}) | OVERSEERS, group=True),
    "reflection.open": Press("reflection", NOBODY),  # Bea's reflection: hers alone
    "reflection.save": Press("reflection", NOBODY),
    "reflection.skip": Press("reflection", NOBODY),
    "cpd.save": Press("cpd", SIGNED_IN),  # a new entry in the presser's own log
    "meetings.correct": Press(
        "register", frozenset({"trainer_of_run"}) | OVERSEERS, frozenset({"trainer_of_run"}) | OVERSEERS
    ),
    "evaluation.answer": Press("survey", NOBODY),  # Bea's survey: hers alone
    "evaluation.skip": Press("survey", NOBODY),
    "evaluation.export": Press("run", frozenset({"trainer_of_run"}) | OVERSEERS),
    "privacy.forget": Press("erasure", frozenset({"admin"})),
    "privacy.cancel": Press("nothing", ALL),
}


def test_every_card_action_has_an_entry() -> None:
    assert set(FeatureRegistry(FEATURES).card_actions.handlers) == set(CARD_ACTIONS)


async def _press_data(session_factory, clock, kind: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from dialogs.polls import compose
    from storage.models import Enrolment, Organisation, Person, Poll, PollOption, PreparedPoll, RunSession

    async with session_factory() as session:
        bea = await session.scalar(select(Person).where(Person.aad_object_id == BEA_AAD))
        enrolment = await session.scalar(select(Enrolment).where(Enrolment.person_id == bea.id))
        enquiry = await session.scalar(select(Enquiry.id).where(Enquiry.reference == BEA_ENQUIRY))
        organisation = await session.scalar(select(Organisation.id).where(Organisation.name == SOUTHCOAST))
        poll = await session.scalar(select(Poll.id))
        option = await session.scalar(select(PollOption.id).where(PollOption.poll_id == poll))
        prepared = await session.scalar(select(PreparedPoll.id))
        ticked = await session.scalar(select(func.max(Poll.id)))
        tick = await session.scalar(select(func.min(PollOption.id)).where(PollOption.poll_id == ticked))
        first_session = await session.scalar(
            select(RunSession.id).where(RunSession.run_id == enrolment.run_id, RunSession.position == 1)
        )
        certificate = await session.scalar(select(Certificate.code).where(Certificate.person_id == bea.id))
    session_2 = weekly_session(FIRST_DAY, 2)
    return {
        "nothing": {},
        "role": {"person": BEA_AAD, "name": BEA_NAME, "role": "trainer"},
        "enquiry": {"enquiry": enquiry, "reply": "We can help."},
        "clash": {"enrolment": enrolment.id, "round": enrolment.round, "person": bea.id},
        "run": {"run": MULTI_RUN},
        "organisation": {"person": bea.id, "organisation": organisation},
        "move": {
            "run": MULTI_RUN,
            "session": 2,
            "starts_at": (session_2[0] + timedelta(days=1)).isoformat(),
            "ends_at": (session_2[1] + timedelta(days=1)).isoformat(),
            "was_starts_at": session_2[0].isoformat(),
            "was_ends_at": session_2[1].isoformat(),
        },
        "vote": {"poll": poll, "option": option},
        "poll": {"poll": poll},
        "erasure": {"person": BEA_AAD},
        "compose": {
            compose.RUN: MULTI_RUN,
            compose.QUESTION: "Which first?",
            compose.KIND: "single_choice",
            compose.OPTIONS: "A\nB",
            compose.ANONYMOUS: "false",
            compose.RESULTS: "live",
            compose.CHANGEABLE: "true",
        },
        "prepared": {"prepared": prepared},
        "ticks": {"poll": ticked, "picks": str(tick)},
        "reflection": {"enrolment": enrolment.id, "session": first_session, "mode": "open"},
        "cpd": {"entry": 0, "mode": "save", "title": "Reading"},
        "register": {"run": MULTI_RUN, "session": 1, f"status-{bea.id}": "attended"},
        "certificate": {"code": certificate},
        "survey": {"enrolment": enrolment.id, "phase": "before", "mode": "answer", "rating-1": "3"},
    }[kind]


def _answer_words(answer: Any) -> str:
    value = answer.body.value
    return str(value.get("fallbackText", "")) if isinstance(value, dict) else str(value)


@pytest.mark.parametrize("verb", sorted(CARD_ACTIONS))
async def test_who_may_press_each_card_button_and_who_sees_another_persons_data(
    verb: str, world_with_bea, session_factory, clock
) -> None:
    press = CARD_ACTIONS[verb]
    coordinator = _conversation(session_factory, clock, "coordinator", group=True)
    await coordinator.say(f"link {MULTI_RUN}")
    await coordinator.say("poll Which first? | Capacity | Interests")
    await coordinator.say("poll [multiple:2] Which apply? | Court | Leave")  # answered with ticks, not a button
    data = await _press_data(session_factory, clock, press.data)
    # Those to be refused press first: an allowed press may settle what the button is about.
    order = sorted(PERSONAS, key=lambda p: p in press.allowed)
    outcomes = {}
    for persona in order:
        answer, others = await _conversation(session_factory, clock, persona, group=press.group).execute(verb, data)
        said = _answer_words(answer) + "\n" + words_of(others)
        outcomes[persona] = (not REFUSED.search(said), any(secret in said for secret in BEA_SECRETS))
    assert {p for p, (allowed, _) in outcomes.items() if allowed} == set(press.allowed), outcomes
    assert {p for p, (_, sees) in outcomes.items() if sees} == set(press.sees_bea), outcomes
