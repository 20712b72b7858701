"""Every kind of personal data the bot stores, seeded for one person, each piece carrying a distinctive string so a
walk over every table can tell whether anything of theirs is left."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from classroom.certificates.issuing import issue_certificates
from classroom.certificates.links import issue_link as issue_certificate_link
from classroom.conversations import ConversationInfo, remember_conversation
from classroom.enrolment.calendar_links import issue_link
from classroom.evaluation.keys import respondent_key, run_key
from classroom.outbox import TextNotice, enqueue
from classroom.people import find_person
from classroom.polls.voters import anonymous_voter_key, new_hmac_key
from classroom.privacy.audit import Actor, record_audit
from classroom.privacy.export_links import issue_export_link
from classroom.reflection.sealing import Sealer, new_key, parse_keys
from storage.models import (
    AdminAction,
    AdminChange,
    AttendanceCorrection,
    AttendanceEvent,
    AttendanceExportLink,
    AttendanceOutcome,
    AttendanceStatus,
    BotStateRecord,
    Certificate,
    ChatRunLink,
    Completion,
    CourseRun,
    CpdEntry,
    CpdExportLink,
    DesignatedConversation,
    Enquiry,
    EnquiryAction,
    EnquiryEvent,
    EnquiryKind,
    Enrolment,
    EnrolmentClashSession,
    EnrolmentStatus,
    EvaluationExportLink,
    EvaluationPhase,
    EvaluationRating,
    EvaluationResponse,
    NotificationStatus,
    OutboxNotification,
    ParticipantEvent,
    Poll,
    PollExportLink,
    PollKind,
    PollOption,
    PollResults,
    PollStatus,
    PollVote,
    PollVotePick,
    PreparedPoll,
    Reflection,
    ReflectionStatus,
    Role,
    RunTrainer,
)
from tests.support.enrolment import COORDINATOR_AAD, add_person

COORDINATORS_CHAT = "19:coordinators@thread.v2"


@dataclass(frozen=True)
class Someone:
    """A person to seed; ``tag`` makes every string of theirs distinctive."""

    tag: str
    number: int  # of their enquiry

    @property
    def aad(self) -> str:
        return f"aad-{self.tag}-0000-4000-8000-000000000000"

    @property
    def name(self) -> str:
        return f"{self.tag.title()} Quillfeather"

    @property
    def email(self) -> str:
        return f"{self.tag}.quillfeather@example.gov.uk"

    @property
    def chat(self) -> str:
        return f"a:1{self.tag}-personal-chat"

    @property
    def enquiry_message(self) -> str:
        return f"{self.tag}: could my whole team of eight do this online in spring?"

    @property
    def reply(self) -> str:
        return f"{self.tag}: thanks, the second week of April suits us"

    @property
    def clash_reason(self) -> str:
        return f"{self.tag}: a court date at Brighton Family Court"

    @property
    def typed_answer(self) -> str:
        return f"{self.tag}: half-typed answer to a question"

    @property
    def evaluation_change(self) -> str:
        return f"{self.tag}: what should change is the length of the breaks"

    @property
    def markers(self) -> set[str]:
        """What must not survive their erasure anywhere."""
        return {
            self.aad,
            self.name,
            self.email,
            self.chat,
            self.enquiry_message,
            self.reply,
            self.clash_reason,
            self.typed_answer,
            self.evaluation_change,
        }


SEAL_KEY = new_key()  # the key reflections are sealed with in these tests (REFLECTION_KEYS)
SEALER = Sealer(parse_keys(SEAL_KEY))


async def seed_everything(session_factory: async_sessionmaker[AsyncSession], who: Someone, now: datetime) -> None:
    """Profile and roles, a 1:1 chat with its dialog state, an enquiry with replies, a booking with a clash and a
    calendar link, a waitlist entry, a trainer link, named and anonymous poll answers, a poll and chat link they made,
    messages to them and about them, role records, audit entries, a download link, a chat they chose, and a
    certificate of attendance with its CPD entry and a download link."""
    await add_person(session_factory, who.aad, who.name, roles=[Role.PARTICIPANT, Role.TRAINER])
    async with session_factory.begin() as session:
        person = await find_person(session, who.aad)
        assert person is not None
        person.email = who.email
        runs = list((await session.scalars(select(CourseRun).order_by(CourseRun.code))).all())
        booked, waiting = runs[0], runs[1]
        await session.refresh(booked, ["sessions"])

        await remember_conversation(
            session,
            ConversationInfo(
                conversation_id=who.chat,
                conversation_type="personal",
                service_url="https://smba.example/uk/",
                reference={"user": {"id": f"29:{who.tag}", "aadObjectId": who.aad, "name": who.name}},
                user_aad_object_id=who.aad,
            ),
        )
        session.add(
            BotStateRecord(
                key=f"msteams/conversations/{who.chat}",
                document=f'{{"dialog": "enquiry", "answer": "{who.typed_answer}"}}',
                e_tag="1",
            )
        )

        enquiry = Enquiry(
            reference=f"ENQ-2026-{who.number:04d}",
            year=2026,
            number=who.number,
            idempotency_key=f"enquiry-{who.tag}",
            kind=EnquiryKind.DELIVERY,
            enquirer_aad_object_id=who.aad,
            enquirer_name=who.name,
            enquirer_email=who.email,
            organisation="Brighton & Hove City Council",
            job_role=f"{who.tag} senior practitioner",
            course_codes=["PERM4"],
            participants=8,
            message=who.enquiry_message,
            created_at=now,
        )
        session.add(enquiry)
        await session.flush()
        session.add_all(
            [
                EnquiryEvent(
                    enquiry_id=enquiry.id,
                    action=EnquiryAction.CREATED,
                    actor_aad_object_id=who.aad,
                    actor_name=who.name,
                    at=now,
                ),
                EnquiryEvent(
                    enquiry_id=enquiry.id,
                    action=EnquiryAction.REPLIED,
                    actor_aad_object_id=COORDINATOR_AAD,
                    actor_name="Adele Vance",
                    text="We can: which weeks suit you?",
                    at=now,
                ),
                EnquiryEvent(
                    enquiry_id=enquiry.id,
                    action=EnquiryAction.ENQUIRER_REPLIED,
                    actor_aad_object_id=who.aad,
                    actor_name=who.name,
                    text=who.reply,
                    at=now,
                ),
            ]
        )

        booking = Enrolment(
            run_id=booked.id,
            person_id=person.id,
            status=EnrolmentStatus.CONFIRMED,
            organisation_id=person.organisation_id,
            price_band=2,
            price_pence=36000,
            clash_reason=who.clash_reason,
            confirmed_at=now,
        )
        session.add_all(
            [
                booking,
                Enrolment(run_id=waiting.id, person_id=person.id, status=EnrolmentStatus.WAITLISTED, waitlisted_at=now),
            ]
        )
        await session.flush()
        await issue_certificates(session, run_id=booked.id, person_ids=[person.id], now=now, sealer=SEALER)
        certificate = await session.scalar(select(Certificate.id).where(Certificate.person_id == person.id))
        assert certificate is not None
        await issue_certificate_link(session, certificate, now)
        session.add(EnrolmentClashSession(enrolment_id=booking.id, session_id=booked.sessions[0].id))
        await issue_link(session, booking.id, now, timedelta(days=30))
        key = await run_key(session, booked.id)
        assert key is not None
        session.add(
            EvaluationResponse(
                run_id=booked.id,
                respondent_key=respondent_key(key, booking.id),
                phase=EvaluationPhase.AFTER,
                change_text=who.evaluation_change,
                answered_at=now,
                ratings=[
                    EvaluationRating(position=1, outcome="understand permanence", item="now", rating=4),
                    EvaluationRating(position=1, outcome="understand permanence", item="then", rating=2),
                ],
            )
        )
        session.add(
            EvaluationExportLink(
                run_id=booked.id, token_hash=f"{who.tag:x<64}"[:64], issued_to_aad_object_id=who.aad, expires_at=now
            )
        )
        session.add(
            RunTrainer(
                run_id=waiting.id, position=100 + who.number, name=who.name, person_id=person.id, linked_in_teams=True
            )
        )

        chat = f"19:{who.tag}-session@thread.v2"
        session.add(
            ChatRunLink(
                conversation_id=chat, run_id=booked.id, linked_by_aad_object_id=who.aad, linked_by_name=who.name
            )
        )
        named = Poll(
            run_id=booked.id,
            conversation_id=chat,
            kind=PollKind.SINGLE_CHOICE,
            question="Which principle comes first?",
            anonymous=False,
            results=PollResults.LIVE,
            changeable=True,
            status=PollStatus.OPEN,
            launched_by_aad_object_id=who.aad,
            launched_by_name=who.name,
            launched_at=now,
            options=[PollOption(position=1, text="Presume capacity"), PollOption(position=2, text="Best interests")],
        )
        hmac_key = new_hmac_key()
        anonymous = Poll(
            run_id=booked.id,
            conversation_id=chat,
            kind=PollKind.SINGLE_CHOICE,
            question="How confident are you?",
            anonymous=True,
            results=PollResults.LIVE,
            changeable=True,
            status=PollStatus.OPEN,
            hmac_key=hmac_key,
            launched_by_aad_object_id=COORDINATOR_AAD,
            launched_by_name="Adele Vance",
            launched_at=now,
            options=[PollOption(position=1, text="Very"), PollOption(position=2, text="Not yet")],
        )
        open_text = Poll(
            run_id=booked.id,
            conversation_id=chat,
            kind=PollKind.OPEN_TEXT,
            question="One word for today?",
            anonymous=False,
            results=PollResults.LIVE,
            changeable=True,
            status=PollStatus.OPEN,
            launched_by_aad_object_id=COORDINATOR_AAD,
            launched_by_name="Adele Vance",
            launched_at=now,
            options=[],
        )
        several = Poll(
            run_id=booked.id,
            conversation_id=chat,
            kind=PollKind.MULTIPLE_CHOICE,
            question="Which apply?",
            anonymous=False,
            results=PollResults.LIVE,
            changeable=True,
            status=PollStatus.OPEN,
            max_picks=2,
            launched_by_aad_object_id=COORDINATOR_AAD,
            launched_by_name="Adele Vance",
            launched_at=now,
            options=[PollOption(position=1, text="Court"), PollOption(position=2, text="Leave")],
        )
        session.add_all([named, anonymous, open_text, several])
        session.add(
            PreparedPoll(
                run_id=booked.id,
                question="Ready for session two?",
                draft={"question": "Ready for session two?"},
                prepared_by_aad_object_id=who.aad,
                prepared_by_name=who.name,
                prepared_at=now,
            )
        )
        session.add(
            PollExportLink(
                run_id=booked.id,
                token_hash=f"{who.tag}-export-token-hash".ljust(64, "0"),
                issued_to_aad_object_id=who.aad,
                expires_at=now + timedelta(hours=1),
            )
        )
        await session.flush()
        session.add_all(
            [
                PollVote(
                    poll_id=open_text.id,
                    voter_key=who.aad,
                    voter_name=who.name,
                    answered_at=now,
                    text=f"{who.enquiry_message} (said in the session)",
                    teams_user_id=f"29:{who.tag}-teams-user",
                ),
                PollVote(
                    poll_id=several.id,
                    voter_key=who.aad,
                    voter_name=who.name,
                    answered_at=now,
                    picks=[
                        PollVotePick(option_id=several.options[0].id),
                        PollVotePick(option_id=several.options[1].id),
                    ],
                ),
            ]
        )
        session.add_all(
            [
                PollVote(
                    poll_id=named.id,
                    option_id=named.options[0].id,
                    voter_key=who.aad,
                    voter_name=who.name,
                    answered_at=now,
                ),
                PollVote(
                    poll_id=anonymous.id,
                    option_id=anonymous.options[1].id,
                    voter_key=anonymous_voter_key(hmac_key, who.aad),
                ),
            ]
        )

        reflection = Reflection(
            person_id=person.id,
            run_id=booked.id,
            session_id=booked.sessions[0].id,
            status=ReflectionStatus.DONE,
            sealed_answers=SEALER.seal({"answers": {"learnt": f"{who.enquiry_message} (my reflection)"}}),
            answered_at=now,
        )
        session.add(reflection)
        await session.flush()
        session.add(
            CpdEntry(
                person_id=person.id,
                reflection_id=reflection.id,
                registration_year=2026,
                activity_date=now.date(),
                cpd_type="Course",
                minutes=300,
                has_peer_reflection=True,
                sealed_fields=SEALER.seal({"title": "Permanence", "learnt": f"{who.enquiry_message} (my CPD)"}),
            )
        )
        session.add(
            CpdExportLink(
                person_id=person.id,
                registration_year=2026,
                token_hash=f"{who.tag}-cpd-token-hash".ljust(64, "0"),
                expires_at=now + timedelta(hours=1),
            )
        )

        # The register: a join and a leave of the run's first session, a trainer's correction (about them, and one
        # they made) and a completion.
        session.add_all(
            [
                AttendanceEvent(
                    session_id=booked.sessions[0].id,
                    aad_object_id=who.aad,
                    name=who.name,
                    kind=ParticipantEvent.JOIN,
                    at=booked.sessions[0].starts_at,
                ),
                AttendanceEvent(
                    session_id=booked.sessions[0].id,
                    aad_object_id=who.aad,
                    name=who.name,
                    kind=ParticipantEvent.LEAVE,
                    at=booked.sessions[0].ends_at,
                ),
                AttendanceCorrection(
                    session_id=booked.sessions[0].id,
                    person_id=person.id,
                    status=AttendanceStatus.ATTENDED,
                    corrected_by_aad_object_id=who.aad,
                    corrected_by_name=who.name,
                    corrected_at=now,
                ),
                Completion(run_id=booked.id, person_id=person.id, completed_at=now),
                AttendanceOutcome(
                    session_id=booked.sessions[0].id,
                    person_id=person.id,
                    status=AttendanceStatus.ATTENDED,
                    present_seconds=18000,
                ),
                AttendanceExportLink(
                    run_id=booked.id,
                    token_hash=f"{who.tag}-attendance-token-hash".ljust(64, "0"),
                    issued_to_aad_object_id=who.aad,
                    expires_at=now + timedelta(hours=1),
                ),
            ]
        )
        await enqueue(
            session, TextNotice(text=f"Hello {who.name}"), due_at=now, dedupe_key=f"to-{who.tag}", recipient=who.aad
        )
        await enqueue(
            session,
            TextNotice(text=f"New enquiry from {who.name}: {who.enquiry_message}"),
            due_at=now,
            dedupe_key=f"about-{who.tag}",
            conversation_key=COORDINATORS_CHAT,
        )
        await enqueue(  # ... and a card about them that Teams already shows in the coordinators' chat
            session,
            TextNotice(text=f"Clash of {who.name}: {who.enquiry_message}"),
            due_at=now,
            dedupe_key=f"shown-{who.tag}",
            conversation_key=COORDINATORS_CHAT,
        )
        await session.execute(
            update(OutboxNotification)
            .where(OutboxNotification.dedupe_key == f"shown-{who.tag}")
            .values(
                status=NotificationStatus.SENT,
                activity_id=f"1:{who.tag}-activity",
                sent_conversation_id=COORDINATORS_CHAT,
                sent_at=now,
            )
        )
        session.add(
            AdminChange(
                at=now,
                action=AdminAction.GRANT,
                actor_aad_object_id=COORDINATOR_AAD,
                actor_name="Adele Vance",
                subject_aad_object_id=who.aad,
                subject_name=who.name,
                role="trainer",
            )
        )
        record_audit(
            session,
            now,
            "role.grant",
            Actor(COORDINATOR_AAD, "Adele Vance", COORDINATORS_CHAT),
            subject_aad_object_id=who.aad,
            subject_name=who.name,
            role="trainer",
        )
        record_audit(session, now, "privacy.export", Actor(who.aad, who.name, who.chat), subject_aad_object_id=who.aad)
        await issue_export_link(session, who.aad, now, timedelta(days=7))
        session.add(
            DesignatedConversation(
                purpose=f"test-{who.tag}", conversation_id=COORDINATORS_CHAT, set_by_aad_object_id=who.aad
            )
        )
