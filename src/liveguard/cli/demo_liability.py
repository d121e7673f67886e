"""The demo's complaints with no platform record behind them (issue 24): a fake bag bought
from a WeChat Moments seller paid by transfer, and out-of-date biscuits bought at a shop
counter. Filed through the cases flow as a consumer files them, so the console shows the
seller named for a deal with no platform, the producer as first-responsible (not joint),
the refund less what was already paid back, and the at-least floors."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy.orm import Session

from liveguard.clock import CHINA

COMPLAINTS: list[dict[str, Any]] = [
    {
        "summary": "朋友圈里天天发货的微商卖给我一个“专柜正品”包，1200元微信转账，鉴定是假货。"
        "她退了我200元就不理我了。",
        "facts": {
            "channel": "direct",
            "off_platform_payment": "wechat_transfer",
            "seller_repeat_sales": True,
            "category": "other",
            "defect": "counterfeit",
            "misrepresented_knowingly": True,
            "price_paid_fen": 120000,
            "refunded_fen": 20000,
            "claimed": ["return_refund", "fraud_damages"],
        },
    },
    {
        "summary": "在小区超市买了一盒饼干，回家发现已经过了保质期。",
        "facts": {
            "channel": "offline",
            "category": "food",
            "sold_past_shelf_life": True,
            "seller_is_producer": False,
            "price_paid_fen": 3000,
        },
    },
]


def load(db: Session, consumers: dict[str, int], today: date) -> None:
    from liveguard.cases import flows as cases_flows
    from liveguard.cases.enums import CaseOrigin
    from liveguard.cases.schemas import ComplaintCreate

    consumer_id = next(iter(consumers.values()))
    for item in COMPLAINTS:
        cases_flows.file_complaint(
            db_session=db,
            complaint_in=ComplaintCreate(**item),
            consumer_id=consumer_id,
            origin=CaseOrigin.consumer,
            actor=f"consumer:{consumer_id}",
            now=datetime.combine(today, time(0, 0), CHINA),
            today=today,
        )
