"""The kinds the privacy package records, apart from its tables so that the console, the
CLI and other packages can name a purpose or a channel without importing them."""

from __future__ import annotations

from enum import StrEnum


class HolderKind(StrEnum):
    """Who holds a buyer's personal information under a consent."""

    merchant = "merchant"
    platform = "platform"
    liveguard = "liveguard"


class Purpose(StrEnum):
    marketing = "marketing"  # promotional messages (商业性信息)
    membership = "membership"  # the shop's membership programme
    order_fulfilment = "order_fulfilment"  # delivering what was bought


class Channel(StrEnum):
    sms = "sms"
    app_message = "app_message"
    call = "call"


class ConsentMethod(StrEnum):
    """How the consent was given: the form the buyer filled in."""

    coupon_form = "coupon_form"  # phone number given for a coupon
    membership_form = "membership_form"
    checkout = "checkout"
    settings_page = "settings_page"


class Refusal(StrEnum):
    """Why a marketing send was refused; the words are in data/policy.yaml."""

    no_consent = "no_consent"
    withdrawn = "withdrawn"
    cap_reached = "cap_reached"
    quiet_hours = "quiet_hours"


class RequestKind(StrEnum):
    export = "export"  # 查阅、复制 (个人信息保护法 art. 45)
    deletion = "deletion"  # 删除 (art. 47)


class RequestStatus(StrEnum):
    open = "open"
    completed = "completed"
    refused = "refused"
