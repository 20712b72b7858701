"""Cards of enrolment, made by really enrolling on the demo catalogue: the questions and terms of the enrol
flow, its results, my courses, withdraw, roster, and every notification (taken from the outbox rows)."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from classroom.enrolment import notices
from classroom.enrolment.enrolments import Clash
from classroom.enrolment.organisations import OrganisationChoice, assign_organisation_by_name
from classroom.enrolment.policy import EnrolmentPolicy
from classroom.enrolment.service import EnrolmentService
from classroom.people import assign_roles
from dialogs.cards.answers import answered_card
from dialogs.cards.base import CardMessage
from dialogs.enrolment.cards.clash_review import build_clash_decision_card, build_clash_review_card
from dialogs.enrolment.cards.my_courses import build_my_courses_card
from dialogs.enrolment.cards.organisation_check import build_organisation_check_card, build_organisation_decided_card
from dialogs.enrolment.cards.questions import (
    build_clash_session_question_card,
    build_organisation_question_card,
    build_place_gone_card,
)
from dialogs.enrolment.cards.reminders import build_reminder_card, build_trainer_reminder_card
from dialogs.enrolment.cards.reschedule import (
    build_reschedule_cancelled_card,
    build_reschedule_confirmation_card,
    build_session_move_done_card,
)
from dialogs.enrolment.cards.result import build_enrolment_result_card
from dialogs.enrolment.cards.roster import build_roster_card
from dialogs.enrolment.cards.session_moved import build_session_moved_card, build_trainer_session_moved_card
from dialogs.enrolment.cards.terms import build_run_choice_card, build_terms_card
from dialogs.enrolment.cards.waitlist_offer import build_offer_lapsed_card, build_waitlist_offer_card
from dialogs.enrolment.cards.withdraw import build_withdraw_card, build_withdrawn_card
from dialogs.enrolment.cards.withdrawn import build_withdrawn_notice_card
from dialogs.enrolment.dialog import NOT_LISTED, NOT_LISTED_TITLE
from dialogs.enrolment.links import calendar_url
from storage.models import EnrolmentStatus, OutboxNotification, Role
from tests.support.card_samples import CardSample, SampleContext

BHCC = "Brighton & Hove City Council"
PEOPLE = [
    ("sample-alex", "Alex Wilber", BHCC, Role.PARTICIPANT),
    ("sample-isaiah", "Isaiah Langer", "Downland County Council", Role.PARTICIPANT),
    ("sample-lynne", "Lynne Robbins", BHCC, Role.PARTICIPANT),
    ("sample-adele", "Adele Vance", BHCC, Role.COORDINATOR),
]
PUBLIC_BASE_URL = "https://classroom.example.org"
NOT_LISTED_BUTTON = (NOT_LISTED_TITLE, NOT_LISTED)


class _Clock:
    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now


def _name(builder: object) -> str:
    return builder.__name__  # type: ignore[attr-defined]


async def samples(context: SampleContext) -> list[CardSample]:
    zone, factory = context.zone, context.session_factory
    async with factory.begin() as session:
        for aad, name, organisation, role in PEOPLE:
            await assign_roles(session, aad, [role], name)
            await assign_organisation_by_name(session, aad, organisation)
    service = EnrolmentService(factory, _Clock(context.now), EnrolmentPolicy(zone=zone))
    policy = service.policy
    out: list[CardSample] = []

    def add(name: str, builder: object, message) -> None:  # type: ignore[no-untyped-def]
        out.append(CardSample(f"enrolment/{name}", _name(builder), message))

    def result(view) -> object:  # type: ignore[no-untyped-def]
        return build_enrolment_result_card(
            view,
            zone,
            calendar_url=calendar_url(PUBLIC_BASE_URL, "T" * 43),
            reminder_offsets=policy.reminder_offsets,
            offer_hold=policy.offer_hold,
        )

    # The enrol flow's questions and terms.
    add("run_choice", build_run_choice_card, build_run_choice_card(await service.open_runs("PERMPLAN"), zone))
    add(
        "organisation",
        build_organisation_question_card,
        build_organisation_question_card(await service.organisations(), NOT_LISTED_BUTTON),
    )
    many = [OrganisationChoice(n, f"Organisation {n}") for n in range(1, 10)]  # a drop-down list, not buttons
    add(
        "organisation/many", build_organisation_question_card, build_organisation_question_card(many, NOT_LISTED_BUTTON)
    )
    quote = await service.quote("sample-alex", "PERM4-A")
    choices = [("I can attend every date", "every"), ("I have a clash", "clash"), ("No thanks", "no")]
    four_sessions = build_terms_card(quote, zone, policy.offer_hold, choices)
    add("terms/four_sessions", build_terms_card, four_sessions)
    add("terms/four_sessions/answered", build_terms_card, answered_message(four_sessions, "every"))
    one_day = await service.quote("sample-isaiah", "PERMPLAN-1")
    confirm = [("Confirm my place", "confirm"), ("No thanks", "no")]
    add("terms/one_day", build_terms_card, build_terms_card(one_day, zone, policy.offer_hold, confirm))
    unconfirmed = dataclasses.replace(one_day, organisation_confirmed=False)  # their own word: price to be confirmed
    add("terms/unconfirmed", build_terms_card, build_terms_card(unconfirmed, zone, policy.offer_hold, confirm))
    full = dataclasses.replace(quote, places_left=0, waitlist_length=3)
    join = [("Join the waitlist", "waitlist"), ("No thanks", "no")]
    add("terms/full", build_terms_card, build_terms_card(full, zone, policy.offer_hold, join))
    # PERMPLAN-1 full, while PERMPLAN-2 has places: the terms point to it, with a button to book it instead.
    permplan_2 = (await service.open_runs("PERMPLAN-2"))[0]
    one_day_full = dataclasses.replace(one_day, places_left=0, waitlist_length=1, other_runs=(permplan_2,))
    when_full = [("Book PERMPLAN-2 instead", "other"), ("Join the waitlist", "waitlist"), ("No thanks", "no")]
    add(
        "terms/full_with_other_dates",
        build_terms_card,
        build_terms_card(one_day_full, zone, policy.offer_hold, when_full),
    )
    sessions_question = build_clash_session_question_card(quote.run.sessions, zone)
    add("clash_session", build_clash_session_question_card, sessions_question)
    add("clash_session/answered", build_clash_session_question_card, answered_message(sessions_question, "1,3"))
    add("place_gone", build_place_gone_card, build_place_gone_card("PERM4-A", 2, join, (), zone))
    gone = build_place_gone_card("PERMPLAN-1", 2, when_full, (permplan_2,), zone)
    add("place_gone/other_dates", build_place_gone_card, gone)

    # Results: confirmed, under review, waitlisted, offered.
    confirmed = await service.enrol("sample-alex", "PERM4-A")
    pending = await service.enrol("sample-lynne", "PERM4-A", clash=Clash((1, 3), "I have two court dates."))
    waitlisted = dataclasses.replace(confirmed, status=EnrolmentStatus.WAITLISTED, waitlist_position=2)
    offered = dataclasses.replace(
        confirmed, status=EnrolmentStatus.OFFERED, offer_expires_at=context.now + policy.offer_hold
    )
    add("result/confirmed", build_enrolment_result_card, result(confirmed))
    add("result/pending_review", build_enrolment_result_card, result(pending))
    add("result/waitlisted", build_enrolment_result_card, result(waitlisted))
    add("result/offered", build_enrolment_result_card, result(offered))
    add(
        "result/unconfirmed",
        build_enrolment_result_card,
        result(dataclasses.replace(confirmed, organisation_confirmed=False)),
    )

    # My courses, withdraw, roster.
    # Places on several runs, two of them confirmed: every button names its run.
    permplan_1, permplan_2 = (choice.run for choice in await service.open_runs("PERMPLAN"))
    second = dataclasses.replace(confirmed, id=-1, run=permplan_1)
    links = {confirmed.id: calendar_url(PUBLIC_BASE_URL, "T" * 43), second.id: calendar_url(PUBLIC_BASE_URL, "U" * 43)}
    views = [confirmed, second, dataclasses.replace(offered, id=-2, run=permplan_2)]
    add("my_courses", build_my_courses_card, build_my_courses_card(views, zone, context.now, links))
    views = [pending, dataclasses.replace(waitlisted, id=-3, run=permplan_1)]
    add("my_courses/waiting", build_my_courses_card, build_my_courses_card(views, zone, context.now, {}))
    add("my_courses/none", build_my_courses_card, build_my_courses_card([], zone, context.now, {}))
    for view in (confirmed, waitlisted, offered):
        add(f"withdraw/{view.status.value}", build_withdraw_card, build_withdraw_card(view, zone))
    add("roster", build_roster_card, build_roster_card(await service.rosters("sample-adele", "PERM4"), zone))

    # Notifications, as queued: the clash review and decision, an offer and its lapse, reminders, a move.
    await service.decide_clash("sample-adele", pending.id, accept=True)
    async with factory() as session:
        rows = {row.kind: row for row in await session.scalars(select(OutboxNotification))}

    def payload(kind: str) -> dict:  # type: ignore[type-arg]
        return rows[kind].payload

    review = notices.ClashReviewNotice.model_validate(payload(notices.CLASH_REVIEW))
    add("clash_review", build_clash_review_card, build_clash_review_card(review, zone))
    accepted = notices.ReviewOutcome(decision="accepted", by="Adele Vance", at=context.now)
    decided = review.model_copy(update={"outcome": accepted})
    note = "Accepted: Lynne Robbins's place on PERM4-A is confirmed. I've told them."
    add("clash_review/accepted", build_clash_review_card, build_clash_review_card(decided, zone, note=note))
    withdrawn = review.model_copy(update={"outcome": notices.ReviewOutcome(decision="withdrawn", at=context.now)})
    add("clash_review/withdrawn", build_clash_review_card, build_clash_review_card(withdrawn, zone))
    # Lynne's clash names sessions 1 and 3. Session 1 moves: the review asks about session 3 alone, and says why;
    # once session 3 moves too, nothing is left to decide. An accepted clash says what she still misses.
    first_session, third_session = review.clash_sessions

    def moved_part(session: notices.SessionNotice) -> notices.SessionMovePart:
        starts_at = session.starts_at + timedelta(days=2, hours=3)
        new = session.model_copy(update={"starts_at": starts_at, "ends_at": starts_at + timedelta(hours=3)})
        return notices.SessionMovePart(old=session, new=new)

    partly = review.model_copy(update={"clash_sessions": [third_session], "moved": moved_part(first_session)})
    add("clash_review/partly_cleared", build_clash_review_card, build_clash_review_card(partly, zone))
    cleared = notices.ReviewOutcome(decision="cleared", at=context.now)
    moved_away = review.model_copy(
        update={"outcome": cleared, "clash_sessions": [], "moved": moved_part(third_session)}
    )
    add("clash_review/cleared", build_clash_review_card, build_clash_review_card(moved_away, zone))
    accepted_partly = partly.model_copy(update={"outcome": accepted})
    add("clash_review/accepted_then_moved", build_clash_review_card, build_clash_review_card(accepted_partly, zone))
    accepted_all = moved_away.model_copy(update={"outcome": accepted})
    add("clash_review/accepted_then_all_moved", build_clash_review_card, build_clash_review_card(accepted_all, zone))
    decision = notices.ClashDecisionNotice.model_validate(payload(notices.CLASH_DECISION))
    add("clash_decision/accepted", build_clash_decision_card, build_clash_decision_card(decision, zone))
    declined = decision.model_copy(update={"accepted": False})
    add("clash_decision/declined", build_clash_decision_card, build_clash_decision_card(declined, zone))
    cleared = decision.model_copy(update={"cleared": True, "clash_sessions": []})
    add("clash_decision/cleared", build_clash_decision_card, build_clash_decision_card(cleared, zone))
    reminder = notices.ReminderNotice.model_validate(payload(notices.REMINDER))
    add("reminder", build_reminder_card, build_reminder_card(reminder, zone))
    trainer = notices.TrainerReminderNotice(
        run=reminder.run, session=reminder.session, confirmed=12, pending_review=1, capacity=16
    )
    add("trainer_reminder", build_trainer_reminder_card, build_trainer_reminder_card(trainer, zone))
    offer = notices.WaitlistOfferNotice(
        run=reminder.run,
        sessions=decision.sessions,
        expires_at=context.now + policy.offer_hold,
        price_pence=32000,
    )
    add("waitlist_offer/four_sessions", build_waitlist_offer_card, build_waitlist_offer_card(offer, zone))
    one_day_offer = offer.model_copy(update={"sessions": offer.sessions[:1]})
    add("waitlist_offer/one_day", build_waitlist_offer_card, build_waitlist_offer_card(one_day_offer, zone))
    for outcome in ("accepted", "under_review", "declined", "lapsed", "closed"):
        settled = offer.model_copy(update={"outcome": outcome, "expires_at": None})
        add(f"waitlist_offer/{outcome}", build_waitlist_offer_card, build_waitlist_offer_card(settled, zone))
    # Isaiah takes a place and gives it up, saying why: what he is told, and what the trainers are told.
    await service.enrol("sample-isaiah", "PERMPLAN-1")
    withdrawal = await service.withdraw("sample-isaiah", "PERMPLAN-1", reason="My caseload has changed.")
    add("withdrawn", build_withdrawn_card, build_withdrawn_card(withdrawal, calendar_url(PUBLIC_BASE_URL, "W" * 43)))
    async with factory() as session:
        told = await session.scalar(
            select(OutboxNotification).where(OutboxNotification.kind == notices.WITHDRAWN).limit(1)
        )
    assert told is not None
    withdrawn = notices.WithdrawnNotice.model_validate(told.payload)
    add("withdrawn_notice", build_withdrawn_notice_card, build_withdrawn_notice_card(withdrawn, zone))
    no_reason = withdrawn.model_copy(
        update={"reason": None, "offered_to_waitlist": True, "had_status": "pending_review"}
    )
    add("withdrawn_notice/no_reason", build_withdrawn_notice_card, build_withdrawn_notice_card(no_reason, zone))
    # Someone chose their organisation themselves: the coordinators' card, waiting and settled; what they are told.
    options = [notices.OrganisationOption(id=c.id, name=c.name) for c in await service.organisations()]
    check = notices.OrganisationCheckNotice(
        person_id=7, person_name="Lynne Robbins", email="lynne@kent.gov.uk", chosen=BHCC, options=options
    )
    add("organisation_check", build_organisation_check_card, build_organisation_check_card(check, zone))
    for decision_ in ("confirmed", "corrected", "evidence"):
        outcome = notices.OrganisationOutcome(decision=decision_, organisation=BHCC, by="Adele Vance", at=context.now)
        settled_check = check.model_copy(update={"outcome": outcome})
        note = "Confirmed: Lynne Robbins works for Brighton & Hove City Council. I've told them."
        add(
            f"organisation_check/{decision_}",
            build_organisation_check_card,
            build_organisation_check_card(settled_check, zone, note=note if decision_ == "confirmed" else None),
        )
    told_org = notices.OrganisationDecidedNotice(organisation=BHCC, chosen=BHCC, corrected=False, price_band=1)
    add("organisation_decided", build_organisation_decided_card, build_organisation_decided_card(told_org, zone))
    corrected = told_org.model_copy(update={"corrected": True, "chosen": "Downland County Council"})
    add(
        "organisation_decided/corrected",
        build_organisation_decided_card,
        build_organisation_decided_card(corrected, zone),
    )
    lapsed = notices.OfferLapsedNotice(run=reminder.run)
    add("offer_lapsed", build_offer_lapsed_card, build_offer_lapsed_card(lapsed, zone))
    first = decision.sessions[0]
    moved = notices.SessionMovedNotice(
        run=reminder.run,
        old=first,
        new=first.model_copy(update={"starts_at": first.starts_at.replace(hour=13), "ends_at": first.ends_at}),
    )
    add("session_moved", build_session_moved_card, build_session_moved_card(moved, zone))
    later = decision.sessions[-2:]  # the other sessions a clash still names
    variants: dict[str, dict[str, object]] = {
        "clash_accepted": {"cleared_clash": "accepted"},
        "clash_under_review": {"cleared_clash": "pending_review"},
        "clash_accepted_other_sessions_missed": {"cleared_clash": "accepted", "still_missing": later},
        "clash_other_sessions_under_review": {
            "cleared_clash": "pending_review",
            "place": "pending_review",
            "still_missing": later,
        },
        "still_under_review": {"place": "pending_review"},
        "still_clashes_same_day": {"still_clashes": True},
        "offered": {"place": "offered"},
    }
    for variant, update in variants.items():
        card_of_variant = build_session_moved_card(moved.model_copy(update=update), zone)
        add(f"session_moved/{variant}", build_session_moved_card, card_of_variant)
    cleared = [
        notices.ClashClearedPart(participant_name="Lynne Robbins <b>not markup</b>", was="accepted"),
        notices.ClashClearedPart(participant_name="Isaiah Langer", was="pending_review"),
        notices.ClashClearedPart(participant_name="Patti Fernandez", was="accepted", still_missing=later[-1:]),
        notices.ClashClearedPart(participant_name="Alex Wilber", was="pending_review", still_missing=later),
    ]
    to_trainer = notices.TrainerSessionMovedNotice(
        run=reminder.run, old=moved.old, new=moved.new, participants_told=12, cleared_clashes=cleared
    )
    add("trainer_session_moved", build_trainer_session_moved_card, build_trainer_session_moved_card(to_trainer, zone))
    to_coordinators = to_trainer.model_copy(update={"to_coordinators": True, "cleared_clashes": cleared[:1]})
    add(
        "trainer_session_moved/coordinators",
        build_trainer_session_moved_card,
        build_trainer_session_moved_card(to_coordinators, zone),
    )
    out.extend(await _reschedule_samples(service, zone))
    return out


async def _reschedule_samples(service: EnrolmentService, zone: ZoneInfo) -> list[CardSample]:
    """The coordinator's confirmation before a session moves, and what replaces it (moved, already, cancelled)."""
    run = (await service.open_runs("PERM4-A"))[0].run
    old = run.sessions[1]
    new_time = (old.starts_at + timedelta(days=2, hours=3), old.ends_at + timedelta(days=2, hours=3))
    preview = await service.preview_session_move("sample-adele", "PERM4-A", 2, *new_time)
    note = "Session 2 has moved since that card was made: it is now Wednesday 6 January 2027. Nothing was changed."
    moved = await service.move_session("sample-adele", "PERM4-A", 2, *new_time, was=(old.starts_at, old.ends_at))
    already = await service.move_session("sample-adele", "PERM4-A", 2, *new_time, was=(old.starts_at, old.ends_at))
    confirmation = build_reschedule_confirmation_card
    with_clash = dataclasses.replace(
        preview, trainers_told=("Zoe Rosenfield",), trainers_unreachable=("Rebecca Watts",), clashes_cleared=1
    )
    return [
        CardSample("enrolment/reschedule/confirm", _name(confirmation), confirmation(preview, zone)),
        CardSample("enrolment/reschedule/confirm_again", _name(confirmation), confirmation(preview, zone, note=note)),
        CardSample("enrolment/reschedule/confirm_with_clash", _name(confirmation), confirmation(with_clash, zone)),
        CardSample(
            "enrolment/reschedule/moved", _name(build_session_move_done_card), build_session_move_done_card(moved, zone)
        ),
        CardSample(
            "enrolment/reschedule/already_moved",
            _name(build_session_move_done_card),
            build_session_move_done_card(already, zone),
        ),
        CardSample(
            "enrolment/reschedule/cancelled",
            _name(build_reschedule_cancelled_card),
            build_reschedule_cancelled_card(),
        ),
    ]


def answered_message(message: CardMessage, answer: str) -> CardMessage:
    """:func:`answered_card` for a card we built: the card as it looks once answered."""
    card = answered_card(message.card, answer)
    return CardMessage(card, card["fallbackText"])
