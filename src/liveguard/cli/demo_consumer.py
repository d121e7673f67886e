"""Demo listings on sale, so that the pages a buyer opens from a link are alive: the S1
jacket shop's and the S4 appliance shop's other goods, each with a full label and no
unproven "original" price, reviewed on the way in and put on sale as a shop would.
Loaded after the report (they add two listing versions to the ledger and nothing else)."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy.orm import Session

from liveguard.catalog import service as catalog_service
from liveguard.catalog.schemas import ListingCreate
from liveguard.clock import CHINA

DEMO_ACTOR = "demo"

ON_SALE = [
    (
        "jacket",
        {
            "title": "轻薄白鸭绒羽绒马甲 男女同款",
            "category": "apparel",
            "price_fen": 19900,
            "shipping_fee_fen": 0,
            "stock": 40,
            "description": "90%白鸭绒，充绒量60克，S-XXL，支持七日无理由退货。",
            "label": {
                "product_name": "白鸭绒羽绒马甲",
                "producer_name": "常熟暖冬服饰有限公司",
                "producer_address": "江苏省常熟市古里镇白雪路18号",
                "standard_number": "GB/T 14272-2021",
            },
        },
    ),
    (
        "aircon",
        {
            "title": "静音落地扇 七叶大风量",
            "category": "appliances",
            "price_fen": 25900,
            "shipping_fee_fen": 0,
            "stock": 120,
            "description": "七叶扇叶，遥控定时，三年质保。",
            "label": {
                "product_name": "电风扇",
                "producer_name": "珠海清凉电器股份有限公司",
                "producer_address": "广东省珠海市香洲区前山金鸡西路789号",
                "standard_number": "GB/T 13380-2018",
            },
        },
    ),
]


def load(db: Session, merchant_ids: dict[str, int], today: date) -> None:
    listed_at = datetime.combine(today, time(0, 0), CHINA)
    for merchant, spec in ON_SALE:
        listing = catalog_service.create(
            db_session=db,
            now=listed_at,
            actor=DEMO_ACTOR,
            listing_in=ListingCreate(merchant_id=merchant_ids[merchant], **spec),
        )
        catalog_service.put_on_sale(db_session=db, listing=listing, now=listed_at)
