"""A merchant that may sell food, household goods and apparel, with its own API token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests import factories

PDF = b"%PDF-1.4\n% a scanned licence\n"
FOOD_LICENCE = "JY13301060012345"

# A food listing that passes every check (review.yaml's example_base, dated for the
# tests' clock): each test changes what it is about.
GOOD_FOOD: dict[str, Any] = {
    "title": "松禾 每日坚果 750g/30袋 混合果仁 独立小包装",
    "description": (
        "每日坚果混合装，含腰果、巴旦木、榛子、核桃仁、蔓越莓干，每袋25g，独立充氮包装，开袋即食。"
    ),
    "category": "food",
    "price_fen": 9900,
    "shipping_fee_fen": 0,
    "stock": 500,
    "label": {
        "product_name": "每日坚果混合果仁",
        "producer_name": "安徽松禾食品有限公司",
        "producer_address": "安徽省芜湖市弋江区高新技术产业开发区久盛路8号",
        "licence_number": "SC11834020300567",
        "production_date": "2026-10-20",
        "shelf_life": "8个月",
        "standard_number": "GB/T 22165",
    },
    "store_terms": "支持七天无理由退货；质量问题退换，运费由本店承担。",
}


@dataclass
class Shop:
    id: int
    headers: dict[str, str]  # the merchant's own token


def upload_document(client, headers, merchant_id: int, **fields) -> dict:
    data = {
        "owner_kind": "merchant",
        "owner_id": str(merchant_id),
        "doc_type": "food_business_licence",
        "number": FOOD_LICENCE,
        "issuer": "杭州市西湖区市场监督管理局",
        "valid_from": "2025-01-01",
        "valid_to": "2030-01-01",
        **fields,
    }
    response = client.post(
        "/api/documents",
        data=data,
        files={"file": ("licence.pdf", PDF, "application/pdf")},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def make_shop(client, auth):
    platform_id = client.post(
        "/api/platforms", json=factories.platform(), headers=auth("admin")
    ).json()["id"]

    def make(*, licence_valid_to: str = "2030-01-01") -> Shop:
        merchant = client.post(
            "/api/merchants",
            json=factories.merchant(platform_id, categories=["food", "household", "apparel"]),
            headers=auth(),
        )
        assert merchant.status_code == 201, merchant.text
        mid = merchant.json()["id"]
        document = upload_document(client, auth(), mid, valid_to=licence_valid_to)
        for url in (f"/api/documents/{document['id']}/review", f"/api/merchants/{mid}/review"):
            decided = client.post(url, json={"decision": "approve"}, headers=auth())
            assert decided.status_code == 200, decided.text
        token = client.post(
            "/api/auth/tokens",
            json={"principal_kind": "merchant", "principal_id": mid, "label": "shop"},
            headers=auth("admin"),
        ).json()["token"]
        return Shop(id=mid, headers={"Authorization": f"Bearer {token}"})

    return make


@pytest.fixture
def shop(make_shop) -> Shop:
    return make_shop()


def listing(shop: Shop, **changes: Any) -> dict[str, Any]:
    body = {**GOOD_FOOD, "merchant_id": shop.id, **changes}
    if "label" in changes:
        body["label"] = {k: v for k, v in {**GOOD_FOOD["label"], **changes["label"]}.items() if v}
    return body


def s3_listing(shop: Shop) -> dict[str, Any]:
    """SCENARIOS.md S3: a "1 cent fan benefit" item that asks 999 yuan for shipping, on a
    page that says what you get only in the live room."""
    return {
        "merchant_id": shop.id,
        "title": "粉丝福利 1分钱秒杀 神秘好物",
        "description": "拍下即发，数量有限，具体看直播。",
        "category": "household",
        "price_fen": 1,
        "shipping_fee_fen": 99900,
        "stock": 100,
        "label": {
            "product_name": "神秘好物",
            "producer_name": "义乌市福利日用品有限公司",
            "producer_address": "浙江省义乌市福田街道商城大道8号",
        },
    }


def checks(body: dict[str, Any]) -> list[str]:
    return [p["check"] for p in body["review"]["problems"]]
