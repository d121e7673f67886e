"""Spike detection on daily counts, pure: is a day's count above its own baseline?

The method (thresholds in ``data/spikes.yaml``): the baseline is the mean of the subject's
daily counts over the window before the day (a day without posts counts 0); the day is a
spike when its count reaches every one of ``min_count``, ``baseline * min_ratio`` and
``baseline + sigmas * sqrt(baseline)`` (a Poisson count's standard deviation is the square
root of its mean, so a quiet subject needs a relative jump and a busy one a real one).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from liveguard.datafiles import Strict, load

METHOD = "count ≥ max(min_count, baseline×min_ratio, baseline+sigmas×√baseline)"


class SpikeExample(Strict):
    baseline: list[int]
    day: int
    spike: bool


class SpikeRules(Strict):
    window_days: int
    min_count: int
    min_ratio: float
    sigmas: float
    party_min_count: int
    examples: list[SpikeExample]


@cache
def rules() -> SpikeRules:
    return load("liveguard.opinion", "spikes.yaml", SpikeRules)


@dataclass(frozen=True)
class Spike:
    count: int
    baseline: float
    threshold: float


def threshold(history: Sequence[int], *, min_count: int, config: SpikeRules) -> tuple[float, float]:
    """(baseline, the count a day needs to be a spike) for the counts before it."""
    baseline = sum(history) / len(history) if history else 0.0
    needed = max(
        float(min_count),
        baseline * config.min_ratio,
        baseline + config.sigmas * math.sqrt(baseline),
    )
    return baseline, needed


def check(
    history: Sequence[int], count: int, *, party: bool = False, config: SpikeRules | None = None
) -> Spike | None:
    """A Spike when ``count`` is above the baseline of ``history``, else None."""
    config = config or rules()
    minimum = config.party_min_count if party else config.min_count
    baseline, needed = threshold(history, min_count=minimum, config=config)
    if count >= needed:
        return Spike(count, round(baseline, 3), round(needed, 3))
    return None
