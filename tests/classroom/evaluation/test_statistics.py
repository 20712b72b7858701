"""Paired statistics against values worked out by hand (written out below each case), including ties, no change,
one pair, two pairs, and changes all alike (SD 0): what cannot be computed is "not defined", never a crash."""

from __future__ import annotations

from math import isclose, sqrt

import pytest

from classroom.evaluation.statistics import paired_summary, small_sample_factor


def test_four_pairs_with_a_tie_and_a_no_change() -> None:
    # before 2 3 3 4, after 3 4 5 4 -> changes 1 1 2 0 (a tie of 1s, one no change).
    # mean change 4/4 = 1; deviations 0 0 1 -1 -> sum of squares 2, / (n-1 = 3) -> SD sqrt(2/3) = 0.8165.
    # d_z = 1 / 0.8165 = 1.2247; J = 1 - 3/(4*3 - 1) = 1 - 3/11 = 8/11; g_z = 1.2247 * 8/11 = 0.8907.
    summary = paired_summary([(2, 3), (3, 4), (3, 5), (4, 4)])
    assert summary.n == 4
    assert summary.mean_before == 3.0 and summary.mean_after == 4.0 and summary.mean_change == 1.0
    assert summary.share_improved == 0.75  # the no-change pair did not improve
    assert isclose(summary.sd_change or 0, sqrt(2 / 3))
    assert isclose(summary.d_z or 0, 1 / sqrt(2 / 3)) and isclose(summary.d_z or 0, 1.2247, abs_tol=1e-4)
    assert isclose(summary.g_z or 0, 1 / sqrt(2 / 3) * 8 / 11) and isclose(summary.g_z or 0, 0.8907, abs_tol=1e-4)
    assert summary.undefined is None


def test_a_decline_counts_against_the_mean_and_not_as_improved() -> None:
    # changes +2, -1, +1, 0, +3 -> mean 5/5 = 1; deviations 1 -2 0 -1 2 -> squares 1 4 0 1 4 = 10, /4 = 2.5.
    # SD sqrt(2.5) = 1.5811; d_z = 0.6325; J = 1 - 3/15 = 0.8; g_z = 0.5060.
    summary = paired_summary([(1, 3), (4, 3), (2, 3), (3, 3), (2, 5)])
    assert summary.mean_change == 1.0 and summary.share_improved == 0.6
    assert isclose(summary.sd_change or 0, sqrt(2.5))
    assert isclose(summary.d_z or 0, 0.6325, abs_tol=1e-4)
    assert isclose(summary.g_z or 0, 0.5060, abs_tol=1e-4)


def test_no_change_at_all_is_sd_zero_and_no_effect_size() -> None:
    summary = paired_summary([(3, 3), (4, 4), (2, 2)])
    assert (summary.mean_change, summary.share_improved, summary.sd_change) == (0.0, 0.0, 0.0)
    assert summary.d_z is None and summary.g_z is None
    assert "SD 0" in (summary.undefined or "")


def test_identical_changes_have_sd_zero_and_no_effect_size() -> None:
    # Everyone up by exactly 1: a real improvement, but d_z = 1 / 0 is not a number.
    summary = paired_summary([(1, 2), (2, 3), (3, 4), (4, 5), (2, 3)])
    assert summary.mean_change == 1.0 and summary.share_improved == 1.0 and summary.sd_change == 0.0
    assert summary.d_z is None and summary.g_z is None
    assert "not defined" in (summary.undefined or "")


def test_one_pair_has_means_but_no_spread() -> None:
    summary = paired_summary([(2, 4)])
    assert (summary.n, summary.mean_before, summary.mean_after, summary.mean_change) == (1, 2.0, 4.0, 2.0)
    assert summary.share_improved == 1.0
    assert summary.sd_change is None and summary.d_z is None and summary.g_z is None
    assert "one pair" in (summary.undefined or "")


def test_two_pairs_have_d_z_but_the_correction_is_not_defined() -> None:
    # changes 1, 2 -> mean 1.5; SD sqrt(((-.5)^2 + .5^2) / 1) = sqrt(.5) = 0.7071; d_z = 2.1213.
    # df = 1: J = 1 - 3/(4 - 1) = 0, a correction that would wipe out any effect: not reported.
    summary = paired_summary([(1, 2), (2, 4)])
    assert isclose(summary.d_z or 0, 1.5 / sqrt(0.5))
    assert summary.g_z is None and "correction" in (summary.undefined or "")


def test_no_pairs() -> None:
    summary = paired_summary([])
    assert summary.n == 0 and summary.mean_change is None and summary.d_z is None


@pytest.mark.parametrize(("df", "factor"), [(1, None), (2, 1 - 3 / 7), (4, 1 - 3 / 15), (29, 1 - 3 / 115)])
def test_small_sample_factor(df: int, factor: float | None) -> None:
    assert small_sample_factor(df) == factor
