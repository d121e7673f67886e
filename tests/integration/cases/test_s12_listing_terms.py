"""S12: the listing says "售出概不退换" and "最终解释权归本店所有"; a buyer refused a
return complains naming the listing and the answer says the terms are void, read from the
listing itself - she never states them."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from liveguard.catalog import service as catalog_service
from liveguard.catalog.schemas import ListingCreate
from liveguard.clock import CHINA
from tests import factories


def _listing(db, world, **text) -> int:
    with db() as s:
        listing = catalog_service.create(
            db_session=s,
            now=datetime.combine(factories.TODAY - timedelta(days=10), time(9, 0), CHINA),
            actor="compliance",
            listing_in=ListingCreate(
                merchant_id=world.jacket_shop,
                title="加绒卫衣",
                category="apparel",
                price_fen=12900,
                stock=50,
                **text,
            ),
        )
        return listing.id


def _complain(client, world, listing_id: int) -> dict:
    complaint = {
        "summary": "卫衣起球开线，卖家说售出概不退换。",
        "listing_id": listing_id,
        "price_paid_fen": 12900,
        "facts": {"channel": "platform", "defect": "quality", "live_room": False},
    }
    response = client.post("/api/cases", json=complaint, headers=world.as_consumer())
    assert response.status_code == 201, response.text
    return response.json()


def test_s12_the_listings_own_terms_are_read_and_answered_void(client, world, db):
    listing_id = _listing(
        db,
        world,
        description="直播间专属价，不支持退货。",
        store_terms="售出概不退换。本活动最终解释权归本店所有。",
    )
    case = _complain(client, world, listing_id)
    assert sorted(case["facts"]["standard_terms"]) == ["final_interpretation", "no_returns"]
    assert case["fact_sources"]["standard_terms"]["source"] == "listing"
    notes = {n["id"]: n for n in case["resolution"]["notes"]}
    assert {"term-no-returns-void", "term-final-interpretation-void"} <= set(notes)
    assert "无效" in notes["term-no-returns-void"]["explanation_zh"]
    laws = {(b["law"], b["article"]) for b in notes["term-no-returns-void"]["rule"]["legal_basis"]}
    assert ("民法典·合同编", 497) in laws


def test_a_listing_with_fair_terms_sets_no_standard_term(client, world, db):
    listing_id = _listing(db, world, store_terms="质量问题包退换，支持七天无理由退货。")
    case = _complain(client, world, listing_id)
    assert "standard_terms" not in case["facts"]
    assert not any(n["id"].startswith("term-") for n in case["resolution"]["notes"])
