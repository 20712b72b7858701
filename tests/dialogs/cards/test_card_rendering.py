"""Key cards rendered to PNG in headless Chromium by the official Adaptive Cards renderer, for people to look at
(``build/screenshots/cards/``), and checked to render every action and the heading."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import chromium_page, screenshot_path
from tests.support.card_samples import CardSample, build_card_samples
from tests.support.cards import card_actions, renderer_problems
from tests.support.node_tools import require_chromium, require_node_package

pytestmark = pytest.mark.browser

KEY_CARDS = (
    "welcome/participant/personal",
    "help/participant/personal",
    "course_list/all",
    "course_details/PERM4",
    "enrolment/terms/four_sessions",  # answer buttons: Action.Execute, each with an Action.Submit fallback
    "enrolment/organisation/many",  # a drop-down list of answers
    "poll/live",  # answers as buttons, each in its own ActionSet, with the counts as text
    "poll/final",
    "poll_results/with_link",  # the download link the presser alone sees
    "poll/quiz_live",  # a new kind live: counts as text and a Teams chart (its FactSet fallback here)
    "poll/quiz_final",  # ... and closed: the right answer revealed with the share who got it right
    "poll/confidence_live",  # a 1-5 list per learning outcome, the averages with a chart
    "poll/text_final_launcher",  # the launcher's own copy: frequent words and every answer
    "poll/compose_preview",  # the compose card: every kind of input, the preview and Post
    "reflection/prompt",  # outcomes as a multi-select, then labelled answer boxes; Execute buttons with fallbacks
    "reflection/identifying-warning",
    "cpd/log",  # the CPD summary: entries this year, peer reflections, what Social Work England asks
    "evaluation/after",  # per outcome the polls' 1-5 confidence list, now and thinking back; satisfaction
    "evaluation/report",  # per outcome pairs, means, change, d_z and g_z; a grouped chart (its FactSet here)
    "evaluation/report-small-group",  # the small-group notice instead of a breakdown
)
PAGE = Path(__file__).with_name("card_page.html")


def _action_titles(card: dict[str, Any]) -> list[str]:
    return [action["title"] for action in card_actions(card)]


@pytest.fixture(scope="module")
def key_samples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CardSample]:
    samples = {sample.name: sample for sample in build_card_samples(tmp_path_factory.mktemp("cards"))}
    return {name: samples[name] for name in KEY_CARDS}


async def test_key_cards_render_in_chromium(key_samples: dict[str, CardSample]) -> None:
    renderer = require_node_package("adaptivecards") / "dist" / "adaptivecards.min.js"
    require_chromium()
    async with chromium_page(viewport=(640, 900)) as (page, guard):
        await page.set_content(PAGE.read_text(encoding="utf-8"))
        await page.add_script_tag(path=str(renderer))
        for name, sample in key_samples.items():
            card = sample.message.card
            result = await page.evaluate("card => window.renderCard(card)", card)
            assert result["ok"] or not renderer_problems(card, result["problems"]), f"{name}: {result['problems']}"
            heading = card["body"][0]["text"]
            assert heading in result["text"], f"{name}: heading {heading!r} not shown"
            assert result["buttons"] == _action_titles(card), f"{name}: not every action became a button"
            assert "**" not in result["text"], f"{name}: markdown shown raw"
            assert result["height"] > 120
            target = screenshot_path("cards", name.replace("/", "-") + ".png")
            await page.locator("#frame").screenshot(path=str(target))
            assert target.stat().st_size > 5000
        assert guard.refused == []  # the renderer needs nothing from the internet
