"""The demo's S7 and S11, loaded through the services and flows as the platform's
integration, the shop and the server's timer would record them.

S7: the air conditioner shop promised "下单即送40个红包，每个1-5元，10个工作日审核到账" in its
room and "保价30天" on its listing. One buyer opened forty envelopes worth ten yuan in
all, another got none by the tenth working day; a third paid 1,999 yuan three days before
the price fell to 1,799 yuan, and the shop refused price protection. Each is a finding in
the ledger and a case the buyer did not have to file.

S11: the bird's-nest shop paid Beijing Starlight's anchor for a joint session; the room
(generated with bought viewers, likes and orders) showed a huge audience and sold almost
nothing. Its signs are stored as findings naming the agency and the anchor.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from liveguard.blobs import BlobStore
from liveguard.catalog import service as catalog_service
from liveguard.catalog.schemas import ListingUpdate
from liveguard.clock import CHINA
from liveguard.live import ingest, room_samples
from liveguard.live import service as live_service
from liveguard.live.schemas import SessionCreate
from liveguard.parties import service as parties_service
from liveguard.parties.schemas import ConsumerCreate
from liveguard.privacy.fields import FieldCipher
from liveguard.trade import benefit_records
from liveguard.trade import flows as trade_flows
from liveguard.trade import service as trade_service
from liveguard.trade.schemas import (
    BenefitPromiseCreate,
    OrderCreate,
    PayoutCreate,
    PriceProtectionRefusal,
)

ACTOR = "cases"  # the demo's case handler stands in for the platform's integration account
ENVELOPES = "下单即送40个红包，每个1-5元，10个工作日审核到账"
PROTECTION = "本店支持保价30天，买贵退差"
S11_TITLE = "燕之初 × 燕姐 明星联名专场"


def _at(today: date, days_ago: int, clock: str) -> datetime:
    return datetime.combine(today - timedelta(days=days_ago), time.fromisoformat(clock), CHINA)


def load(
    db: Session,
    cipher: FieldCipher,
    blobs: BlobStore,
    ids: dict[str, dict[str, int]],
    today: date,
) -> None:
    _s7(db, cipher, ids["merchant"]["aircon"], today)
    _s11(db, blobs, ids, today)


def _buyer(db: Session, cipher: FieldCipher, nickname: str, phone: str) -> int:
    consumer_in = ConsumerCreate(nickname=nickname, phone=phone)
    return parties_service.create_consumer(db_session=db, cipher=cipher, consumer_in=consumer_in).id


def _s7(db: Session, cipher: FieldCipher, merchant_id: int, today: date) -> None:
    [listing] = [
        x
        for x in catalog_service.get_all(db_session=db, merchant_id=merchant_id)
        if x.title.startswith("变频冷暖空调")
    ]
    # the shop drops the unproven struck-through price and goes on sale at 1,999 yuan
    opened = datetime.combine(today, time(1, 0), CHINA)
    catalog_service.update(
        db_session=db,
        listing=listing,
        now=opened,
        actor=f"merchant:{merchant_id}",
        listing_in=ListingUpdate(original_price_fen=None),
    )
    catalog_service.put_on_sale(db_session=db, listing=listing, now=opened)
    said = _at(today, 30, "19:55")
    now = datetime.combine(today, time(9, 0), CHINA)
    made = [
        benefit_records.create_promise(
            db_session=db,
            now=now,
            actor=ACTOR,
            promise_in=BenefitPromiseCreate.model_validate(
                {
                    "quote": quote,
                    "merchant_id": merchant_id,
                    "listing_id": listing.id,
                    "source": source,
                    "said_at": said,
                }
            ),
        )
        for quote, source in ((ENVELOPES, "live_room"), (PROTECTION, "listing"))
    ]
    envelopes, protection = made
    buyers = [
        ("抢红包的刘女士", "13800000701", "HB0701-0001", 30, 1000),  # forty worth ten yuan
        ("等红包的陈先生", "13800000702", "HB0701-0002", 30, None),  # none at all
    ]
    for nickname, phone, order_no, days_ago, paid_fen in buyers:
        order = _order(
            db, cipher, (merchant_id, listing.id), (nickname, phone), order_no, today, days_ago
        )
        if paid_fen is not None:
            benefit_records.add_payout(
                db_session=db,
                order=order,
                now=now,
                actor=ACTOR,
                payout_in=PayoutCreate(
                    promise_id=envelopes.id,
                    count=40,
                    amount_fen=paid_fen,
                    paid_at=_at(today, 25, "10:00"),
                ),
            )
    # the price cut comes three days after this buyer paid, this morning
    cut_buyer = _order(
        db,
        cipher,
        (merchant_id, listing.id),
        ("保价被拒的赵女士", "13800000703"),
        "BJ0701-0003",
        today,
        3,
    )
    catalog_service.update(
        db_session=db,
        listing=listing,
        now=datetime.combine(today, time(8, 0), CHINA),
        actor=f"merchant:{merchant_id}",
        listing_in=ListingUpdate(price_fen=179900),
    )
    trade_flows.check_benefits(db_session=db, day=today, now=now)
    trade_flows.refuse_price_protection(
        db_session=db,
        order=cut_buyer,
        now=now,
        refusal_in=PriceProtectionRefusal(
            promise_id=protection.id, said_at=_at(today, 0, "08:30"), reason="活动商品不参与保价"
        ),
    )


def _order(
    db: Session,
    cipher: FieldCipher,
    sold: tuple[int, int],
    buyer: tuple[str, str],
    order_no: str,
    today: date,
    days_ago: int,
) -> Any:
    """A 1,999-yuan order of the listing ``sold`` (shop, listing), paid ``days_ago``."""
    merchant_id, listing_id = sold
    return trade_service.create(
        db_session=db,
        cipher=cipher,
        now=datetime.combine(today, time(7, 0), CHINA),
        actor=ACTOR,
        order_in=OrderCreate(
            order_no=order_no,
            consumer_id=_buyer(db, cipher, *buyer),
            merchant_id=merchant_id,
            listing_id=listing_id,
            quantity=1,
            unit_price_fen=199900,
            amount_paid_fen=199900,
            paid_at=_at(today, days_ago, "20:15"),
        ),
    )


def _s11(db: Session, blobs: BlobStore, ids: dict[str, dict[str, int]], today: date) -> None:
    merchant_id = ids["merchant"]["birdsnest"]
    [listing, *_] = catalog_service.get_all(db_session=db, merchant_id=merchant_id)
    started = _at(today, 2, "20:00")
    room = room_samples.make_room(
        random.Random(11),
        "s11-demo",
        start=started + timedelta(seconds=30),
        bought=["likes", "orders", "viewers"],
        category=listing.category,
        minutes=30,
        listing_id=listing.id,
    )
    live_session = live_service.create(
        db_session=db,
        session_in=SessionCreate(
            platform_id=ids["platform"]["xinghe"],
            room_code="XH-510000",
            title=S11_TITLE,
            anchor_id=ids["anchor"]["yanjie"],
            merchant_id=merchant_id,
            started_at=started,
            ended_at=started + timedelta(minutes=31),
            peak_viewers=0,
        ),
    )
    outcome = ingest.ingest(
        db_session=db,
        live_session=live_session,
        raw_events=room.events,
        channel="demo",
        blobs=blobs,
        now=started + timedelta(minutes=31),
    )
    if outcome.refused:
        raise ValueError(f"demo events refused: {outcome.refused}")
    live_service.check_room_picture(
        db_session=db, live_session=live_session, now=started + timedelta(minutes=32)
    )
