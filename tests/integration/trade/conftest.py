"""A shop selling the S4 air conditioner in a live session, and its buyers with tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest

from liveguard.clock import CHINA
from tests import factories
from tests.integration.catalog.conftest import make_shop  # noqa: F401  (a fixture)

AIRCON: dict[str, Any] = {
    "title": "变频冷暖空调 1.5匹 一级能效 挂机",
    "description": "1.5匹变频冷暖空调，一级能效，含标准安装。",
    "category": "household",
    "price_fen": 199900,
    "shipping_fee_fen": 0,
    "stock": 300,
    "label": {"product_name": "变频冷暖空调", "producer_name": "珠海清凉电器股份有限公司"},
    "store_terms": "支持七天无理由退货；质量问题退换，运费由本店承担。",
}


def at(text: str) -> datetime:
    """A Beijing wall-clock time: '2026-05-01 20:15'."""
    return datetime.fromisoformat(text).replace(tzinfo=CHINA)


@dataclass
class Buyer:
    id: int
    headers: dict[str, str]


@dataclass
class Sale:
    """What an order needs: the shop, its listing, a live session and its anchor."""

    shop_id: int
    shop_headers: dict[str, str]
    platform_id: int
    listing_id: int
    session_id: int
    anchor_id: int

    def order(self, buyer: Buyer, **changes: Any) -> dict[str, Any]:
        return {
            "order_no": f"S4-{buyer.id}-{changes.pop('n', 1)}",
            "consumer_id": buyer.id,
            "merchant_id": self.shop_id,
            "listing_id": self.listing_id,
            "live_session_id": self.session_id,
            "quantity": 1,
            "unit_price_fen": 199900,
            "amount_paid_fen": 199900,
            "paid_at": at("2026-05-01 20:15").isoformat(),
            "batch": "2026-04-B7",
            **changes,
        }


@pytest.fixture
def make_buyer(client, auth):
    def make() -> Buyer:
        consumer = client.post(
            "/api/consumers", json={"nickname": "买家", "phone": factories.phone()}, headers=auth()
        )
        assert consumer.status_code == 201, consumer.text
        cid = consumer.json()["id"]
        token = client.post(
            "/api/auth/tokens",
            json={"principal_kind": "consumer", "principal_id": cid, "label": "app"},
            headers=auth("admin"),
        )
        assert token.status_code == 201, token.text
        return Buyer(id=cid, headers={"Authorization": f"Bearer {token.json()['token']}"})

    return make


@pytest.fixture
def sale(client, auth, clock, make_shop) -> Sale:  # noqa: F811
    """Set up on 1 May 2026, the evening the seed's buyer paid."""
    clock.at = at("2026-05-01 19:00")
    shop = make_shop()
    platform_id = client.get(f"/api/merchants/{shop.id}", headers=auth()).json()["platform_id"]
    anchor = client.post("/api/anchors", json=factories.anchor(platform_id), headers=auth())
    assert anchor.status_code == 201, anchor.text
    listing = client.post(
        "/api/listings", json={**AIRCON, "merchant_id": shop.id}, headers=shop.headers
    )
    assert listing.status_code == 201, listing.text
    session = client.post(
        "/api/sessions",
        json={
            "platform_id": platform_id,
            "room_code": "room-618",
            "title": "618 空调专场",
            "anchor_id": anchor.json()["id"],
            "merchant_id": shop.id,
            "started_at": at("2026-05-01 19:30").isoformat(),
        },
        headers=auth(),
    )
    assert session.status_code == 201, session.text
    clock.at = at("2026-05-01 20:20")
    return Sale(
        shop_id=shop.id,
        shop_headers=shop.headers,
        platform_id=platform_id,
        listing_id=listing.json()["id"],
        session_id=session.json()["id"],
        anchor_id=anchor.json()["id"],
    )
