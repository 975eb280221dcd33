"""The statistics of the dashboard: the mean change of paired before-and-after answers with
its confidence interval (Student's t), and the minimum-group rule. docs/outcomes.md explains
each formula; tests/outcomes/test_statistics.py checks them on hand-computed data."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import fmean, stdev

from scipy.stats import t as student_t

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Change:
    """Paired answers of `n` people: their mean before and after, the mean of each person's
    change (after − before), and its confidence interval (None below two people)."""

    n: int
    before: float
    after: float
    change: float
    low: float | None
    high: float | None


def mean_interval(values: Sequence[float], confidence: float = CONFIDENCE) -> tuple[float, float | None, float | None]:
    """The mean of `values` and its two-sided t interval: mean ± t(1 − α/2, n − 1) · s / √n."""
    mean = fmean(values)
    if len(values) < 2:
        return mean, None, None
    half = float(student_t.ppf(0.5 + confidence / 2, len(values) - 1)) * stdev(values) / math.sqrt(len(values))
    return mean, mean - half, mean + half


def paired_change(pairs: Sequence[tuple[float, float]], confidence: float = CONFIDENCE) -> Change | None:
    """The change over (before, after) pairs of the same people; None when there are none."""
    if not pairs:
        return None
    change, low, high = mean_interval([after - before for before, after in pairs], confidence)
    return Change(
        n=len(pairs),
        before=fmean(before for before, _ in pairs),
        after=fmean(after for _, after in pairs),
        change=change,
        low=low,
        high=high,
    )


def shown(n: int, minimum: int) -> bool:
    """The minimum-group rule: an aggregate of fewer than `minimum` people is not shown."""
    return n >= minimum
