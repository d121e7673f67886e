"""The states, kinds and decisions of parties, apart from the tables so that cases, the CLI
and the pages can name them without importing parties.models."""

from __future__ import annotations

from enum import StrEnum


class PartyStatus(StrEnum):
    pending = "pending"  # registered, waiting for review
    more_requested = "more_requested"
    active = "active"
    suspended = "suspended"
    rejected = "rejected"


class RelationKind(StrEnum):
    signed_with_mcn = "signed_with_mcn"  # anchor is managed by an MCN agency
    sells_for_merchant = "sells_for_merchant"  # anchor promotes the merchant's goods
    mcn_serves_merchant = "mcn_serves_merchant"  # agency contracted by the merchant
    staff_of_merchant = "staff_of_merchant"  # anchor is the merchant's own employee


class OwnerKind(StrEnum):
    merchant = "merchant"
    anchor = "anchor"
    mcn = "mcn"


class ReviewStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"
    more_requested = "more_requested"


class Decision(StrEnum):
    approve = "approve"
    reject = "reject"
    request_more = "request_more"
    suspend = "suspend"
    reinstate = "reinstate"


class MovementKind(StrEnum):
    pay_in = "pay_in"
    deduction = "deduction"  # e.g. advance compensation paid to a consumer
    refund = "refund"  # returned to the merchant
