"""Working days on the official calendar, and the complaint time limits."""

from datetime import date

import pytest

from liveguard.liability import deadlines
from liveguard.liability.deadlines import CalendarNotCovered, add_working_days


@pytest.fixture
def calendar_ends_2026(monkeypatch):
    """The official calendar as a release that knows no year after 2026 sees it.

    The real package gains a year each December; pinning its end keeps these tests about
    what LiveGuard does past the calendar, whatever release is installed.
    """
    real = deadlines.chinese_calendar.is_workday

    def is_workday(day):
        if day.year > 2026:
            raise NotImplementedError(f"no data for {day.year}")
        return real(day)

    monkeypatch.setattr(deadlines.chinese_calendar, "is_workday", is_workday)


def test_the_national_day_week_is_not_counted():
    # 2026-10-01..07 are holidays: the day after Wednesday 30 September is Thursday 8 October
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)


def test_a_make_up_saturday_is_a_working_day():
    # Saturday 10 October 2026 is worked in lieu of the National Day holiday
    assert deadlines.is_working_day(date(2026, 10, 10))
    assert add_working_days(date(2026, 10, 9), 1) == date(2026, 10, 10)
    # Sunday 29 September 2024 was a make-up day too
    assert add_working_days(date(2024, 9, 27), 1) == date(2024, 9, 29)


def test_seven_working_days_across_the_spring_festival():
    # 2026: Sat 14 Feb worked; 15-23 Feb holidays; Sat 28 Feb worked
    # Thu 12 Feb + 7: 13, 14 (Sat), 24, 25, 26, 27, 28 (Sat)
    assert add_working_days(date(2026, 2, 12), 7) == date(2026, 2, 28)


def test_an_ordinary_weekend_is_skipped():
    assert add_working_days(date(2026, 11, 13), 1) == date(2026, 11, 16)


def test_zero_working_days_is_the_start_day():
    assert add_working_days(date(2026, 3, 2), 0) == date(2026, 3, 2)


def test_a_year_the_calendar_does_not_know_is_refused_not_guessed(calendar_ends_2026):
    with pytest.raises(CalendarNotCovered, match="2027"):
        add_working_days(date(2027, 3, 3), 1)


def test_past_the_calendar_a_deadline_is_counted_monday_to_friday_and_marked_estimated(
    calendar_ends_2026,
):
    due, estimated = deadlines.add_working_days_estimated(date(2026, 12, 30), 3)
    last_covered = date(2026, 12, 31)
    assert not deadlines.covered(date(2027, 1, 4))
    # 31 Dec 2026 (Thu, covered); 1 Jan 2027 is New Year's Day by fixed date; Mon 4, Tue 5
    assert deadlines.is_working_day(last_covered)
    assert (due, estimated) == (date(2027, 1, 5), True)
    deadline = deadlines.deadline("regulator_acceptance", date(2026, 12, 30))
    assert deadline.estimated and "尚未收录" in (deadline.note_zh or "")


def test_the_regulator_decides_acceptance_within_seven_working_days():
    deadline = deadlines.deadline("regulator_acceptance", date(2026, 9, 28))
    # Mon 28 Sep + 7: 29, 30, 8 Oct, 9, 10 (Sat, make-up), 12, 13
    assert (deadline.due_on, deadline.working_days) == (date(2026, 10, 13), True)


def test_a_complaint_more_than_three_years_after_the_harm_was_known_is_time_barred():
    assert deadlines.time_barred(date(2023, 3, 1), date(2026, 3, 1)) is False
    assert deadlines.time_barred(date(2023, 3, 1), date(2026, 3, 2)) is True
    assert deadlines.time_barred(None, date(2026, 3, 2)) is None


def test_three_years_from_29_february_ends_on_28_february():
    assert deadlines.add_years(date(2024, 2, 29), 3) == date(2027, 2, 28)


def test_a_barred_complaint_takes_the_regulator_off_the_ladder():
    steps = deadlines.escalation(today=date(2026, 12, 4), barred=True, platform_involved=True)
    regulator = next(s for s in steps if s.body == "market_regulator")
    assert regulator.available is False and "三年" in (regulator.note_zh or "")
    court = next(s for s in steps if s.body == "court")
    assert court.available
    assert steps[0].body == "platform"
