"""Spikes: a day's count against the subject's own baseline, as ``data/spikes.yaml`` says."""

from __future__ import annotations

import pytest

from liveguard.opinion import trends


@pytest.mark.parametrize("example", trends.rules().examples, ids=str)
def test_the_data_files_examples_hold(example: trends.SpikeExample) -> None:
    assert (trends.check(example.baseline, example.day) is not None) is example.spike


def test_a_quiet_subject_needs_the_minimum_count() -> None:
    config = trends.rules()
    assert trends.check([0] * 14, config.min_count - 1) is None
    assert trends.check([0] * 14, config.min_count) is not None


def test_a_party_needs_fewer_posts_than_a_category() -> None:
    config = trends.rules()
    count = config.party_min_count
    assert trends.check([0] * 14, count) is None
    assert trends.check([0] * 14, count, party=True) is not None


def test_the_alert_says_its_baseline_and_threshold() -> None:
    spike = trends.check([2] * 14, 20)
    assert spike is not None
    assert spike.baseline == 2.0
    assert spike.threshold == pytest.approx(2 + 3 * 2**0.5, abs=1e-3)  # above 5 and 2x2
