"""The credit rules as data (``data/credit.yaml``) and the pure arithmetic on them: a
score from records, the factors that make it, and which list criteria it meets. No
database: the records come from ``sources.py``; the examples in the data file run as
tests."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cache

from pydantic import Field, model_validator

from liveguard import datafiles
from liveguard.clock import CHINA
from liveguard.credit.enums import ListKind, SubjectKind
from liveguard.datafiles import Strict
from liveguard.legal import LegalBasis

DATA_FILE = "credit.yaml"
FULL_SCORE = 100.0


class FactorSpec(Strict):
    id: str
    source: str  # the function in sources.SOURCES that returns its records
    title_zh: str
    subjects: list[SubjectKind] = Field(min_length=1)
    weight: float = Field(gt=0, le=100)
    half_life_days: int = Field(ge=1, le=36500)
    window_days: int = Field(ge=1, le=36500)
    legal_basis: list[LegalBasis] = Field(min_length=1)


class Criterion(Strict):
    """One reason to propose a listing: enough records of a factor in a window, or the
    score below (black) / at least (red) a threshold, with a clean period for red."""

    id: str
    reason_zh: str
    subjects: list[SubjectKind] = Field(default_factory=lambda: list(SubjectKind))
    factor: str | None = None
    record_min_points: float = Field(default=0, ge=0)
    min_records: int = Field(default=0, ge=0, le=1000)
    window_days: int = Field(default=365, ge=1, le=36500)
    score_below: float | None = Field(default=None, ge=0, le=100)
    score_at_least: float | None = Field(default=None, ge=0, le=100)
    clean_days: int | None = Field(default=None, ge=1, le=36500)

    @model_validator(mode="after")
    def _one_test(self) -> Criterion:
        tests = [self.factor is not None, self.score_below is not None]
        tests.append(self.score_at_least is not None)
        if sum(tests) != 1:
            raise ValueError("a criterion tests one thing: factor, score_below or score_at_least")
        if self.factor is not None and self.min_records < 1:
            raise ValueError("a factor criterion needs min_records of at least 1")
        return self


class ListSpec(Strict):
    name_zh: str
    criteria: list[Criterion] = Field(min_length=1)
    legal_basis: list[LegalBasis] = Field(min_length=1)


class Process(Strict):
    objection_working_days: int = Field(ge=1, le=60)
    appeal_working_days: int = Field(ge=1, le=60)
    repair_clean_days: int = Field(ge=0, le=3650)
    notice_zh: str
    legal_basis: list[LegalBasis] = Field(min_length=1)


class Publicity(Strict):
    black_days: int = Field(ge=1, le=3650)
    red_days: int = Field(ge=1, le=3650)
    repaired_days: int = Field(ge=0, le=3650)
    legal_basis: list[LegalBasis] = Field(min_length=1)

    def days(self, list_kind: ListKind) -> int:
        return self.black_days if list_kind is ListKind.black else self.red_days


class Consequence(Strict):
    listing_review: str = Field(pattern="^(manual|fast|normal)$")
    deposit_percent: int = Field(ge=100, le=1000)
    viewer_notice: bool
    text_zh: str
    viewer_notice_zh: str
    legal_basis: list[LegalBasis] = Field(min_length=1)


class ExampleRecord(Strict):
    factor: str
    points: float = Field(ge=0)
    day: date


class Example(Strict):
    name: str
    today: date
    records: list[ExampleRecord]
    expect_score: float
    expect_black: list[str] = Field(default_factory=list)


class ChangeWords(Strict):
    subject_zh: dict[SubjectKind, str]
    step_zh: dict[str, str]  # "<step kind>.<state it led to>"


class Rules(Strict):
    basis: list[LegalBasis] = Field(min_length=1)
    severity_points: dict[str, float]
    factors: list[FactorSpec] = Field(min_length=1)
    upheld_roles: dict[SubjectKind, list[str]]
    records_shown: int = Field(ge=1, le=1000)
    answer_working_days: int = Field(ge=1, le=60)
    lists: dict[ListKind, ListSpec]
    process: Process
    publicity: Publicity
    consequences: dict[ListKind, Consequence]
    change_words: ChangeWords
    examples: list[Example] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references(self) -> Rules:
        ids = [f.id for f in self.factors]
        if len(ids) != len(set(ids)):
            raise ValueError("factor ids must be unique")
        for spec in self.lists.values():
            for criterion in spec.criteria:
                if criterion.factor is not None and criterion.factor not in ids:
                    raise ValueError(f"criterion {criterion.id} names no factor {criterion.factor}")
        for example in self.examples:
            for record in example.records:
                if record.factor not in ids:
                    raise ValueError(f"example {example.name!r} names no factor {record.factor}")
        return self

    def factor(self, factor_id: str) -> FactorSpec:
        return next(f for f in self.factors if f.id == factor_id)

    def factors_for(self, kind: SubjectKind) -> list[FactorSpec]:
        return [f for f in self.factors if kind in f.subjects]

    def points(self, severity: str) -> float:
        return self.severity_points.get(severity, 1.0)


@cache
def rules() -> Rules:
    """The shipped rules, parsed once (legal quotes checked against the texts)."""
    return datafiles.load("liveguard.credit", DATA_FILE, Rules)


# --- the arithmetic -----------------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    """One recorded fact behind a factor: what it is, where to see it, its ledger item."""

    factor: str
    ref: str  # e.g. "live_finding:12", "case:3", "breach:7", "sample:2"
    occurred_at: datetime
    points: float
    summary_zh: str
    link: str | None = None
    ledger_seq: int | None = None


@dataclass(frozen=True)
class Tally:
    """A factor's records worth the same points on the same day in China: what a score
    and a criterion count, so thousands of findings are a few rows a day."""

    points: float
    day: date
    count: int


@dataclass(frozen=True)
class Tallied:
    """A factor's records in its window as a score needs them: tallied, how many, the
    digest of every ref, and the newest records, newest first (all, or the newest few
    when they were counted by the database, ``sources.TALLIES``)."""

    tallies: list[Tally]
    count: int
    digest: str
    newest: list[Record]


def refs_digest(refs: Sequence[str]) -> str:
    """A short digest of a factor's record refs: the history notices a changed set of
    records without storing every ref of a party with thousands."""
    return hashlib.sha256("\n".join(sorted(refs)).encode()).hexdigest()[:16]


def tally(records: Sequence[Record], spec: FactorSpec, today: date) -> Tallied:
    """``records`` of a factor tallied, those past its window dropped (all kept, newest
    first)."""
    mine = [r for r in records if age_days(r.occurred_at, today) <= spec.window_days]
    mine.sort(key=lambda r: r.occurred_at, reverse=True)
    counts = Counter((r.points, r.occurred_at.astimezone(CHINA).date()) for r in mine)
    tallies = [Tally(points, day, n) for (points, day), n in counts.items()]
    return Tallied(tallies, len(mine), refs_digest([r.ref for r in mine]), mine)


@dataclass(frozen=True)
class Factor:
    id: str
    title_zh: str
    weight: float
    value: float  # the records' points, decayed by age, summed
    deduction: float  # weight x value
    records: list[Record] = field(default_factory=list)  # newest first (all, or the newest)
    record_count: int = 0
    refs_digest: str = ""
    tallies: list[Tally] = field(default_factory=list)


@dataclass(frozen=True)
class Score:
    score: float
    factors: list[Factor]


def age_days(moment: datetime, today: date) -> int:
    return max(0, (today - moment.astimezone(CHINA).date()).days)


def day_age(day: date, today: date) -> int:
    return max(0, (today - day).days)


def score(specs: Sequence[FactorSpec], records: Sequence[Record], today: date) -> Score:
    """The score of these records (every one kept in its factor)."""
    return score_tallied(
        specs,
        {
            spec.id: tally([r for r in records if r.factor == spec.id], spec, today)
            for spec in specs
        },
        today,
    )


def score_tallied(
    specs: Sequence[FactorSpec], tallied: Mapping[str, Tallied], today: date
) -> Score:
    """100 less each factor's weight x its records' points, each halved every half-life
    and dropped past the window; never below 0. Rounded to one decimal. Summed a tally at
    a time, in the tallies' order (day, points), so records and database counts give the
    same float."""
    factors = []
    total = 0.0
    for spec in specs:
        mine = tallied[spec.id]
        value = 0.0
        for t in sorted(mine.tallies, key=lambda t: (t.day, t.points)):
            age = day_age(t.day, today)
            if age <= spec.window_days:
                value += t.count * t.points * 0.5 ** (age / spec.half_life_days)
        deduction = round(spec.weight * value, 2)
        total += deduction
        factors.append(
            Factor(
                spec.id,
                spec.title_zh,
                spec.weight,
                round(value, 2),
                deduction,
                mine.newest,
                mine.count,
                mine.digest,
                mine.tallies,
            )
        )
    return Score(round(max(0.0, FULL_SCORE - total), 1), factors)


@dataclass(frozen=True)
class Met:
    """A criterion a score meets, with its reason in words and the records behind it."""

    criterion: str
    reason_zh: str
    records: list[Record]


def criteria_met(list_kind: ListKind, kind: SubjectKind, scored: Score, today: date) -> list[Met]:
    """The criteria of ``list_kind`` for a party of ``kind`` that ``scored`` meets (a red
    criterion only when nothing at all was recorded in its clean period)."""
    found = []
    by_factor = {f.id: f for f in scored.factors}
    for criterion in rules().lists[list_kind].criteria:
        if kind not in criterion.subjects:
            continue
        if criterion.factor is not None:
            factor = by_factor.get(criterion.factor)
            count = sum(
                t.count
                for t in (factor.tallies if factor else [])
                if t.points >= criterion.record_min_points
                and day_age(t.day, today) <= criterion.window_days
            )
            # the records behind it: all of them, when the score was made from records
            hits = [
                r
                for r in (factor.records if factor else [])
                if r.points >= criterion.record_min_points
                and age_days(r.occurred_at, today) <= criterion.window_days
            ]
            if count >= criterion.min_records:
                found.append(Met(criterion.id, criterion.reason_zh.format(count=count), hits))
        elif criterion.score_below is not None:
            if scored.score < criterion.score_below:
                reason = criterion.reason_zh.format(
                    score=scored.score, threshold=criterion.score_below
                )
                worst = [r for f in scored.factors for r in f.records]
                found.append(Met(criterion.id, reason, worst))
        elif criterion.score_at_least is not None and scored.score >= criterion.score_at_least:
            days = criterion.clean_days or 0
            recent = [t for f in scored.factors for t in f.tallies if day_age(t.day, today) <= days]
            if not recent:
                reason = criterion.reason_zh.format(score=scored.score, days=days)
                found.append(Met(criterion.id, reason, []))
    return found


def run_example(example: Example) -> tuple[Score, list[str]]:
    """An example's score and the black criteria a merchant with its records meets (each
    record at noon in China on its day)."""
    records = [
        Record(r.factor, f"example:{i}", datetime.combine(r.day, time(12), CHINA), r.points, "")
        for i, r in enumerate(example.records)
    ]
    scored = score(rules().factors, records, example.today)
    met = criteria_met(ListKind.black, SubjectKind.merchant, scored, example.today)
    return scored, [m.criterion for m in met]
