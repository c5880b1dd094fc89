"""95% percentile-bootstrap intervals: resample questions with replacement, recompute the figure.

Seeded, so the same results give the same intervals on every run.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel


class Estimate(BaseModel):
    value: float | None = None
    low: float | None = None
    high: float | None = None
    n: int = 0

    def contains(self, value: float) -> bool:
        return self.low is not None and self.high is not None and self.low <= value <= self.high


def _indices(n: int, resamples: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, n, size=(resamples, n))


def _interval(samples: np.ndarray) -> tuple[float, float]:
    samples = samples[~np.isnan(samples)]
    low, high = np.percentile(samples, [2.5, 97.5])
    return float(low), float(high)


def mean_ci(values: Sequence[float], resamples: int = 1000, seed: int = 0) -> Estimate:
    if not values:
        return Estimate()
    data = np.asarray(values, dtype=float)
    means = data[_indices(len(data), resamples, seed)].mean(axis=1)
    low, high = _interval(means)
    return Estimate(value=float(data.mean()), low=low, high=high, n=len(data))


def ratio_ci(
    hits: Sequence[bool], relevant: Sequence[bool], resamples: int = 1000, seed: int = 0
) -> Estimate:
    """sum(hits) / sum(relevant) over the same resampled questions (precision, recall)."""
    num, den = np.asarray(hits, dtype=float), np.asarray(relevant, dtype=float)
    if den.sum() == 0:
        return Estimate()
    idx = _indices(len(den), resamples, seed)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratios = num[idx].sum(axis=1) / den[idx].sum(axis=1)
    low, high = _interval(ratios)
    return Estimate(value=float(num.sum() / den.sum()), low=low, high=high, n=int(den.sum()))


def percentile_ci(
    values: Sequence[float], q: float, resamples: int = 1000, seed: int = 0
) -> Estimate:
    if not values:
        return Estimate()
    data = np.asarray(values, dtype=float)
    stats = np.percentile(data[_indices(len(data), resamples, seed)], q, axis=1)
    low, high = _interval(stats)
    return Estimate(value=float(np.percentile(data, q)), low=low, high=high, n=len(data))
