"""S6: a shop that gives coupons for phone numbers, its buyer Lin with her own token, and a
second buyer who never agreed to anything."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests import factories

COUPON_WORDING = "留下手机号即领 20 元无门槛券，并同意接收本店会员活动短信"


@dataclass
class Party:
    id: int
    headers: dict[str, str]


@dataclass
class S6:
    shop: Party
    lin: Party
    lin_phone: str
    other: Party
    platform_id: int

    def coupon_consent(self, **changes: Any) -> dict[str, Any]:
        return {
            "consumer_id": self.lin.id,
            "holder_kind": "merchant",
            "holder_id": self.shop.id,
            "purpose": "marketing",
            "channel": "sms",
            "scope": "手机号码",
            "method": "coupon_form",
            "wording": COUPON_WORDING,
            "room": "美妆直播间 · 双十一专场",
            "in_exchange_for": "20 元无门槛优惠券",
            **changes,
        }

    def sms(self, *consumers: Party, text: str = "本周会员日全场 8 折") -> dict[str, Any]:
        return {
            "merchant_id": self.shop.id,
            "channel": "sms",
            "consumer_ids": [c.id for c in consumers],
            "text": text,
        }


def token(client, auth, kind: str, principal_id: int) -> dict[str, str]:
    issued = client.post(
        "/api/auth/tokens",
        json={"principal_kind": kind, "principal_id": principal_id, "label": "s6"},
        headers=auth("admin"),
    )
    assert issued.status_code == 201, issued.text
    return {"Authorization": f"Bearer {issued.json()['token']}"}


@pytest.fixture
def s6(client, auth) -> S6:
    platform_id = client.post(
        "/api/platforms", json=factories.platform(), headers=auth("admin")
    ).json()["id"]
    shop = client.post("/api/merchants", json=factories.merchant(platform_id), headers=auth())
    assert shop.status_code == 201, shop.text
    shop_id = shop.json()["id"]
    phone = factories.phone()
    parties = []
    for nickname, number in (("林女士", phone), ("路人", factories.phone())):
        made = client.post(
            "/api/consumers", json={"nickname": nickname, "phone": number}, headers=auth()
        )
        assert made.status_code == 201, made.text
        consumer_id = made.json()["id"]
        parties.append(Party(consumer_id, token(client, auth, "consumer", consumer_id)))
    return S6(
        shop=Party(shop_id, token(client, auth, "merchant", shop_id)),
        lin=parties[0],
        lin_phone=phone,
        other=parties[1],
        platform_id=platform_id,
    )
