"""What the evaluation shows: a run's report (numbers only, nobody named) and the comparison of a course's runs.

Plain, immutable data (pydantic, so a report can travel in an outbox row to the trainers' report card).
"""

from __future__ import annotations

from datetime import datetime

from classroom.evaluation.statistics import PairedSummary
from classroom.outbox import NoticePart


class Measure(NoticePart):
    """One paired comparison (baseline vs now) of one outcome. ``shown`` False: fewer than the small-group minimum of
    matched pairs, so only ``n`` is given (every other figure is None)."""

    n: int
    shown: bool
    mean_before: float | None = None
    mean_after: float | None = None
    mean_change: float | None = None
    share_improved: float | None = None
    sd_change: float | None = None
    d_z: float | None = None
    g_z: float | None = None
    undefined: str | None = None

    @classmethod
    def of(cls, summary: PairedSummary, min_group: int) -> Measure:
        if summary.n < min_group:
            return cls(n=summary.n, shown=False)
        return cls(
            n=summary.n,
            shown=True,
            mean_before=summary.mean_before,
            mean_after=summary.mean_after,
            mean_change=summary.mean_change,
            share_improved=summary.share_improved,
            sd_change=summary.sd_change,
            d_z=summary.d_z,
            g_z=summary.g_z,
            undefined=summary.undefined,
        )


class OutcomeResult(NoticePart):
    number: int
    text: str
    pre_post: Measure  # "before" card's rating vs "after" card's "now"
    then_now: Measure  # the "after" card's "thinking back" rating vs its "now" (the then-test)


class Satisfaction(NoticePart):
    """Counts of the "after" card's satisfaction answers; None when too few answered to show them."""

    relevance: dict[str, int]  # "1".."5" -> how many
    trainers: dict[str, int]
    pace: dict[str, int]  # too_slow | about_right | too_fast
    recommend: dict[str, int]  # yes | maybe | no
    changes: list[str]  # what people would change, sorted (not in the order given), as plain text
    changes_not_carried: int = 0  # free-text answers left out (the scheduled card): read live by ``evaluation RUN``


class RunReport(NoticePart):
    run_code: str
    course_code: str
    course_title: str
    last_session_ends_at: datetime | None
    confirmed: int  # places confirmed
    before_answers: int
    after_answers: int
    min_group: int
    outcomes: list[OutcomeResult]
    satisfaction: Satisfaction | None  # None: fewer than ``min_group`` "after" answers, or not yet published
    # Set while the "after" answers are still being taken (and can still change): only the counts are given, the
    # figures are published at this time (the "after" window's close), so no report tells apart one new answer.
    published_at: datetime | None = None

    @property
    def withheld(self) -> bool:
        """The figures are not published yet: the "after" window is still open."""
        return self.published_at is not None

    @property
    def small_group(self) -> bool:
        """Some figure is held back because too few people answered."""
        if self.withheld:
            return False
        return self.satisfaction is None or any(not (o.pre_post.shown and o.then_now.shown) for o in self.outcomes)


class CourseComparison(NoticePart):
    course_code: str
    course_title: str
    runs: list[RunReport]
