"""The liability engine for callers: the answer to a complaint's facts, and the working-day
calendar the statutory deadlines are counted on. The case workflow reaches the engine only
through these functions, so the rule modules can change behind them."""

from __future__ import annotations

from datetime import date

from liveguard.liability import deadlines, engine
from liveguard.liability.facts import CaseFacts
from liveguard.liability.resolution import Resolution


def resolve(*, facts: CaseFacts, today: date) -> Resolution:
    """Who is liable and how, what is owed, whom to contact by when, and what to ask."""
    return engine.resolve(facts, today=today)


def add_working_days(*, start: date, working_days: int) -> tuple[date, bool]:
    """The ``working_days``-th working day after ``start``, and whether it is an estimate
    (past the official holiday calendar, Monday to Friday less the fixed holidays count)."""
    return deadlines.add_working_days_estimated(start, working_days)
