"""The liability engine for callers: the answer to a complaint's facts, and the working-day
calendar the statutory deadlines are counted on. The case workflow reaches the engine only
through these functions, so the rule modules can change behind them."""

from __future__ import annotations

from datetime import date

from liveguard.legal import LegalBasis
from liveguard.liability import deadlines, engine
from liveguard.liability.facts import CaseFacts
from liveguard.liability.resolution import Resolution


def resolve(*, facts: CaseFacts, today: date) -> Resolution:
    """Who is liable and how, what is owed, whom to contact by when, and what to ask."""
    return engine.resolve(facts, today=today)


def value_label(value: object) -> str:
    """A fact's value as the answer shows it in Chinese (是/否, 食品, 售出概不退换...)."""
    return engine.value_zh(value)


def claim_choices() -> list[tuple[str, str]]:
    """Whom a consumer may say she claims from, as plain choices (value, Chinese label)."""
    return [(target.value, target.label_zh) for target in engine.claim_targets()]


def claimed_against(choices: list[str]) -> list[str]:
    """The ``claimed_against`` fact (role values) for the consumer's plain choices;
    ValueError names an unknown choice."""
    return [role.value for role in engine.claimed_roles(choices)]


def add_working_days(*, start: date, working_days: int) -> tuple[date, bool]:
    """The ``working_days``-th working day after ``start``, and whether it is an estimate
    (past the official holiday calendar, Monday to Friday less the fixed holidays count)."""
    return deadlines.add_working_days_estimated(start, working_days)


def working_day_limit(name: str) -> tuple[int, list[LegalBasis]] | None:
    """The statutory limit ``name`` in ``deadlines.yaml`` as its number of working days and
    the law that sets it; None if there is no such limit counted in working days."""
    limit = deadlines.data().limits.get(name)
    if limit is None or limit.working_days is None:
        return None
    return limit.working_days, list(limit.legal_basis)
