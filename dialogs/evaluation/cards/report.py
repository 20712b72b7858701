"""The evaluation report for a run's trainers and coordinators, and the comparison of a course's runs.

Numbers only: nobody is named. Per learning outcome, "before vs after" and the then-test ("thinking back" vs
"after"), each with its matched pairs n, means, mean change, share improved and the paired effect size (d_z and
the small-sample corrected g_z, said as such). A Teams grouped bar chart shows the means before and after, with a
FactSet as its fallback (and the same figures in text below it). What people wrote is shown exactly as typed.
While the "after" survey is still open the report has only the counts and says when its figures are published.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from classroom.evaluation.exports import PACE_WORDS
from classroom.evaluation.views import CourseComparison, Measure, OutcomeResult, RunReport, Satisfaction
from dialogs.cards.base import CardMessage, Element, card, container, execute, facts, heading, literal, submit, text
from dialogs.cards.formatting import local_date, plural, short_time
from dialogs.evaluation.parts import EXPORT, REPORT_COMMAND

CHANGES_SHOWN = 20
CHANGES_BUDGET = 8_000  # characters of free text on one card (the CSV has every answer)
EFFECT_SIZES = (
    "Effect sizes are paired: d_z = mean change ÷ SD of the changes; g_z = d_z × (1 − 3/(4·df − 1)), df = n − 1, "
    "is d_z with the small-sample correction. The then-test (thinking back to before the course) counters people "
    "overrating themselves beforehand, but is not free of bias itself: read both. On a 1–5 scale, people who "
    "started high have little room to improve."
)


def _signed(value: float) -> str:
    return f"{value:+.2f}"


def measure_text(measure: Measure, min_group: int) -> str:
    if not measure.shown:
        return f"n = {measure.n} · fewer than {min_group} matched pairs: not shown"
    assert measure.mean_before is not None and measure.mean_after is not None and measure.mean_change is not None
    share = f"{(measure.share_improved or 0) * 100:.0f}%"
    parts = [
        f"n = {measure.n}",
        f"mean {measure.mean_before:.2f} → {measure.mean_after:.2f}",
        f"change {_signed(measure.mean_change)}",
        f"improved {share}",
    ]
    if measure.d_z is not None:
        parts.append(f"d_z {measure.d_z:.2f}")
    if measure.g_z is not None:
        parts.append(f"g_z {measure.g_z:.2f} (small-sample corrected)")
    if measure.undefined:
        parts.append(f"effect size not defined: {measure.undefined}")
    return " · ".join(parts)


def _outcome(result: OutcomeResult, min_group: int) -> Element:
    return container(
        [
            text(f"Outcome {result.number}: {result.text}", weight="Bolder"),
            facts(
                [
                    ("Before vs after", measure_text(result.pre_post, min_group)),
                    ("Then-test vs after", measure_text(result.then_now, min_group)),
                ]
            ),
        ],
        separator=True,
    )


def _chart(report: RunReport) -> list[Element]:
    shown = [o for o in report.outcomes if o.pre_post.shown]
    if not shown:
        return []
    before = [{"x": f"Outcome {o.number}", "y": round(o.pre_post.mean_before or 0, 2)} for o in shown]
    after = [{"x": f"Outcome {o.number}", "y": round(o.pre_post.mean_after or 0, 2)} for o in shown]
    fallback = [
        (f"Outcome {o.number}", f"before {o.pre_post.mean_before:.2f} → after {o.pre_post.mean_after:.2f}")
        for o in shown
    ]
    return [
        {
            "type": "Chart.VerticalBar.Grouped",
            "title": "Mean confidence per learning outcome (1–5), matched pairs",
            "xAxisTitle": "Learning outcome",
            "yAxisTitle": "Mean confidence (1–5)",
            "data": [{"legend": "Before", "values": before}, {"legend": "After", "values": after}],
            "fallback": facts(fallback),
        }
    ]


def _small_group_notice(report: RunReport) -> list[Element]:
    if report.withheld:
        return []  # no figures yet at all: the survey-open notice says why
    hidden = [str(o.number) for o in report.outcomes if not (o.pre_post.shown and o.then_now.shown)]
    held = [f"outcome{'s' if len(hidden) > 1 else ''} {', '.join(hidden)}"] if hidden else []
    if report.satisfaction is None:
        held.append("the satisfaction answers")
    if not held:
        return []
    return [
        container(
            [
                text("Small group: no breakdown", weight="Bolder"),
                text(
                    f"Figures based on fewer than {report.min_group} people are not shown, only how many: in a "
                    f"group this small they could identify someone. Held back: {'; '.join(held)}."
                ),
            ],
            style="warning",
        )
    ]


def published_text(report: RunReport, zone: ZoneInfo) -> str:
    assert report.published_at is not None
    return (
        f'Figures are published on {short_time(report.published_at, zone)}, when the "after" survey closes: '
        "until then answers can still come in or change, and only how many have answered is shown."
    )


def _withheld_notice(report: RunReport, zone: ZoneInfo) -> list[Element]:
    if not report.withheld:
        return []
    return [container([text("Survey still open", weight="Bolder"), text(published_text(report, zone))])]


def _satisfaction(satisfaction: Satisfaction, run_code: str) -> list[Element]:
    def line(counts: dict[str, int]) -> str:
        return " · ".join(f"{PACE_WORDS.get(k, k)}: {v}" for k, v in counts.items())

    body: list[Element] = [
        text("Satisfaction", weight="Bolder"),
        facts(
            [
                ("Relevance to practice (1–5)", line(satisfaction.relevance)),
                ("Trainers (1–5)", line(satisfaction.trainers)),
                ("Pace", line(satisfaction.pace)),
                ("Would recommend", line(satisfaction.recommend)),
            ]
        ),
    ]
    if satisfaction.changes:
        body.append(text("What should change (as written, in no particular order):", weight="Bolder"))
        used = 0
        for shown, change in enumerate(satisfaction.changes):
            if shown >= CHANGES_SHOWN or used + len(change) > CHANGES_BUDGET:
                body.append(text(f"…and {len(satisfaction.changes) - shown} more in the CSV.", subtle=True))
                break
            used += len(change)
            body.append(literal(change))
    if satisfaction.changes_not_carried:
        wrote = plural(satisfaction.changes_not_carried, "person", "people")
        body.append(text(f"{wrote} wrote what should change: type evaluation {run_code} to read it.", weight="Bolder"))
    return [container(body, separator=True)]


def _download(run_code: str) -> Element:
    title = "Download report (CSV)"
    return execute(title, EXPORT, {"run": run_code}, fallback=submit(title, REPORT_COMMAND, f"export {run_code}"))


def build_report_card(report: RunReport, zone: ZoneInfo) -> CardMessage:
    ended = f" · ended {local_date(report.last_session_ends_at, zone)}" if report.last_session_ends_at else ""
    body: list[Element] = [
        heading(f"Evaluation: {report.course_title} ({report.run_code})", size="Medium"),
        text(
            f"Places confirmed: {report.confirmed} · answered before: {report.before_answers} · "
            f"answered after: {report.after_answers}{ended}",
            subtle=True,
        ),
        *_withheld_notice(report, zone),
        *_small_group_notice(report),
        *_chart(report),
        *(_outcome(result, report.min_group) for result in report.outcomes),
    ]
    if report.satisfaction is not None:
        body.extend(_satisfaction(report.satisfaction, report.run_code))
    if not report.withheld:
        body.append(text(EFFECT_SIZES, subtle=True))
    return card(body, [_download(report.run_code)])


def build_comparison_card(comparison: CourseComparison, zone: ZoneInfo) -> CardMessage:
    body: list[Element] = [
        heading(f"Evaluation across runs: {comparison.course_title} ({comparison.course_code})", size="Medium"),
        text(
            "Before vs after per learning outcome, run by run (type evaluation RUN for one run's report).", subtle=True
        ),
    ]
    for report in comparison.runs:
        ended = local_date(report.last_session_ends_at, zone) if report.last_session_ends_at else "no sessions"
        body.append(
            container(
                [
                    text(f"{report.run_code} · {ended} · answered after: {report.after_answers}", weight="Bolder"),
                    text(published_text(report, zone), subtle=True)
                    if report.withheld
                    else facts(
                        [(f"Outcome {o.number}", measure_text(o.pre_post, report.min_group)) for o in report.outcomes]
                    ),
                ],
                separator=True,
            )
        )
    body.append(text(EFFECT_SIZES, subtle=True))
    return card(body)
