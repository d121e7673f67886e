"""The words of trade other packages may name without importing its tables: the kinds of
benefit a shop promises (red envelopes, coupons, price protection) and what is found when
one is not kept."""

from __future__ import annotations

from enum import StrEnum


class BenefitKind(StrEnum):
    red_envelope = "red_envelope"  # 红包: money paid to the buyer
    coupon = "coupon"  # 优惠券: money off, granted to the buyer
    price_protection = "price_protection"  # 保价: the difference back if the price falls


class BenefitFindingKind(StrEnum):
    payout_missing = "payout_missing"
    payout_short = "payout_short"
    payout_late = "payout_late"
    price_protection_owed = "price_protection_owed"
    price_protection_refused = "price_protection_refused"
