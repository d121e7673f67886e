"""The demo's orders (S4), loaded through the trade service and the daily promise check,
exactly as the platform's integration and the server's timer would record them."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from liveguard.catalog import service as catalog_service
from liveguard.clock import CHINA
from liveguard.privacy.fields import FieldCipher
from liveguard.trade import flows as trade_flows
from liveguard.trade import service as trade_service
from liveguard.trade.schemas import OrderCreate, PromiseCreate, StatusChange

ACTOR = "cases"  # the demo's case handler stands in for the platform's integration account


def _at(today: date, moment: dict[str, Any]) -> datetime:
    day = today - timedelta(days=moment["days_ago"])
    return datetime.combine(day, time.fromisoformat(moment["at"]), CHINA)


def load(
    db: Session,
    spec: dict[str, Any],
    cipher: FieldCipher,
    merchants: dict[str, int],
    consumers: dict[str, int],
    today: date,
) -> None:
    now = datetime.combine(today, time(9, 0), CHINA)
    for item in spec.get("orders", []):
        merchant_id = merchants[item["merchant"]]
        [listing] = [
            listing
            for listing in catalog_service.get_all(db_session=db, merchant_id=merchant_id)
            if listing.title == item["listing"]
        ]
        order = trade_service.create(
            db_session=db,
            cipher=cipher,
            now=now,
            actor=ACTOR,
            order_in=OrderCreate(
                consumer_id=consumers[item["consumer"]],
                merchant_id=merchant_id,
                listing_id=listing.id,
                paid_at=_at(today, item["paid"]),
                **{
                    k: item[k]
                    for k in ("order_no", "quantity", "unit_price_fen", "amount_paid_fen")
                },
            ),
        )
        made: list[int] = []
        for promise in item.get("promises", []):
            data = {k: v for k, v in promise.items() if k not in ("due_days_ago", "said")}
            if "replaces" in data:
                data["replaces_id"] = made[data.pop("replaces")]
            made.append(
                trade_service.add_promise(
                    db_session=db,
                    order=order,
                    now=now,
                    actor=f"merchant:{merchant_id}",
                    promise_in=PromiseCreate(
                        due_on=today - timedelta(days=promise["due_days_ago"]),
                        said_at=_at(today, promise["said"]),
                        **data,
                    ),
                ).id
            )
        for change in item.get("changes", []):
            data = {k: v for k, v in change.items() if k != "at"}
            trade_service.change_status(
                db_session=db,
                order=order,
                now=now,
                actor=f"merchant:{merchant_id}",
                change_in=StatusChange(occurred_at=_at(today, change["at"]), **data),
            )
    # What the server's timer would have found on each day, found now: dated to the day.
    trade_flows.check_promises(db_session=db, day=today, now=now)
