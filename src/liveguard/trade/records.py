"""The ledger records of trade: one shape for every order fact, sealed where personal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy.orm import Session

from liveguard.evidence import service as evidence_service
from liveguard.evidence.schemas import RecordIn, RecordKind
from liveguard.trade.models import Order


def subject_of(consumer_id: int) -> str:
    """The ledger's name for the buyer whose key seals their personal fields."""
    return f"consumer:{consumer_id}"


def order_record(
    order: Order, occurred_at: datetime, data: dict[str, Any], **extra: Any
) -> RecordIn:
    """An order fact for the ledger; the buyer by id only. ``extra`` sets kind or personal."""
    return RecordIn(
        kind=extra.pop("kind", RecordKind.order),
        occurred_at=occurred_at,
        where={"session_id": order.live_session_id, "listing_id": order.listing_id},
        who={
            "consumer_id": order.consumer_id,
            "merchant_id": order.merchant_id,
            "anchor_id": order.anchor_id,
        },
        data={"order_id": order.id, "order_no": order.order_no, **data},
        **extra,
    )


class _Ledgered(Protocol):
    ledger_seq: int


Row = TypeVar("Row", bound=_Ledgered)


def append_one(db_session: Session, record: RecordIn, now: datetime) -> int:
    [appended] = evidence_service.append(db_session=db_session, records=[record], now=now)
    return appended.seq


def store_and_ledger(
    db_session: Session, row: Row, record_of: Callable[[Row], RecordIn], now: datetime
) -> Row:
    """Add ``row``, flush for its id, append ``record_of(row)`` and keep the record's seq."""
    db_session.add(row)
    db_session.flush()
    row.ledger_seq = append_one(db_session, record_of(row), now)
    return row
