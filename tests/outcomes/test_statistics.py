"""The dashboard's statistics on small data sets whose results were computed by hand."""

from __future__ import annotations

import math

import pytest

from app.outcomes.statistics import mean_interval, paired_change, shown


def test_a_paired_change_is_the_mean_of_each_persons_difference_with_a_t_interval() -> None:
    # Differences 10, 20, 30, 40, 50: mean 30, s = √250 = 15.811, s/√5 = 7.0711,
    # t(0.975, 4) = 2.7764 → half-width 19.632: [10.368, 49.632].
    pairs = [(40, 50), (50, 70), (20, 50), (30, 70), (10, 60)]
    change = paired_change(pairs)
    assert change is not None
    assert change.n == 5
    assert change.before == pytest.approx(30.0)
    assert change.after == pytest.approx(60.0)
    assert change.change == pytest.approx(30.0)
    assert change.low == pytest.approx(10.368, abs=1e-3)
    assert change.high == pytest.approx(49.632, abs=1e-3)


def test_a_change_of_zero_for_everyone_has_an_interval_of_zero_width() -> None:
    change = paired_change([(3, 3), (5, 5), (7, 7)])
    assert change is not None and change.change == 0 and change.low == 0 and change.high == 0


def test_a_decrease_is_negative_and_its_interval_is_symmetric() -> None:
    # Differences −1, −2, −3: mean −2, s = 1, s/√3 = 0.57735, t(0.975, 2) = 4.3027 → ±2.4841.
    change = paired_change([(5, 4), (6, 4), (7, 4)])
    assert change is not None
    assert change.change == pytest.approx(-2.0)
    assert change.low == pytest.approx(-4.4841, abs=1e-3)
    assert change.high == pytest.approx(0.4841, abs=1e-3)


def test_one_pair_has_a_change_but_no_interval_and_none_has_nothing() -> None:
    change = paired_change([(20, 35)])
    assert change is not None and change.change == 15 and change.low is None and change.high is None
    assert paired_change([]) is None


def test_the_interval_of_a_mean_narrows_with_more_people() -> None:
    # Ten values 1..10: mean 5.5, s = 3.02765, s/√10 = 0.957427, t(0.975, 9) = 2.26216 → ±2.16585.
    mean, low, high = mean_interval([float(v) for v in range(1, 11)])
    assert mean == pytest.approx(5.5)
    assert low == pytest.approx(3.33415, abs=1e-4)
    assert high == pytest.approx(7.66585, abs=1e-4)
    # A 90 % interval is narrower: t(0.95, 9) = 1.83311 → ±1.75507.
    _, low90, high90 = mean_interval([float(v) for v in range(1, 11)], confidence=0.90)
    assert low90 is not None and high90 is not None
    assert high90 - low90 == pytest.approx(2 * 1.75507, abs=1e-4)
    assert not math.isnan(low90)


def test_the_minimum_group_rule() -> None:
    assert shown(5, 5) and shown(9, 5)
    assert not shown(4, 5) and not shown(0, 3)
