"""The privacy rules as data (data/policy.yaml), and the marketing send gate's decision.

The decision is pure and takes whole sets at once: the buyers with a live consent, those
who withdrew, and how many messages each was sent in the period. ``service`` loads those
with a few set-based queries for one merchant, so a bulk send of 100,000 buyers is a
handful of queries and one pass of dictionary lookups, not a query per buyer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, time
from enum import StrEnum
from functools import cache
from typing import Literal, TypeVar

import numpy as np
from pydantic import AwareDatetime, Field

from liveguard import datafiles
from liveguard.clock import CHINA
from liveguard.datafiles import Strict
from liveguard.legal import LegalBasis
from liveguard.privacy.enums import (
    Channel,
    ConsentMethod,
    HolderKind,
    Purpose,
    Refusal,
    RequestKind,
    RequestStatus,
)
from liveguard.vocab import StaffRole

DATA_FILE = "policy.yaml"
LABELLED: dict[str, type[StrEnum]] = {
    "channel": Channel,
    "purpose": Purpose,
    "method": ConsentMethod,
    "holder": HolderKind,
    "request_kind": RequestKind,
    "request_status": RequestStatus,
}


class Cap(Strict):
    channel: Channel
    limit: int = Field(ge=0)
    period_days: int = Field(ge=1, le=366)
    note: str
    legal_basis: list[LegalBasis] = Field(min_length=1)


class QuietHours(Strict):
    start: time
    end: time
    note: str
    legal_basis: list[LegalBasis] = Field(min_length=1)

    def covers(self, moment: datetime) -> bool:
        """Whether ``moment`` (any zone) falls in the quiet hours, in Beijing time."""
        local = moment.astimezone(CHINA).time()
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end


class RefusalText(Strict):
    reason: Refusal
    title_zh: str
    legal_basis: list[LegalBasis] = Field(min_length=1)


class BenefitConsent(Strict):
    title_zh: str
    legal_basis: list[LegalBasis] = Field(min_length=1)


class Marketing(Strict):
    caps: list[Cap]
    quiet_hours: QuietHours
    unsubscribe_footer: str
    unsubscribe_basis: list[LegalBasis] = Field(min_length=1)
    refusals: list[RefusalText]
    consent_for_benefit: BenefitConsent


class RevealPurpose(Strict):
    id: str
    title_zh: str


class RevealRule(Strict):
    field: str
    title_zh: str
    roles: list[StaffRole] = Field(min_length=1)
    purposes: list[RevealPurpose] = Field(min_length=1)
    legal_basis: list[LegalBasis] = Field(min_length=1)


class RequestRule(Strict):
    kind: RequestKind
    title_zh: str
    working_days: int = Field(ge=1, le=60)
    legal_basis: list[LegalBasis] = Field(min_length=1)


class RetentionRule(Strict):
    record: Literal["marketing_sends", "withdrawn_consents", "access_log", "closed_requests"]
    title_zh: str
    keep_days: int = Field(ge=1)
    action: Literal["delete", "anonymise"]
    legal_basis: list[LegalBasis] = Field(min_length=1)


class GateExample(Strict):
    name: str
    channel: Channel
    consent: Literal["live", "withdrawn", "none"]
    sent_in_period: int = Field(ge=0)
    at: AwareDatetime
    expect: Refusal | Literal["allowed"]


class Policy(Strict):
    marketing: Marketing
    reveal: list[RevealRule]
    requests: list[RequestRule]
    retention: list[RetentionRule]
    examples: list[GateExample] = Field(min_length=1)
    labels: dict[str, dict[str, str]]

    def label(self, kind: str, value: str) -> str:
        """The words a page shows for a kind's value."""
        return self.labels[kind][value]

    def cap(self, channel: Channel) -> Cap:
        return _one(
            self.marketing.caps, lambda c: c.channel is channel, f"cap for channel {channel.value}"
        )

    def refusal(self, reason: Refusal) -> RefusalText:
        return _one(
            self.marketing.refusals,
            lambda t: t.reason is reason,
            f"words for refusal {reason.value}",
        )

    def reveal_rule(self, field: str) -> RevealRule:
        return _one(self.reveal, lambda r: r.field == field, f"reveal rule for {field}")

    def request_rule(self, kind: RequestKind) -> RequestRule:
        return _one(self.requests, lambda r: r.kind is kind, f"response period for {kind.value}")


_T = TypeVar("_T")


def _one(entries: Iterable[_T], matches: Callable[[_T], bool], missing: str) -> _T:
    """The first entry that matches; a data file missing it is a ``KeyError`` naming what."""
    for entry in entries:
        if matches(entry):
            return entry
    raise KeyError(f"{DATA_FILE} has no {missing}")


@cache
def policy() -> Policy:
    """The shipped rules, parsed once; every channel, refusal and request kind covered."""
    parsed = datafiles.load("liveguard.privacy", DATA_FILE, Policy)
    for channel in Channel:
        parsed.cap(channel)
    for reason in Refusal:
        parsed.refusal(reason)
    for kind in RequestKind:
        parsed.request_rule(kind)
    for name, enum in LABELLED.items():
        missing = {e.value for e in enum} - parsed.labels.get(name, {}).keys()
        if missing:
            raise KeyError(f"{DATA_FILE}: labels.{name} has no words for {sorted(missing)}")
    return parsed


def decide(
    recipients: Sequence[int],
    *,
    live: Mapping[int, int],
    withdrawn: Iterable[int],
    sent: Mapping[int, int],
    cap: Cap,
    quiet: bool,
) -> list[tuple[int, Refusal | None, int | None]]:
    """For each recipient in order: her id, the refusal (None when allowed) and her live
    consent's id. ``live`` maps a buyer to her live consent, ``sent`` to the messages already
    sent in the cap's period; an allowed send counts against the recipients that follow (the
    same buyer twice in one batch gets the cap once).

    A batch without repeats (the usual bulk send) is decided with sorted arrays and binary
    search in numpy; a batch with repeats one recipient at a time, in order."""
    if len(recipients) > 64 and len(set(recipients)) == len(recipients):
        return _decide_unique(recipients, live, set(withdrawn), sent, cap.limit, quiet)
    return _decide_in_order(recipients, live, set(withdrawn), sent, cap.limit, quiet)


def _decide_in_order(
    recipients: Sequence[int],
    live: Mapping[int, int],
    withdrawn: set[int],
    sent: Mapping[int, int],
    limit: int,
    quiet: bool,
) -> list[tuple[int, Refusal | None, int | None]]:
    counted = dict(sent)
    decisions: list[tuple[int, Refusal | None, int | None]] = []
    for consumer_id in recipients:
        consent_id = live.get(consumer_id)
        if consent_id is None:
            gone = consumer_id in withdrawn
            decisions.append((consumer_id, Refusal.withdrawn if gone else Refusal.no_consent, None))
        elif quiet:
            decisions.append((consumer_id, Refusal.quiet_hours, consent_id))
        elif counted.get(consumer_id, 0) >= limit:
            decisions.append((consumer_id, Refusal.cap_reached, consent_id))
        else:
            counted[consumer_id] = counted.get(consumer_id, 0) + 1
            decisions.append((consumer_id, None, consent_id))
    return decisions


def _lookup(
    keys: np.ndarray, values: np.ndarray, wanted: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each wanted key: whether it is in sorted ``keys``, and its value (0 if not)."""
    if len(keys) == 0:
        return np.zeros(len(wanted), dtype=bool), np.zeros(len(wanted), dtype=np.int64)
    at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    found = keys[at] == wanted
    return found, np.where(found, values[at], 0)


def _sorted(mapping: Mapping[int, int]) -> tuple[np.ndarray, np.ndarray]:
    keys = np.fromiter(mapping.keys(), dtype=np.int64, count=len(mapping))
    values = np.fromiter(mapping.values(), dtype=np.int64, count=len(mapping))
    order = np.argsort(keys, kind="stable")
    return keys[order], values[order]


# Codes of the array decision, and what each stands for.
_OUTCOMES = np.array(
    [None, Refusal.no_consent, Refusal.withdrawn, Refusal.quiet_hours, Refusal.cap_reached],
    dtype=object,
)


def _decide_unique(
    recipients: Sequence[int],
    live: Mapping[int, int],
    withdrawn: set[int],
    sent: Mapping[int, int],
    limit: int,
    quiet: bool,
) -> list[tuple[int, Refusal | None, int | None]]:
    wanted = np.fromiter(recipients, dtype=np.int64, count=len(recipients))
    is_live, consent = _lookup(*_sorted(live), wanted)
    gone = np.isin(wanted, np.fromiter(withdrawn, dtype=np.int64, count=len(withdrawn)))
    _, already = _lookup(*_sorted(sent), wanted)
    code = np.where(
        ~is_live,
        np.where(gone, 2, 1),
        3 if quiet else np.where(already >= limit, 4, 0),
    )
    consents: list[int] = np.where(is_live, consent, -1).tolist()
    return list(
        zip(
            recipients,
            _OUTCOMES[code].tolist(),
            [c if c >= 0 else None for c in consents],
            strict=True,
        )
    )


def run_example(example: GateExample, rules: Policy) -> Refusal | Literal["allowed"]:
    """What the gate says for one example buyer (id 1)."""
    live = {1: 1} if example.consent == "live" else {}
    withdrawn = [1] if example.consent == "withdrawn" else []
    [(_, refusal, _)] = decide(
        [1],
        live=live,
        withdrawn=withdrawn,
        sent={1: example.sent_in_period},
        cap=rules.cap(example.channel),
        quiet=rules.marketing.quiet_hours.covers(example.at),
    )
    return "allowed" if refusal is None else refusal
