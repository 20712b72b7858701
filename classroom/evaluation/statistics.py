"""Paired before/after statistics for one learning outcome, with the standard library's ``statistics``.

For n matched pairs (one respondent's baseline and "now" ratings on the same 1-5 item): the means, the mean
change, the share who improved (change > 0), the sample SD of the changes (n - 1 in the denominator), and the
paired effect size d_z = mean change / SD of the changes (Lakens 2013) with its small-sample correction
g_z = d_z x (1 - 3 / (4 df - 1)), df = n - 1. What cannot be computed is None with the reason in ``undefined``:
the SD needs two pairs, d_z a non-zero SD, and the correction df >= 2 (at df = 1 its factor is 0).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

Pair = tuple[int, int]  # (baseline, now)


@dataclass(frozen=True)
class PairedSummary:
    n: int
    mean_before: float | None
    mean_after: float | None
    mean_change: float | None
    share_improved: float | None  # 0..1
    sd_change: float | None
    d_z: float | None
    g_z: float | None
    undefined: str | None = None  # why d_z or g_z is not defined


def small_sample_factor(df: int) -> float | None:
    """Hedges' correction J = 1 - 3 / (4 df - 1); None where it means nothing (df < 2)."""
    return 1 - 3 / (4 * df - 1) if df >= 2 else None


def paired_summary(pairs: Sequence[Pair]) -> PairedSummary:
    n = len(pairs)
    if n == 0:
        return PairedSummary(0, None, None, None, None, None, None, None, "no matched pairs")
    before = [b for b, _ in pairs]
    after = [a for _, a in pairs]
    changes = [a - b for b, a in pairs]
    mean_change = statistics.fmean(changes)
    improved = sum(1 for c in changes if c > 0) / n
    common = (n, statistics.fmean(before), statistics.fmean(after), mean_change, improved)
    if n < 2:
        return PairedSummary(*common, None, None, None, "one pair: no spread of changes, so no effect size")
    sd = statistics.stdev(changes)
    if sd == 0:
        return PairedSummary(*common, 0.0, None, None, "every change is the same (SD 0): effect size not defined")
    d_z = mean_change / sd
    factor = small_sample_factor(n - 1)
    if factor is None:
        return PairedSummary(*common, sd, d_z, None, "two pairs: the small-sample correction is not defined")
    return PairedSummary(*common, sd, d_z, d_z * factor)
