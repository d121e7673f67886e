"""The vocabulary of listing review: what is reviewed (``ListingFacts``), what is found
(``Problem``), the verdict they add up to, and how messages are rendered. No database,
no web; ``checks.py`` explains the review as a whole."""

from __future__ import annotations

import calendar
import dataclasses
import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from liveguard.clock import CHINA
from liveguard.legal import LegalBasis
from liveguard.money import yuan
from liveguard.vocab import Severity

# The checks computed here from the facts; review.yaml gives each its severity, message
# and basis. The text checks take theirs from lexicons.yaml (prohibited.<kind>,
# placeholder_link, terms.unfair) and from the detect rules (claims.<rule category>).
COMPUTED_CHECKS = (
    "three_no.missing_field",
    "three_no.bad_licence_number",
    "three_no.bad_format",
    "three_no.future_production_date",
    "three_no.expired",
    "three_no.licence_expired",
    "qualification.missing",
    "price.fake_original",
    "price.raised_before_discount",
    "price.original_unproven",
    "shipping.excessive",
)


class Verdict(enum.StrEnum):
    approve = "approve"
    changes_requested = "changes_requested"
    reject = "reject"


@dataclass(frozen=True)
class ListingFacts:
    """What review looks at. Money in integer fen; ``now`` and history times aware."""

    title: str
    description: str
    category: str  # a category code of parties/data/qualifications.yaml
    price_fen: int
    now: datetime  # the moment of review: the price comparison is made now
    original_price_fen: int | None = None
    shipping_fee_fen: int = 0
    stock: int = 0
    label: Mapping[str, str] = field(default_factory=dict)
    store_terms: str = ""  # return, shipping and after-sales terms as shown to buyers
    merchant_documents: frozenset[str] | None = None  # valid today; None: not known
    price_history: Sequence[tuple[datetime, int]] = ()  # (since when, price) in force
    # (when, unit price) of orders actually paid: the "lowest deal price" of art. 16 counts
    # them (a coupon-paid order can be lower than the list price), but they are single
    # sales, not prices in force, so the raised-before-discount test does not read them.
    charged_prices: Sequence[tuple[datetime, int]] = ()

    def __post_init__(self) -> None:
        if self.now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        if any(at.tzinfo is None for at, _ in (*self.price_history, *self.charged_prices)):
            raise ValueError("price_history and charged_prices times must be timezone-aware")

    @property
    def today(self) -> date:
        """The date in China: labels and shelf lives are counted in local dates."""
        return self.now.astimezone(CHINA).date()


@dataclass(frozen=True)
class Problem:
    check: str  # a stable id, e.g. "price.fake_original"; its first part is the family
    severity: Severity
    message: str  # plain Chinese: what is wrong and what to fix
    field: str | None
    legal_basis: tuple[LegalBasis, ...]
    # dataclasses.field spelt out: the attribute `field` above shadows the bare name here
    evidence: dict[str, Any] = dataclasses.field(default_factory=dict)  # JSON-ready values

    @property
    def family(self) -> str:
        return self.check.split(".", 1)[0]


def verdict(problems: Iterable[Problem]) -> Verdict:
    worst = max((p.severity.rank for p in problems), default=-1)
    if worst >= Severity.high.rank:
        return Verdict.reject
    if worst == Severity.medium.rank:
        return Verdict.changes_requested
    return Verdict.approve


def render(template: str, evidence: Mapping[str, Any], separator: str) -> str:
    """A message from its template: lists joined by ``separator``, ``*_fen`` also as yuan."""
    slots: dict[str, Any] = {}
    for key, value in evidence.items():
        if isinstance(value, list):
            value = separator.join(map(str, value))
        slots[key] = value
        if key.endswith("_fen") and isinstance(value, int):
            slots[key.removesuffix("_fen") + "_yuan"] = yuan(value, grouping=False)
    return template.format_map(slots)


def add_months(day: date, months: int) -> date:
    """``day`` plus whole months; the 31st of a short month is its last day."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))
