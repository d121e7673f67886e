"""The words other packages (reports) use to name opinion categories and party kinds,
without importing the tables."""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    """What a post is about: the S10 categories of the consumer association's "618"
    report (labels and descriptions in ``data/categories.yaml``)."""

    false_advertising = "false_advertising"
    quality_counterfeit = "quality_counterfeit"
    after_sales = "after_sales"
    delivery = "delivery"
    price_tricks = "price_tricks"
    red_envelope_coupon = "red_envelope_coupon"
    personal_info_harassment = "personal_info_harassment"
    off_platform = "off_platform"
    fake_data = "fake_data"
    other = "other"


class PartyKind(StrEnum):
    merchant = "merchant"
    anchor = "anchor"
    platform = "platform"
    brand = "brand"


class SubjectKind(StrEnum):
    """What a spike alert is about: a category's posts, or a party's mentions."""

    category = "category"
    party = "party"


class AlertStatus(StrEnum):
    open = "open"
    acknowledged = "acknowledged"
