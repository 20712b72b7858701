"""A poll's results on its card, per kind: counts and percentages as text, a bar of characters, and a Teams chart
(horizontal bar: per option, or the average per learning outcome for confidence) whose ``fallback`` is a FactSet
with the same numbers, for clients that cannot draw charts (Teams iOS, the Developer Portal preview).

Options, outcomes and open-text words and answers were typed by people: they appear only as literal text runs.
"""

from __future__ import annotations

from classroom.polls.views import OptionTally, PollView
from dialogs.cards.base import Element, facts, text
from dialogs.cards.formatting import plural
from storage.models import PollKind, PollResults

BAR_WIDTH = 20
CHART_LABEL_MAX = 30  # chart axis labels are cut short; the full text is in the rows above the chart


def run(value: str, **style: object) -> dict[str, object]:
    return {"type": "TextRun", "text": value, **style}


def runs(*parts: dict[str, object], spacing: str | None = None) -> Element:
    block: Element = {"type": "RichTextBlock", "inlines": list(parts)}
    if spacing:
        block["spacing"] = spacing
    return block


def bar(share: int) -> str:
    filled = round(BAR_WIDTH * share / 100)
    return "█" * filled + "░" * (BAR_WIDTH - filled)


def _short(value: str) -> str:
    return value if len(value) <= CHART_LABEL_MAX else value[: CHART_LABEL_MAX - 1] + "…"


def _row(label: list[dict[str, object]], figures: str, share: int) -> Element:
    return {
        "type": "ColumnSet",
        "spacing": "Small",
        "columns": [
            {"type": "Column", "width": "stretch", "items": [runs(*label)]},
            {"type": "Column", "width": "auto", "items": [text(figures, weight="Bolder")]},
            {"type": "Column", "width": "auto", "items": [text(bar(share), subtle=True)]},
        ],
    }


def _option_label(view: PollView, number: int, option: OptionTally) -> list[dict[str, object]]:
    if view.kind is PollKind.RATING:
        end = view.low_label if option.text == "1" else view.high_label if option.text == "5" else None
        return [run(option.text), run(f" · {end}")] if end else [run(option.text)]
    label = [run(f"{number}. "), run(option.text)]
    if option.correct:
        label.append(run(" ✓ right answer", weight="Bolder", color="Good"))
    return label


def chart(title: str, points: list[tuple[str, float]], fallback_facts: list[tuple[str, str]]) -> Element:
    """A Teams horizontal bar chart; other clients show the FactSet instead."""
    return {
        "type": "Chart.HorizontalBar",
        "title": title,
        "displayMode": "AbsoluteWithAxis",
        "data": [{"x": _short(label), "y": value} for label, value in points],
        "fallback": facts(fallback_facts),
    }


def _choice_results(view: PollView) -> list[Element]:
    body = []
    for number, option in enumerate(view.options, start=1):
        share = view.percent(option)
        body.append(_row(_option_label(view, number, option), f"{plural(option.votes, 'vote')} · {share}%", share))
    if view.kind is PollKind.RATING and (mean := view.mean_rating) is not None:
        body.append(text(f"Average: {mean:.1f} out of 5.", weight="Bolder", spacing="Small"))
    if view.kind is PollKind.QUIZ and view.closed and (right := view.correct_option) is not None:
        body.append(
            runs(
                run("Right answer: ", weight="Bolder"),
                run(right.text, weight="Bolder"),
                run(f" · {plural(right.votes, 'person', 'people')} ({view.percent(right)}%) got it right."),
                spacing="Small",
            )
        )
    if view.voters:
        points = [(option.text, float(option.votes)) for option in view.options]
        body.append(chart("Answers", points, [(_short(o.text), plural(o.votes, "vote")) for o in view.options]))
    return body


def _confidence_results(view: PollView) -> list[Element]:
    body = []
    for number, option in enumerate(view.options, start=1):
        mean = option.mean
        figures = f"average {mean:.1f} of 5 · {option.votes} rated" if mean is not None else "not rated yet"
        share = round(100 * (mean or 0) / 5)
        body += [  # an outcome is a sentence: it gets the card's width, its figures the line below
            runs(run(f"{number}. "), run(option.text), spacing="Small"),
            {
                "type": "ColumnSet",
                "spacing": "None",
                "columns": [
                    {"type": "Column", "width": "auto", "items": [text(figures, weight="Bolder")]},
                    {"type": "Column", "width": "auto", "items": [text(bar(share), subtle=True)]},
                ],
            },
        ]
    if view.voters:
        points = [(f"Outcome {n}", round(o.mean or 0, 1)) for n, o in enumerate(view.options, start=1)]
        body.append(
            chart("Average confidence (1-5) per learning outcome", points, [(k, f"{v:.1f}") for k, v in points])
        )
    return body


def _text_results(view: PollView) -> list[Element]:
    body: list[Element] = [text("Most frequent words", weight="Bolder", spacing="Small")]
    if view.words:
        inlines: list[dict[str, object]] = []
        for n, word in enumerate(view.words):
            inlines += [run(" · " if n else ""), run(word.word, weight="Bolder"), run(f" ({word.answers})")]
        body.append(runs(*inlines))
    else:
        body.append(text("None yet.", subtle=True))
    if view.answers:
        shown = len(view.answers)
        heading = (
            f"Every answer ({shown}), newest first, shown to you only"
            if shown == view.answers_total
            else f"The latest {shown} of {view.answers_total} answers, shown to you only"
        )
        body.append(text(heading, weight="Bolder", spacing="Medium"))
        body += [runs(run("– "), run(answer)) for answer in view.answers]
    return body


def hidden_line(view: PollView) -> str:
    if view.results is PollResults.LAUNCHER_ONLY:
        return f"Results go to {view.launched_by_name or 'the trainer'} only."
    return "Results are shown when the poll closes."


def results(view: PollView) -> list[Element]:
    """The results section of the card (or why there is none)."""
    if not view.results_shown:
        return [text(hidden_line(view), weight="Bolder", spacing="Small")]
    if view.kind is PollKind.CONFIDENCE:
        return _confidence_results(view)
    if view.kind is PollKind.OPEN_TEXT:
        return _text_results(view)
    return _choice_results(view)
