"""A case's states, origins, payment channels and event kinds, apart from the tables so that
another package (the CLI, the pages) can name them without importing cases.models."""

from __future__ import annotations

from enum import StrEnum


class CaseState(StrEnum):
    filed = "filed"  # received; acceptance to be decided
    accepted = "accepted"
    refused = "refused"  # not accepted, with the reason (e.g. filed after three years)
    with_merchant = "with_merchant"  # sent to the first party to answer, with its deadline
    mediation = "mediation"
    decided = "decided"  # a decision record exists
    compensated = "compensated"  # paid, e.g. advanced from the merchant's deposit
    closed = "closed"


class CaseOrigin(StrEnum):
    consumer = "consumer"  # filed by the consumer
    staff = "staff"  # filed by staff on a consumer's behalf
    automatic = "automatic"  # opened by another capability (a broken delivery promise)


class PaymentChannel(StrEnum):
    platform = "platform"  # paid through the platform's checkout
    wechat_transfer = "wechat_transfer"
    wechat_qr = "wechat_qr"  # scanned a WeChat payment or contact QR code
    alipay_transfer = "alipay_transfer"
    bank_transfer = "bank_transfer"
    cash = "cash"
    other = "other"


class CaseEventKind(StrEnum):
    filed = "filed"
    state = "state"  # a state change
    facts = "facts"  # facts answered or corrected; the case was resolved again
    answer = "answer"  # a party's (merchant's, anchor's) answer
    note = "note"  # a mediation note
    compensation = "compensation"
    decision = "decision"
    file = "file"  # an evidence file added
    reminder = "reminder"  # an overdue step was reported
    publicity = "publicity"  # the anonymised record was published
