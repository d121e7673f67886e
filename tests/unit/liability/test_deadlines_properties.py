"""Working-day arithmetic, over any start day the official calendar covers and any count:
the result is a working day after the start, exactly ``n`` working days on, later for a
larger ``n``, and two steps add up to one."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import example, given, settings
from hypothesis import strategies as st

from liveguard.liability.deadlines import (
    add_working_days,
    add_working_days_estimated,
    covered,
    is_working_day,
)

FAST = settings(max_examples=80, deadline=None)
# Starts well inside the calendar's years, so that 60 working days on is still covered.
START = st.dates(min_value=date(2005, 1, 1), max_value=date(2025, 9, 30))
DAYS = st.integers(min_value=0, max_value=60)


def _working_days_between(start: date, end: date) -> int:
    """Working days in (start, end], counted one day at a time."""
    days = (end - start).days
    return sum(is_working_day(start + timedelta(days=i)) for i in range(1, days + 1))


@FAST
@given(start=START, n=DAYS)
def test_the_result_is_a_working_day_exactly_n_working_days_on(start, n):
    end = add_working_days(start, n)
    if n == 0:
        assert end == start
        return
    assert end > start
    assert is_working_day(end)
    assert _working_days_between(start, end) == n


@FAST
@given(start=START, n=DAYS)
def test_one_more_working_day_is_always_later(start, n):
    assert add_working_days(start, n + 1) > add_working_days(start, n)


@FAST
@given(start=START, a=st.integers(0, 30), b=st.integers(0, 30))
def test_two_steps_add_up_to_one(start, a, b):
    assert add_working_days(add_working_days(start, a), b) == add_working_days(start, a + b)


@FAST
@given(start=START, n=DAYS)
def test_inside_the_calendar_the_estimate_is_exact_and_not_marked(start, n):
    assert add_working_days_estimated(start, n) == (add_working_days(start, n), False)


@FAST
@given(start=st.dates(min_value=date(2026, 6, 1), max_value=date(2090, 12, 31)), n=DAYS)
@example(start=date(2026, 9, 18), n=1)  # Sunday 20 September 2026 is a make-up working day
def test_past_the_calendar_the_estimate_is_a_weekday_and_says_estimated(start, n):
    end, estimated = add_working_days_estimated(start, n)
    assert end >= start
    if n and estimated:  # past the calendar only Monday to Friday count
        assert end.weekday() < 5
    elif n:  # inside it, the official calendar decides: a make-up Sunday is a working day
        assert is_working_day(end)
    assert estimated == (n > 0 and not covered(end))
