"""When a delivery promise is broken: pure logic, no database, driven by the examples in
``data/promises.yaml``.

A promise ("ships by 28 May") holds through the end of its day in China's calendar; on
the next day, if the parcel has not left (or not arrived, for a delivery promise), the
promise is broken, and that day is the day of the breach. A change of promise made
before the old date ran out replaces it (the seller may still move a date it has not yet
missed, and the buyer may cancel); a change made after the date had passed does not undo
the breach: it is a new promise, checked on its own. An order cancelled or refunded
before the date ends every promise on it; one cancelled after the date does not erase
the breach (the buyer may be owed more than the refund).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any

from pydantic import AwareDatetime, Field, ValidationError

from liveguard import datafiles
from liveguard.clock import CHINA
from liveguard.datafiles import Strict
from liveguard.legal import LegalBasis
from liveguard.trade.models import BreachResolution, OrderStatus, PromiseKind

DATA_FILE = "promises.yaml"

# What keeps each kind of promise, and which later status settles a breach of it as late.
FULFILS: dict[PromiseKind, frozenset[OrderStatus]] = {
    PromiseKind.ship_by: frozenset({OrderStatus.shipped, OrderStatus.delivered}),
    PromiseKind.deliver_by: frozenset({OrderStatus.delivered}),
}
ENDS = frozenset({OrderStatus.cancelled, OrderStatus.refunded})
LATE = {
    PromiseKind.ship_by: BreachResolution.shipped_late,
    PromiseKind.deliver_by: BreachResolution.delivered_late,
}


@dataclass(frozen=True)
class Promise:
    id: int
    kind: PromiseKind
    due_on: date
    said_at: datetime
    replaces_id: int | None = None


@dataclass(frozen=True)
class StatusChange:
    status: OrderStatus
    occurred_at: datetime


@dataclass(frozen=True)
class Breach:
    promise_id: int
    kind: PromiseKind
    due_on: date
    breached_on: date
    finding: str  # the id of the finding in promises.yaml


def end_of(day: date) -> datetime:
    """The first instant after ``day`` in China: a promise for ``day`` holds until then."""
    return datetime.combine(day + timedelta(days=1), time(0), CHINA)


def breached_on(due_on: date) -> date:
    return due_on + timedelta(days=1)


def _kept_or_ended(promise: Promise, changes: Sequence[StatusChange]) -> bool:
    deadline = end_of(promise.due_on)
    settling = FULFILS[promise.kind] | ENDS
    return any(c.status in settling and c.occurred_at < deadline for c in changes)


def _replaced_in_time(promise: Promise, promises: Sequence[Promise]) -> bool:
    deadline = end_of(promise.due_on)
    return any(p.replaces_id == promise.id and p.said_at < deadline for p in promises)


def breaches(
    *,
    day: date,
    promises: Sequence[Promise],
    changes: Sequence[StatusChange],
    already: Collection[int] = (),
) -> list[Breach]:
    """The promises of one order that stand broken on ``day`` and were not flagged before.

    Facts recorded after ``day`` do not change the answer: whatever happened after a
    promise's date cannot have kept it.
    """
    found = []
    for promise in sorted(promises, key=lambda p: (p.due_on, p.id)):
        if promise.id in already or breached_on(promise.due_on) > day:
            continue
        if _replaced_in_time(promise, promises) or _kept_or_ended(promise, changes):
            continue
        found.append(
            Breach(
                promise_id=promise.id,
                kind=promise.kind,
                due_on=promise.due_on,
                breached_on=breached_on(promise.due_on),
                finding=policy().finding_for(promise.kind).id,
            )
        )
    return found


def resolution(kind: PromiseKind, status: OrderStatus) -> BreachResolution | None:
    """How a later status change settles a breach of a ``kind`` promise, if it does."""
    if status in FULFILS[kind]:
        return LATE[kind]
    if status in ENDS:
        return BreachResolution(status.value)
    return None


# The policy file: each finding with its legal basis, and the examples the tests run.


class Finding(Strict):
    id: str
    kind: PromiseKind
    title: str = Field(description="plain Chinese, shown to the buyer and the shop")
    case_summary: str = Field(description="the buyer's case, with {order_no}, {due_on}, ...")
    legal_basis: list[LegalBasis] = Field(min_length=1)


class ExamplePromise(Strict):
    id: int
    kind: PromiseKind
    due_on: date
    said_at: AwareDatetime
    replaces: int | None = None


class ExampleChange(Strict):
    status: OrderStatus
    at: AwareDatetime


class ExpectedBreach(Strict):
    promise: int
    breached_on: date


class Example(Strict):
    name: str
    day: date
    promises: list[ExamplePromise]
    changes: list[ExampleChange] = Field(default_factory=list)
    already: list[int] = Field(default_factory=list)
    expect: list[ExpectedBreach]

    def run(self) -> list[Breach]:
        return breaches(
            day=self.day,
            promises=[
                Promise(p.id, p.kind, p.due_on, p.said_at, p.replaces) for p in self.promises
            ],
            changes=[StatusChange(c.status, c.at) for c in self.changes],
            already=self.already,
        )


class Policy(Strict):
    said_quote: str
    findings: list[Finding]
    examples: list[Example] = Field(min_length=1)

    def finding_for(self, kind: PromiseKind) -> Finding:
        for finding in self.findings:
            if finding.kind is kind:
                return finding
        raise KeyError(f"{DATA_FILE} has no finding for {kind.value} promises")

    def all_legal_bases(self) -> list[LegalBasis]:
        return [basis for finding in self.findings for basis in finding.legal_basis]


def parse(raw: dict[str, Any], *, source: str) -> Policy:
    """A policy already read (a test's variant), validated; the first problem named."""
    try:
        parsed = Policy.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(whole file)"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ValueError(f"{source}: {where}: {message}") from None
    return _complete(parsed, source)


def _complete(parsed: Policy, source: str) -> Policy:
    """``parsed``, if it has a finding for every kind of promise."""
    missing = set(PromiseKind) - {f.kind for f in parsed.findings}
    if missing:
        raise ValueError(f"{source}: findings: no finding for {sorted(k.value for k in missing)}")
    return parsed


@cache
def policy() -> Policy:
    """The shipped findings and examples, parsed once."""
    return _complete(datafiles.load("liveguard.trade", DATA_FILE, Policy), DATA_FILE)
