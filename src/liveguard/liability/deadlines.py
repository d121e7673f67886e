"""Dates the law sets: working days on the official calendar, the complaint time limits,
who to contact first and the escalation ladder (``data/deadlines.yaml``).

Working days come from the ``chinese-calendar`` package (the State Council's yearly
holiday notices, including the 调休 Saturdays and Sundays that are working days). For a
year the package does not cover yet (the notice for a year is published late in the year
before), a day is counted as Monday to Friday and the deadline is marked ``estimated``:
the answer says so, and it should be recomputed once the package is updated.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import chinese_calendar
from pydantic import Field

from liveguard.legal import LegalBasis
from liveguard.liability.liability import Strict, load_data
from liveguard.liability.resolution import Deadline, EscalationStep, RuleRef

DEADLINE_FILE = "deadlines.yaml"


class CalendarNotCovered(LookupError):
    """The official calendar has no data for this year."""


def is_working_day(day: date) -> bool:
    """True on an official working day (a make-up Saturday counts); CalendarNotCovered
    for a year the calendar does not know."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError as error:
        raise CalendarNotCovered(f"no official holiday calendar for {day.year}") from error


def covered(day: date) -> bool:
    try:
        is_working_day(day)
    except CalendarNotCovered:
        return False
    return True


def add_working_days(start: date, n: int) -> date:
    """The ``n``-th working day after ``start`` (``start`` itself is not counted, as the
    law counts a period from the day after the event). CalendarNotCovered past the data."""
    if n < 0:
        raise ValueError("n is a number of working days, 0 or more")
    day, left = start, n
    while left:
        day += timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


def add_working_days_estimated(start: date, n: int) -> tuple[date, bool]:
    """Like ``add_working_days``; past the calendar's last year, Monday to Friday count
    (less the fixed-date public holidays), and the second value says it is an estimate."""
    day, left, estimated = start, n, False
    while left:
        day += timedelta(days=1)
        try:
            working = is_working_day(day)
        except CalendarNotCovered:
            estimated = True
            fixed = day.strftime("%m-%d") in data().estimate_fixed_holidays
            working = day.weekday() < 5 and not fixed
        if working:
            left -= 1
    return day, estimated


def add_years(start: date, years: int) -> date:
    """Same day and month ``years`` later; 29 February becomes 28 February."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


class Limit(Strict):
    what_zh: str
    days: int | None = Field(default=None, ge=1)
    working_days: int | None = Field(default=None, ge=1)
    years: int | None = Field(default=None, ge=1)
    legal_basis: list[LegalBasis] = Field(min_length=1)


class Step(Strict):
    body: str
    body_zh: str
    when_zh: str
    legal_basis: list[LegalBasis] = Field(min_length=1)


class Notes(Strict):
    """What the answer says beside a date (``notes`` in the data file)."""

    estimated: str
    time_barred: str
    knew_of_harm_unknown: str
    from_latest_acceptance: str
    separator: str


class DeadlineFile(Strict):
    estimate_fixed_holidays: list[str] = Field(min_length=1)
    notes: Notes
    limits: dict[str, Limit]
    escalation: list[Step] = Field(min_length=1)


@cache
def data() -> DeadlineFile:
    return load_data(DEADLINE_FILE, DeadlineFile)


def limit_ref(name: str) -> RuleRef:
    limit = data().limits[name]
    return RuleRef(id=name, title=limit.what_zh, legal_basis=limit.legal_basis)


def deadline(name: str, start: date) -> Deadline:
    """The limit ``name`` counted from ``start``."""
    limit = data().limits[name]
    ref = limit_ref(name)
    if limit.working_days is not None:
        due, estimated = add_working_days_estimated(start, limit.working_days)
        note = data().notes.estimated.format(year=due.year) if estimated else None
        return Deadline(
            what_zh=limit.what_zh,
            due_on=due,
            working_days=True,
            estimated=estimated,
            rule=ref,
            note_zh=note,
        )
    if limit.years is not None:
        due = add_years(start, limit.years)
    else:
        assert limit.days is not None
        due = start + timedelta(days=limit.days)
    return Deadline(what_zh=limit.what_zh, due_on=due, working_days=False, rule=ref)


def time_barred(knew_of_harm_on: date | None, today: date) -> bool | None:
    """Over the 3-year limit for a complaint to the market regulator; None if unknown."""
    if knew_of_harm_on is None:
        return None
    return today > deadline("complaint_time_limit", knew_of_harm_on).due_on  # type: ignore[operator]


def escalation(
    *, today: date, barred: bool | None, platform_involved: bool
) -> list[EscalationStep]:
    """The ladder from the platform to the court, with the regulator's dates counted as if
    the complaint were received today."""
    steps: list[EscalationStep] = []
    for step in data().escalation:
        if step.body == "platform" and not platform_involved:
            continue
        ref = RuleRef(id=f"escalate-{step.body}", title=step.body_zh, legal_basis=step.legal_basis)
        dates: list[Deadline] = []
        available, note, notes = True, None, data().notes
        if step.body == "market_regulator":
            if barred:
                available, note = False, notes.time_barred
            elif barred is None:
                note = notes.knew_of_harm_unknown
            accepted = deadline("regulator_acceptance", today)
            dates.append(accepted)
            if accepted.due_on is not None:
                start = notes.from_latest_acceptance.format(accepted_on=accepted.due_on.isoformat())
                for name in ("regulator_mediation_days", "regulator_mediation_working_days"):
                    counted = deadline(name, accepted.due_on)
                    both = notes.separator.join(n for n in (start, counted.note_zh) if n)
                    dates.append(counted.model_copy(update={"note_zh": both}))
        steps.append(
            EscalationStep(
                order=len(steps) + 1,
                body=step.body,
                body_zh=step.body_zh,
                when_zh=step.when_zh,
                deadlines=dates,
                rule=ref,
                available=available,
                note_zh=note,
            )
        )
    return steps
