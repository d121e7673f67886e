"""Red envelopes, coupons and price protection (S7): pure logic, no database, driven by
``data/benefits.yaml``.

Three things are read here. What was promised, from the words of the room or the listing
("40 个红包，每个 1-5 元，10 个工作日审核到账", "保价 30 天"), by the file's patterns.
Whether a payout promise was kept by its day: nothing paid by the end of the due day is
*missing*; fewer envelopes, or less money than the smallest amount promised for them, is
*short*; everything paid but after the day is *late*. The due day is counted in working
days on the official calendar when the promise says 工作日, in calendar days otherwise, from
the day the buyer paid. And what a price cut inside a price-protection term owes: the
lowest price in force within ``protect_days`` after payment, below the unit price paid,
times the quantity, in fen.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache

from pydantic import Field

from liveguard import datafiles, money
from liveguard.clock import CHINA
from liveguard.datafiles import Strict
from liveguard.legal import LegalBasis, chinese_numeral
from liveguard.trade.enums import BenefitFindingKind as FindingKind
from liveguard.trade.enums import BenefitKind

DATA_FILE = "benefits.yaml"
_AS_CHINESE = str.maketrans("0123456789两", "零一二三四五六七八九二")


# --- reading a promise ------------------------------------------------------------------


@dataclass(frozen=True)
class Terms:
    """What one text promised; ``None`` where it said nothing."""

    kind: BenefitKind
    quote: str
    count: int | None = None
    min_fen: int | None = None
    max_fen: int | None = None
    working_days: int | None = None
    calendar_days: int | None = None
    condition: str | None = None
    protect_days: int | None = None


def number(text: str) -> int:
    """``40`` or ``四十`` or ``两`` -> the number."""
    return int(text) if text.isdigit() else chinese_numeral(text.translate(_AS_CHINESE))


def _first(patterns: Sequence[re.Pattern[str]], text: str) -> re.Match[str] | None:
    for pattern in patterns:
        found = pattern.search(text)
        if found:
            return found
    return None


def read(text: str) -> Terms | None:
    """The benefit the text promises, or None when it promises none."""
    folded = unicodedata.normalize("NFKC", text)
    p = patterns()
    guard = _first(p["price_protection"], folded)
    if guard:
        return Terms(BenefitKind.price_protection, text, protect_days=number(guard["days"]))
    if _first(p["coupon"], folded):
        kind = BenefitKind.coupon
    elif _first(p["red_envelope"], folded):
        kind = BenefitKind.red_envelope
    else:
        return None
    count = _first(p["count"], folded)
    money_range = _first(p["range"], folded)
    single = _first(p["amount"], folded)
    low: int | None
    high: int | None
    if money_range:
        low, high = money.parse_yuan(money_range["min"]), money.parse_yuan(money_range["max"])
    elif single:
        low = high = money.parse_yuan(single["amount"])
    else:
        low = high = None
    if count is None and low is None:
        return None  # a word such as 红包 alone promises nothing countable
    working = _first(p["working_days"], folded)
    calendar = _first(p["calendar_days"], folded)
    condition = _first(p["condition"], folded)
    return Terms(
        kind,
        text,
        count=number(count["count"]) if count else None,
        min_fen=low,
        max_fen=high,
        working_days=number(working["days"]) if working else None,
        calendar_days=number(calendar["days"]) if calendar and not working else None,
        condition=condition["condition"] if condition else None,
    )


# --- was a payout promise kept ----------------------------------------------------------


@dataclass(frozen=True)
class Payout:
    paid_at: datetime
    count: int
    amount_fen: int


@dataclass(frozen=True)
class PayoutVerdict:
    kind: FindingKind
    due_on: date
    found_on: date  # the first day the promise stood broken (or the day of the late payout)
    paid_count: int
    paid_fen: int
    owed_fen: int  # what the smallest promised amount leaves unpaid (0 when unknown)


AddWorkingDays = Callable[[date, int], date]


def due_on(terms: Terms, paid_on: date, add_working_days: AddWorkingDays) -> date:
    """The last day the payout may arrive, counted from the day the buyer paid."""
    if terms.working_days is not None:
        return add_working_days(paid_on, terms.working_days)
    if terms.calendar_days is not None:
        return paid_on + timedelta(days=terms.calendar_days)
    return add_working_days(paid_on, policy().default_pay_within_working_days)


def owed_at_least(terms: Terms) -> int | None:
    """The least the promise pays: count × the smallest amount (one envelope if no count)."""
    if terms.min_fen is None:
        return None
    return (terms.count or 1) * terms.min_fen


def check_payout(
    *,
    terms: Terms,
    paid_on: date,
    payouts: Sequence[Payout],
    day: date,
    add_working_days: AddWorkingDays,
) -> PayoutVerdict | None:
    """The state of one buyer's payout promise on ``day``: missing or short once its day
    has passed, late when everything came but after it; None while it is kept or not due."""
    due = due_on(terms, paid_on, add_working_days)
    if day <= due:
        return None
    deadline = datetime.combine(due + timedelta(days=1), datetime.min.time(), CHINA)
    in_time = [p for p in payouts if p.paid_at < deadline]
    count_in_time = sum(p.count for p in in_time)
    fen_in_time = sum(p.amount_fen for p in in_time)
    least = owed_at_least(terms)
    enough_count = terms.count is None or count_in_time >= terms.count
    enough_fen = least is None or fen_in_time >= least
    broken = due + timedelta(days=1)
    if not in_time:
        kind = FindingKind.payout_missing
    elif not (enough_count and enough_fen):
        kind = FindingKind.payout_short
    else:
        return None
    count_all = sum(p.count for p in payouts)
    fen_all = sum(p.amount_fen for p in payouts)
    if (
        payouts
        and (terms.count is None or count_all >= terms.count)
        and (least is None or fen_all >= least)
    ):
        late = max(p.paid_at for p in payouts).astimezone(CHINA).date()
        return PayoutVerdict(FindingKind.payout_late, due, late, count_all, fen_all, 0)
    return PayoutVerdict(
        kind, due, broken, count_in_time, fen_in_time, max((least or 0) - fen_in_time, 0)
    )


# --- price protection -------------------------------------------------------------------


@dataclass(frozen=True)
class PriceCut:
    cut_at: datetime
    new_unit_fen: int
    owed_fen: int


def price_protection_owed(
    *,
    unit_price_fen: int,
    quantity: int,
    paid_at: datetime,
    protect_days: int,
    prices: Sequence[tuple[datetime, int]],
) -> PriceCut | None:
    """The refund a price cut owes under ``保价 N 天``: the lowest price that came into
    force after the payment and within N days of it (the term ends at the end of the Nth
    day, China time), below what was paid, times the quantity. None if the price held."""
    paid_day = paid_at.astimezone(CHINA).date()
    term_end = datetime.combine(
        paid_day + timedelta(days=protect_days + 1), datetime.min.time(), CHINA
    )
    within = [(at, fen) for at, fen in prices if paid_at < at < term_end and fen < unit_price_fen]
    if not within:
        return None
    cut_at, lowest = min(within, key=lambda point: (point[1], point[0]))
    return PriceCut(cut_at, lowest, (unit_price_fen - lowest) * quantity)


# --- the data file ----------------------------------------------------------------------


class TermPatterns(Strict):
    count: list[str]
    range: list[str]
    amount: list[str]
    working_days: list[str]
    calendar_days: list[str]
    condition: list[str]
    price_protection: list[str]
    red_envelope: list[str]
    coupon: list[str]


class Finding(Strict):
    id: str
    kind: FindingKind
    title: str = Field(description="plain Chinese, shown to the buyer and the shop")
    case_summary: str
    legal_basis: list[LegalBasis] = Field(min_length=1)


class Expected(Strict):
    kind: BenefitKind | None = None
    count: int | None = None
    min_yuan: Decimal | None = None
    max_yuan: Decimal | None = None
    working_days: int | None = None
    calendar_days: int | None = None
    condition: str | None = None
    protect_days: int | None = None


class Example(Strict):
    text: str
    expect: Expected


class Policy(Strict):
    terms: TermPatterns
    default_pay_within_working_days: int = Field(ge=0, le=30)
    findings: list[Finding]
    examples: list[Example] = Field(min_length=1)

    def finding_for(self, kind: FindingKind) -> Finding:
        for finding in self.findings:
            if finding.kind is kind:
                return finding
        raise KeyError(f"{DATA_FILE} has no finding for {kind.value}")


@cache
def policy() -> Policy:
    loaded = datafiles.load("liveguard.trade", DATA_FILE, Policy)
    missing = set(FindingKind) - {f.kind for f in loaded.findings}
    if missing:
        raise ValueError(f"{DATA_FILE}: findings: none for {sorted(k.value for k in missing)}")
    return loaded


@cache
def patterns() -> dict[str, list[re.Pattern[str]]]:
    terms = policy().terms
    return {
        name: [re.compile(p) for p in getattr(terms, name)] for name in TermPatterns.model_fields
    }


def as_expected(terms: Terms | None) -> Expected:
    """What ``read`` found, in the shape of an example's ``expect``."""
    if terms is None:
        return Expected()
    yuan = {
        name: None if fen is None else Decimal(fen) / 100
        for name, fen in (("min_yuan", terms.min_fen), ("max_yuan", terms.max_fen))
    }
    return Expected(
        kind=terms.kind,
        count=terms.count,
        working_days=terms.working_days,
        calendar_days=terms.calendar_days,
        condition=terms.condition,
        protect_days=terms.protect_days,
        **yuan,
    )
