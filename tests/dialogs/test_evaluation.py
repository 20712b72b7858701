"""The evaluation through the production pipeline: the "before" card as the outbox sends it to Alex's 1:1 chat,
answered with its button (and the Submit fallback), sent back to fix when a rating is missing, refused to anyone
else; the trainer's ``evaluation`` report with the small-group notice, its CSV button, and people's words shown
exactly as typed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from botbuilder.schema import Activity, ActivityTypes, Attachment

from bot.assembly import build_renderers
from bot.features import FEATURES
from classroom.enrolment.service import EnrolmentService
from classroom.evaluation.notices import SURVEY
from classroom.evaluation.statistics import paired_summary
from classroom.evaluation.views import Measure, OutcomeResult, RunReport, Satisfaction
from dialogs.cards.base import CARD_CONTENT_TYPE
from dialogs.evaluation.cards.report import build_report_card
from dialogs.registry import FeatureRegistry
from storage.models import Role
from tests.support.bot_harness import LONDON, Conversation, button_titles, card_text, texts
from tests.support.enrolment import MULTI_RUN, TRAINER_AAD, add_person, load_world, outbox, weekly_session, world

RENDERERS = build_renderers(FeatureRegistry(FEATURES), LONDON)
ALEX = "aad-alex"
FIRST_DAY = date(2026, 12, 14)


def _card_message(content: dict[str, Any]) -> Activity:
    return Activity(
        type=ActivityTypes.message, attachments=[Attachment(content_type=CARD_CONTENT_TYPE, content=content)]
    )


async def _survey(session_factory, phase: str) -> Activity:  # type: ignore[no-untyped-def]
    [row] = [r for r in await outbox(session_factory, SURVEY) if r.payload["phase"] == phase]
    assert row.recipient_aad_object_id == ALEX and row.conversation_key is None
    return _card_message(RENDERERS.render(row.kind, row.payload)["attachments"][0]["content"])


@pytest.fixture
async def alex(session_factory, clock) -> Conversation:
    await load_world(session_factory, world(FIRST_DAY))
    await add_person(session_factory, ALEX, "Alex Wilber")
    await add_person(session_factory, "aad-megan", "Megan Bowen", roles=(Role.TRAINER,))
    await EnrolmentService(session_factory, clock).enrol(ALEX, MULTI_RUN)
    return Conversation(session_factory, clock, aad_object_id=ALEX, name="Alex Wilber")


async def test_alex_answers_before_and_after_and_the_trainer_sees_n_and_the_small_group_notice(
    alex, session_factory, clock
) -> None:
    before = await _survey(session_factory, "before")
    assert "How confident are you that you can understand permanence?" in card_text(before)
    assert button_titles(before) == ["Send my answers", "Skip"]
    answer, _ = await alex.tap(before, "Send my answers", inputs={"rating-1": "2"})
    assert answer is not None and "your answers are saved" in card_text(_card_message(answer.body.value))

    clock.set(weekly_session(FIRST_DAY, 4)[1] + timedelta(minutes=1))
    after = await _survey(session_factory, "after")
    shown = card_text(after)
    assert "Now: how confident are you that you can understand permanence?" in shown
    assert "Thinking back to before the course" in shown and "Would you recommend it to a colleague?" in shown
    answer, _ = await alex.tap(after, "Send my answers", inputs={"rating-1": "4", "change": "More case law"})
    assert answer is not None
    fix = _card_message(answer.body.value)  # the then-test item was left out: the card again, as filled in
    assert "Nearly there" in card_text(fix)
    kept = {e["id"]: e.get("value") for e in fix.attachments[0].content["body"] if "id" in e}
    assert kept["rating-1"] == "4" and kept["change"] == "More case law"
    _, sent = await alex.tap(fix, "Send my answers", inputs={"rating-1": "4", "then-1": "1"}, fallback=True)
    assert "your answers are saved" in texts(sent)

    trainer = alex.as_someone_else(TRAINER_AAD, "Zoe Rosenfield", "conv-zoe")
    [report] = await trainer.say(f"evaluation {MULTI_RUN}")  # the "after" survey is still open: counts only
    words = card_text(report)
    assert "answered before: 1 · answered after: 1" in words
    assert "Figures are published on Mon 18 Jan 2027, 15:00 GMT" in words and "n = " not in words
    clock.set(weekly_session(FIRST_DAY, 4)[1] + timedelta(days=14))
    [report] = await trainer.say(f"evaluation {MULTI_RUN}")
    words = card_text(report)
    assert "Figures are published" not in words
    assert "Before vs after: n = 1 · fewer than 5 matched pairs: not shown" in words
    assert "Then-test vs after: n = 1" in words
    assert "Small group: no breakdown" in words and "could identify someone" in words
    assert "Alex" not in words and "More case law" not in words
    answer, _ = await trainer.tap(report, "Download report (CSV)")
    assert answer is not None
    link = card_text(_card_message(answer.body.value))
    assert "/exports/evaluation/" in link and ".csv" in link


async def test_nobody_else_can_answer_alexs_survey_or_read_the_report(alex, session_factory) -> None:
    before = await _survey(session_factory, "before")
    megan = alex.as_someone_else("aad-megan", "Megan Bowen", "conv-megan")
    answer, _ = await megan.tap(before, "Send my answers", inputs={"rating-1": "5"})
    assert answer is not None and "isn't yours" in answer.body.value
    answer, _ = await megan.tap(before, "Skip")
    assert answer is not None and "isn't yours" in answer.body.value
    [refused] = await megan.say(f"evaluation {MULTI_RUN}")  # a trainer, but not of this run
    assert "Only the run's trainers" in refused.text
    [refused] = await alex.say(f"evaluation {MULTI_RUN}")
    assert "Alex" not in texts([refused]) and "n = " not in texts([refused])


def test_what_people_wrote_is_shown_exactly_as_typed_never_as_markdown() -> None:
    typed = "**Shorter** [breaks](http://evil.example) <at>Zoe</at>"
    measure = Measure.of(paired_summary([(2, 4), (3, 4), (2, 3), (3, 5), (4, 4)]), 5)
    report = RunReport(
        run_code="PERMX-A",
        course_code="PERMX",
        course_title="Permanence",
        last_session_ends_at=None,
        confirmed=5,
        before_answers=5,
        after_answers=5,
        min_group=5,
        outcomes=[OutcomeResult(number=1, text="understand permanence", pre_post=measure, then_now=measure)],
        satisfaction=Satisfaction(relevance={}, trainers={}, pace={}, recommend={}, changes=[typed]),
    )
    card = build_report_card(report, LONDON).card

    def blocks(node: Any) -> list[dict[str, Any]]:
        found = [node] if isinstance(node, dict) else []
        for child in node.values() if isinstance(node, dict) else node if isinstance(node, list) else []:
            found.extend(blocks(child))
        return found

    assert not [b for b in blocks(card) if b.get("type") == "TextBlock" and "Shorter" in b["text"]]
    runs = [b for b in blocks(card) if b.get("type") == "TextRun" and b["text"] == typed]
    assert len(runs) == 1  # in a RichTextBlock's TextRun, which Teams shows literally
    chart = next(b for b in blocks(card) if b.get("type") == "Chart.VerticalBar.Grouped")
    assert [series["legend"] for series in chart["data"]] == ["Before", "After"]
    assert chart["fallback"]["type"] == "FactSet"  # clients without charts get the figures as text


def test_a_report_while_the_survey_is_open_has_counts_and_the_date_only_and_the_scheduled_one_points_to_the_text() -> (
    None
):
    closes = datetime(2027, 1, 18, 15, 0, tzinfo=UTC)
    report = RunReport(
        run_code="PERMX-A",
        course_code="PERMX",
        course_title="Permanence",
        last_session_ends_at=closes - timedelta(days=14),
        confirmed=6,
        before_answers=6,
        after_answers=5,
        min_group=5,
        outcomes=[],
        satisfaction=None,
        published_at=closes,
    )
    words = card_text(_card_message(build_report_card(report, LONDON).card))
    assert "answered before: 6 · answered after: 5" in words
    assert "Figures are published on Mon 18 Jan 2027, 15:00 GMT" in words
    assert "n = " not in words and "Small group" not in words and "Satisfaction" not in words
    counted = Satisfaction(relevance={}, trainers={}, pace={}, recommend={}, changes=[], changes_not_carried=3)
    scheduled = report.model_copy(update={"published_at": None, "satisfaction": counted})
    words = card_text(_card_message(build_report_card(scheduled, LONDON).card))
    assert "3 people wrote what should change: type evaluation PERMX-A to read it." in words
