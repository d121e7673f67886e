"""The clock, the UTC timestamp column type, and collected field problems."""

from datetime import UTC, date, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from liveguard.clock import CHINA, Clock, FixedClock
from liveguard.db import UTCDateTime
from liveguard.errors import FieldProblem, InvalidInput, LiveGuardError, Problems

SQLITE = SimpleNamespace(name="sqlite")
POSTGRES = SimpleNamespace(name="postgresql")
BEIJING_NOON = datetime(2026, 11, 23, 12, 0, tzinfo=CHINA)
SAME_IN_UTC = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)


# --- clock -----------------------------------------------------------------------------


def test_the_clock_tells_aware_utc_time():
    before = datetime.now(UTC)
    now = Clock().now()
    assert now.utcoffset() == timedelta(0)
    assert before <= now <= datetime.now(UTC)


def test_a_fixed_clock_tells_its_time():
    assert FixedClock(SAME_IN_UTC).now() == SAME_IN_UTC


def test_china_is_eight_hours_ahead_of_utc():
    assert CHINA.utcoffset(None) == timedelta(hours=8)


def test_today_is_counted_in_china_not_utc():
    late_utc_evening = datetime(2026, 11, 22, 16, 30, tzinfo=UTC)
    assert FixedClock(late_utc_evening).today() == date(2026, 11, 23)


def test_today_before_midnight_in_china_is_still_today():
    assert FixedClock(datetime(2026, 11, 22, 15, 59, tzinfo=UTC)).today() == date(2026, 11, 22)


# --- UTCDateTime -----------------------------------------------------------------------


@pytest.mark.parametrize("dialect", [SQLITE, POSTGRES], ids=lambda d: d.name)
def test_a_naive_datetime_is_refused(dialect):
    with pytest.raises(ValueError, match="naive datetime"):
        UTCDateTime().process_bind_param(datetime(2026, 11, 23, 12, 0), dialect)


def test_an_aware_datetime_is_stored_as_naive_utc_on_sqlite():
    assert UTCDateTime().process_bind_param(BEIJING_NOON, SQLITE) == datetime(2026, 11, 23, 4, 0)


def test_an_aware_datetime_is_stored_as_aware_utc_on_postgres():
    stored = UTCDateTime().process_bind_param(BEIJING_NOON, POSTGRES)
    assert stored == SAME_IN_UTC
    assert stored.tzinfo is UTC


@pytest.mark.parametrize("dialect", [SQLITE, POSTGRES], ids=lambda d: d.name)
def test_none_passes_through(dialect):
    assert UTCDateTime().process_bind_param(None, dialect) is None
    assert UTCDateTime().process_result_value(None, dialect) is None


def test_a_naive_value_read_from_sqlite_is_made_aware_utc():
    read = UTCDateTime().process_result_value(datetime(2026, 11, 23, 4, 0), SQLITE)
    assert read == SAME_IN_UTC
    assert read.tzinfo is UTC


def test_an_aware_value_read_from_postgres_is_converted_to_utc():
    read = UTCDateTime().process_result_value(BEIJING_NOON, POSTGRES)
    assert read == SAME_IN_UTC
    assert read.tzinfo is UTC
    assert read.hour == 4


@pytest.mark.parametrize("dialect", [SQLITE, POSTGRES], ids=lambda d: d.name)
def test_a_value_round_trips_to_the_same_instant(dialect):
    odd_zone = timezone(timedelta(hours=-3, minutes=-30))
    value = datetime(2026, 2, 28, 23, 45, 12, 345678, tzinfo=odd_zone)
    column = UTCDateTime()
    read = column.process_result_value(column.process_bind_param(value, dialect), dialect)
    assert read == value
    assert read.tzinfo is UTC


# --- Problems --------------------------------------------------------------------------


def test_no_problems_raise_nothing():
    Problems().raise_if_any()


def test_one_problem_raises_invalid_input_with_the_fix():
    problems = Problems()
    problems.add("credit_code", "the check character is wrong", "copy it from the licence")
    with pytest.raises(InvalidInput) as raised:
        problems.raise_if_any()
    error = raised.value
    assert isinstance(error, LiveGuardError)
    assert error.status == 422
    assert error.detail == "credit_code: the check character is wrong"
    assert error.problems == [
        FieldProblem("credit_code", "the check character is wrong", "copy it from the licence")
    ]


def test_several_problems_are_raised_together_in_order():
    problems = Problems()
    problems.add("credit_code", "wrong check character")
    problems.add("contact_phone", "too short", "give all 11 digits")
    with pytest.raises(InvalidInput) as raised:
        problems.raise_if_any()
    error = raised.value
    assert error.detail == "credit_code: wrong check character; contact_phone: too short"
    assert [p.field for p in error.problems] == ["credit_code", "contact_phone"]
    assert error.problems[1].as_dict() == {
        "field": "contact_phone",
        "message": "too short",
        "fix": "give all 11 digits",
    }
