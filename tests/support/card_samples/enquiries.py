"""Cards of enquiries: the dialog's questions and confirmation, the coordinators' card in each state, the
reply and follow-up, lists, the digest, the offer; each also at the longest every field allows."""

from __future__ import annotations

from datetime import timedelta

from classroom.enquiries.actions import Actor, assign_to_self, close, enquirer_writes, reply
from classroom.enquiries.digest import build_digest
from classroom.enquiries.fields import MESSAGE_MAX, REPLY_MAX, EnquiryDraft
from classroom.enquiries.queries import CoordinatorFilter, coordinator_list, enquirer_list, enquiry_by_id
from classroom.enquiries.submission import create_enquiry
from classroom.enquiries.views import course_refs
from classroom.people import assign_roles
from dialogs.enquiries.cards.confirmation import build_enquiry_confirmation_card
from dialogs.enquiries.cards.coordinator import build_enquiry_card
from dialogs.enquiries.cards.digest import build_enquiry_digest_card
from dialogs.enquiries.cards.enquirer import build_enquirer_enquiry_card
from dialogs.enquiries.cards.followup import build_enquiry_followup_card
from dialogs.enquiries.cards.lists import build_coordinator_list_card, build_my_enquiries_card
from dialogs.enquiries.cards.offer import build_enquiry_offer_card
from dialogs.enquiries.cards.prompt import build_prompt_card
from dialogs.enquiries.cards.reply import build_enquiry_reply_card
from storage.models import EnquiryKind, Role
from tests.support.card_samples import CardSample, SampleContext

COORDINATOR = Actor("sample-coordinator", "Adele Vance")
LONG = Actor("sample-long", "W" * 200)
ALEX = "sample-enquirer"


def _draft(kind: EnquiryKind, longest: bool = False) -> EnquiryDraft:
    if longest:  # every field at its maximum, in characters that take two bytes each
        return EnquiryDraft(
            kind,
            ["PERM4", "PERMPLAN"],
            "é" * 200,
            ("e" * 240) + "@example.org",
            "ö" * 200,
            "ü" * 200,
            "ß" * MESSAGE_MAX,
            200,
            "d" * 300,
            "Other or no preference",
        )
    delivery = kind is EnquiryKind.DELIVERY
    return EnquiryDraft(
        kind,
        ["PERM4"] if not delivery else ["PERM4", "PERMPLAN"],
        "Alex Wilber",
        "alexw@example.com",
        "Brighton & Hove City Council",
        "Social worker",
        "Our new starters need permanence planning before the summer."
        if delivery
        else "Is there a later date for PERM4? I'm in court on the 14th.",
        12 if delivery else None,
        "March or April 2027" if delivery else None,
        "Microsoft Teams" if delivery else None,
    )


async def samples(context: SampleContext) -> list[CardSample]:
    zone, now = context.zone, context.now
    async with context.session_factory.begin() as session:
        await assign_roles(session, COORDINATOR.aad_object_id, [Role.COORDINATOR], COORDINATOR.name)
        await assign_roles(session, LONG.aad_object_id, [Role.COORDINATOR], LONG.name)
        question = await create_enquiry(
            session,
            _draft(EnquiryKind.QUESTION),
            enquirer_aad_object_id=ALEX,
            idempotency_key="sample-q",
            now=now - timedelta(days=4),
        )
        delivery = await create_enquiry(
            session,
            _draft(EnquiryKind.DELIVERY),
            enquirer_aad_object_id=ALEX,
            idempotency_key="sample-d",
            now=now - timedelta(days=1),
        )
        longest = await create_enquiry(
            session,
            _draft(EnquiryKind.DELIVERY, longest=True),
            enquirer_aad_object_id=ALEX,
            idempotency_key="sample-l",
            now=now,
        )
        for n in range(12):
            await create_enquiry(
                session,
                _draft(EnquiryKind.DELIVERY, longest=True),
                enquirer_aad_object_id=ALEX,
                idempotency_key=f"sample-more-{n}",
                now=now - timedelta(hours=n),
            )
    async with context.session_factory.begin() as session:
        await assign_to_self(session, delivery.id, COORDINATOR, now=now)
        await reply(session, delivery.id, COORDINATOR, "We can do March. How many people exactly?", now=now)
        await enquirer_writes(
            session, delivery.reference, Actor(ALEX, "Alex Wilber"), "Twelve, all new starters.", now=now
        )
        for minute in range(6):  # a long back-and-forth, every text at its longest
            await reply(session, longest.id, LONG, "r" * REPLY_MAX, now=now + timedelta(minutes=minute))
            await enquirer_writes(
                session,
                longest.reference,
                Actor(ALEX, "é" * 200),
                "a" * REPLY_MAX,
                now=now + timedelta(minutes=minute, seconds=30),
            )
        await close(session, longest.id, LONG, now=now + timedelta(hours=1))
    async with context.session_factory() as session:
        new = await enquiry_by_id(session, question.id)
        answered = await enquiry_by_id(session, delivery.id)
        long_view = await enquiry_by_id(session, longest.id)
        coordinators = await coordinator_list(session, COORDINATOR.aad_object_id, CoordinatorFilter.OPEN)
        nobody = await coordinator_list(session, "sample-coordinator", CoordinatorFilter.MINE)
        own = await enquirer_list(session, ALEX)
        none_of_yours = await enquirer_list(session, "nobody")
        digest = await build_digest(session, now=now + timedelta(days=3), zone=zone, overdue_after=2)
        empty_digest = await build_digest(session, now=now - timedelta(days=30), zone=zone, overdue_after=2)
        courses = await course_refs(session, ["PERM4", "PERMPLAN"])

    card, mine, confirm = (
        build_enquiry_card.__name__,
        build_enquirer_enquiry_card.__name__,
        build_enquiry_confirmation_card.__name__,
    )
    question_draft = {
        "kind": "question",
        "courses": ["PERM4"],
        "name": "Alex Wilber",
        "email": "alexw@example.com",
        "organisation": "Brighton & Hove City Council",
        "role": "Social worker",
        "message": "Is there a later date?",
    }
    longest_draft = {
        "kind": "delivery",
        "courses": ["PERM4", "PERMPLAN"],
        "name": "é" * 200,
        "email": "e" * 242 + "@x.org",
        "organisation": "ö" * 200,
        "role": "ü" * 200,
        "participants": 200,
        "dates": "d" * 300,
        "platform": "Zoom",
        "message": "ß" * MESSAGE_MAX,
    }
    prompt = build_prompt_card.__name__
    return [
        CardSample("enquiry_card/new", card, build_enquiry_card(new, zone)),
        CardSample(
            "enquiry_card/answered_delivery", card, build_enquiry_card(answered, zone, notice="It's assigned to you.")
        ),
        CardSample(
            "enquiry_card/longest_closed", card, build_enquiry_card(long_view, zone, notice=f"{'W' * 200} closed it.")
        ),
        CardSample("enquirer_enquiry/answered", mine, build_enquirer_enquiry_card(answered, zone)),
        CardSample("enquirer_enquiry/longest", mine, build_enquirer_enquiry_card(long_view, zone)),
        CardSample(
            "enquiry_confirmation/question", confirm, build_enquiry_confirmation_card(question_draft, courses[:1])
        ),
        CardSample("enquiry_confirmation/longest", confirm, build_enquiry_confirmation_card(longest_draft, courses)),
        CardSample(
            "enquiry_prompt/kind",
            prompt,
            build_prompt_card(
                "What would you like to do?\n\n1. Ask a question about a course\n2. Ask us to deliver a course",
                choices=[("A question about a course", "question"), ("Deliver a course for us", "delivery")],
            ),
        ),
        CardSample(
            "enquiry_prompt/prefilled",
            prompt,
            build_prompt_card("What is your name?", current="Alex Wilber", step="Question 3 of 7"),
        ),
        CardSample(
            "enquiry_prompt/longest_prefill",
            prompt,
            build_prompt_card(
                "What would you like to ask the training team?", current="q" * MESSAGE_MAX, step="Question 7 of 7"
            ),
        ),
        CardSample(
            "enquiry_reply/reply",
            build_enquiry_reply_card.__name__,
            build_enquiry_reply_card(
                "ENQ-2026-0002", "delivery", "Adele Vance", "We can do March. How many people exactly?", now, zone
            ),
        ),
        CardSample(
            "enquiry_reply/longest",
            build_enquiry_reply_card.__name__,
            build_enquiry_reply_card("ENQ-2026-0002", "delivery", "W" * 200, "r" * REPLY_MAX, now, zone),
        ),
        CardSample(
            "enquiry_followup/reopened",
            build_enquiry_followup_card.__name__,
            build_enquiry_followup_card("ENQ-2026-0003", "é" * 200, "a" * REPLY_MAX, now, zone, reopened=True),
        ),
        CardSample(
            "enquiry_list/open",
            build_coordinator_list_card.__name__,
            build_coordinator_list_card(coordinators, "open", now, zone),
        ),
        CardSample(
            "enquiry_list/none_mine",
            build_coordinator_list_card.__name__,
            build_coordinator_list_card(nobody, "mine", now, zone),
        ),
        CardSample("my_enquiries/several", build_my_enquiries_card.__name__, build_my_enquiries_card(own, zone)),
        CardSample("my_enquiries/none", build_my_enquiries_card.__name__, build_my_enquiries_card(none_of_yours, zone)),
        CardSample("enquiry_digest/busy", build_enquiry_digest_card.__name__, build_enquiry_digest_card(digest, zone)),
        CardSample(
            "enquiry_digest/all_clear",
            build_enquiry_digest_card.__name__,
            build_enquiry_digest_card(empty_digest, zone),
        ),
        CardSample(
            "enquiry_offer/question",
            build_enquiry_offer_card.__name__,
            build_enquiry_offer_card("Do you offer certificates of attendance? " + "x" * 950),
        ),
    ]
