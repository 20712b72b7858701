"""Cards of reflection and the CPD log: the prompt (new, its nudge, a draft, the identifying-details warning, the
longest answers allowed), saved and skipped, the CPD log (empty and full), one entry's fields, the delete question,
and the trainers' counts (below and above five)."""

from __future__ import annotations

from datetime import date, timedelta

from classroom.reflection.identifying import find_identifying_details
from classroom.reflection.notices import OutcomePart, QuestionPart, ReflectionPromptNotice
from classroom.reflection.questions import DEFAULT_QUESTIONS, MAX_ANSWER_LENGTH
from classroom.reflection.views import (
    CpdEntryView,
    CpdFields,
    CpdLogView,
    PromptView,
    ReflectionState,
    SessionReflectionSummary,
)
from dialogs.reflection.cards.cpd import build_cpd_entry_card, build_cpd_log_card, build_delete_card
from dialogs.reflection.cards.cpd_form import build_cpd_form_card
from dialogs.reflection.cards.prompt import build_prompt_card
from dialogs.reflection.cards.saved import build_saved_card, build_skipped_card
from dialogs.reflection.cards.summary import build_summary_card
from storage.models import ReflectionStatus
from tests.support.card_samples import CardSample, SampleContext

ANSWERS = {
    "covered": "Permanence options and how to present them to the court",
    "learnt": "Re B-S means every realistic option is analysed side by side",
    "impact": "Clearer care plans for the children I work with",
    "try_first": "A balance sheet for each option in my next statement",
    "peer": "My team manager challenged how I weigh contact",
    "feeling": "Hopeful",
}


def prompt_notice(context: SampleContext, *, nudge: bool = False) -> ReflectionPromptNotice:
    starts = context.now + timedelta(days=21)
    return ReflectionPromptNotice(
        enrolment_id=7,
        session_id=31,
        course_title="Permanence Planning for Children (Four sessions)",
        run_code="PERM4-A",
        session_position=2,
        session_count=4,
        starts_at=starts,
        ends_at=starts + timedelta(hours=5),
        outcomes=[
            OutcomePart(id=11, text="Understand the legal framework for permanence"),
            OutcomePart(id=12, text="Analyse realistic options for a child, side by side"),
            OutcomePart(id=13, text="Plan life-story work with children"),
        ],
        questions=[
            QuestionPart(key=q.key, label=q.label, required=q.required, placeholder=q.placeholder)
            for q in DEFAULT_QUESTIONS
        ],
        nudge=nudge,
    )


def _entry(number: int, *, peer: bool) -> CpdEntryView:
    return CpdEntryView(
        id=number,
        registration_year=2026,
        activity_date=date(2026, 12, 14) + timedelta(days=number),
        cpd_type="Course or training (online)" if number % 2 else "Supervision",
        minutes=300 if number % 2 else 90,
        fields=CpdFields(
            title=f"Permanence Planning for Children, session {number}",
            description=ANSWERS["covered"],
            learnt=ANSWERS["learnt"],
            impact=ANSWERS["impact"],
            peer=ANSWERS["peer"] if peer else "",
            try_first=ANSWERS["try_first"],
            feeling=ANSWERS["feeling"],
            outcomes=("Analyse realistic options for a child, side by side",),
        ),
        from_course=bool(number % 2),
    )


async def samples(context: SampleContext) -> list[CardSample]:
    zone = context.zone
    prompt = prompt_notice(context)
    done = PromptView(prompt, ReflectionState(ReflectionStatus.DONE, ANSWERS, (12,)), 5)
    longest = {key: "ŵ" * MAX_ANSWER_LENGTH for key in ANSWERS}
    warned = {**ANSWERS, "covered": "Visited Mrs Okafor at 14 Elm Grove, BN2 9QA"}
    entries = tuple(_entry(n, peer=n == 1) for n in range(1, 18))
    prompt_card = build_prompt_card.__name__
    return [
        CardSample("reflection/prompt", prompt_card, build_prompt_card(prompt, zone)),
        CardSample("reflection/nudge", prompt_card, build_prompt_card(prompt_notice(context, nudge=True), zone)),
        CardSample(
            "reflection/draft",
            prompt_card,
            build_prompt_card(
                prompt,
                zone,
                state=ReflectionState(ReflectionStatus.DRAFT, {"covered": "half"}, (11,)),
                note="Draft saved.",
            ),
        ),
        CardSample(
            "reflection/identifying-warning",
            prompt_card,
            build_prompt_card(
                prompt,
                zone,
                state=ReflectionState(ReflectionStatus.PROMPTED, warned, ()),
                findings=find_identifying_details(warned["covered"]),
            ),
        ),
        CardSample(
            "reflection/longest",
            prompt_card,
            build_prompt_card(prompt, zone, state=ReflectionState(ReflectionStatus.DRAFT, longest, (11, 12, 13))),
        ),
        CardSample("reflection/saved", build_saved_card.__name__, build_saved_card(done, zone)),
        CardSample("reflection/skipped", build_skipped_card.__name__, build_skipped_card(done)),
        CardSample("cpd/log-empty", build_cpd_log_card.__name__, build_cpd_log_card(CpdLogView(2026, (), 0, ()), zone)),
        CardSample(
            "cpd/log",
            build_cpd_log_card.__name__,
            build_cpd_log_card(
                CpdLogView(2026, entries, 1, (2025, 2024)),
                zone,
                {
                    "docx": f"https://classroom.example.org/cpd/{'A' * 43}.docx",
                    "csv": f"https://classroom.example.org/cpd/{'A' * 43}.csv",
                },
            ),
        ),
        CardSample("cpd/entry", build_cpd_entry_card.__name__, build_cpd_entry_card(entries[0], zone)),
        CardSample("cpd/delete", build_delete_card.__name__, build_delete_card(entries[0])),
        CardSample(
            "cpd/add", build_cpd_form_card.__name__, build_cpd_form_card({}, entry_id=None, today=date(2026, 12, 1))
        ),
        CardSample(
            "cpd/edit-warned",
            build_cpd_form_card.__name__,
            build_cpd_form_card(
                {"title": "Supervision", "description": "Call 07700 900123", "cpd_hours": "1.5"},
                entry_id=4,
                today=date(2026, 12, 1),
                findings=find_identifying_details("Call 07700 900123"),
            ),
        ),
        CardSample(
            "reflection/summary-small",
            build_summary_card.__name__,
            build_summary_card(SessionReflectionSummary("PERM4-A", 2, 4, 1, 1, None)),
        ),
        CardSample(
            "reflection/summary",
            build_summary_card.__name__,
            build_summary_card(
                SessionReflectionSummary(
                    "PERM4-A", 2, 4, 6, 9, (("Understand the legal framework", 4), ("Analyse options", 6))
                )
            ),
        ),
    ]
