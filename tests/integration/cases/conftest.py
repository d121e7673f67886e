"""A recorded world for complaints: a platform, shops, anchors, live sessions with their
words in the ledger, listings, consumers with their own tokens, built through the
services exactly as production input would be."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

import pytest

from liveguard.auth import service as auth_service
from liveguard.catalog import service as catalog_service
from liveguard.catalog.schemas import ListingCreate
from liveguard.clock import CHINA
from liveguard.live import ingest
from liveguard.live import service as live_service
from liveguard.live.schemas import SessionCreate
from liveguard.parties import deposits, reviews
from liveguard.parties import service as parties_service
from liveguard.parties.enums import Decision, MovementKind, OwnerKind
from liveguard.parties.schemas import (
    AnchorCreate,
    ConsumerCreate,
    DepositMovementCreate,
    DocumentMeta,
    MerchantCreate,
    PlatformCreate,
    RelationCreate,
    ReviewIn,
)
from liveguard.vocab import PrincipalKind
from tests import factories
from tests.frame_images import encoded, frame

# The S1 live room (seed 003): staff and anchor lead viewers to pay by WeChat QR code.
JACKET = "冬季加厚白鸭绒羽绒服 女款中长款"
NEST = "即食燕窝 滋补礼盒 6瓶装"
S1_EVENTS = [
    (0, "listing_shown", None, JACKET),
    (45, "utterance", "anchor", "家人们看这件羽绒服，白鸭绒的，今天直播间只要669！"),
    (110, "chat", "viewer", "过年期间发货吗？"),
    (150, "utterance", "assistant", "店铺过年不发货哦，着急的宝宝加我们薇信，可以提前安排发货。"),
    (172, "chat", "viewer", "加V多少"),
    (190, "utterance", "anchor", "看屏幕上的二维码，扫码直接付款，私聊给你优惠。"),
    (195, "frame", None, "wxp://f2f0Ht4b7E8cQzX0pLmN3aK9vQ2rT5yW"),  # the QR code held up
    (240, "chat", "viewer", "vx 一三八 1234 五六七八 私我"),
]
# The S2 live room (seed 001): a flavoured drink sold as bird's nest, with a promise.
S2_EVENTS = [
    (0, "listing_shown", None, NEST),
    (30, "utterance", "anchor", "这是真正的即食燕窝，每瓶都是满满的燕窝，天天喝美容养颜。"),
    (80, "utterance", "anchor", "我们家假一赔十，放心拍！"),
    (120, "chat", "viewer", "真的是燕窝吗？"),
]


@dataclass
class World:
    platform_id: int
    jacket_shop: int
    nest_shop: int
    xiaonuan: int  # the jacket room's anchor
    yanjie: int  # the bird's nest anchor
    jacket_session: int
    nest_session: int
    jacket_listing: int
    nest_listing: int
    jacket_started: datetime
    nest_started: datetime
    buyer: int
    other_buyer: int
    tokens: dict[str, str] = field(default_factory=dict)

    def as_consumer(self, who: str = "buyer") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


def _merchant(db, cipher, platform_id: int, categories: list[str], name: str) -> Any:
    merchant = parties_service.create_merchant(
        db_session=db,
        cipher=cipher,
        today=factories.TODAY,
        merchant_in=MerchantCreate(
            **factories.merchant(platform_id, categories=categories, name=name, shop_name=name)
        ),
    )
    reviews.review_merchant(
        db_session=db,
        merchant=merchant,
        actor="compliance",
        today=factories.TODAY,
        review=ReviewIn(decision=Decision.approve),
    )
    deposits.record_movement(
        db_session=db,
        merchant=merchant,
        actor="compliance",
        movement_in=DepositMovementCreate(
            kind=MovementKind.pay_in, amount_fen=500000, reason="onboarding deposit"
        ),
    )
    return merchant


def _anchor(db, cipher, platform_id: int, nickname: str, merchant_id: int) -> Any:
    anchor = parties_service.create_anchor(
        db_session=db,
        cipher=cipher,
        anchor_in=AnchorCreate(**factories.anchor(platform_id, nickname=nickname)),
    )
    reviews.review_anchor(
        db_session=db,
        anchor=anchor,
        actor="compliance",
        today=factories.TODAY,
        review=ReviewIn(decision=Decision.approve),
    )
    parties_service.create_relation(
        db_session=db,
        relation_in=RelationCreate(
            kind="sells_for_merchant",
            anchor_id=anchor.id,
            merchant_id=merchant_id,
            starts_on=factories.TODAY - timedelta(days=90),
        ),
    )
    return anchor


def _session(db, blobs, platform_id, anchor_id, merchant_id, started, events, title, listings):
    """A room whose events go in as a platform sends them: stored, in the ledger, monitored."""
    live_session = live_service.create(
        db_session=db,
        session_in=SessionCreate(
            platform_id=platform_id,
            room_code=f"R-{anchor_id}",
            title=title,
            anchor_id=anchor_id,
            merchant_id=merchant_id,
            started_at=started,
            ended_at=started + timedelta(minutes=90),
        ),
    )
    raw = []
    for n, (at, kind, role, text) in enumerate(events):
        event: dict[str, Any] = {
            "event_id": f"{title}-{n}",
            "kind": kind,
            "occurred_at": (started + timedelta(seconds=at)).isoformat(),
        }
        if kind == "listing_shown":
            event["data"] = {"listing_id": listings[text]}
        elif kind == "frame":  # a still of the stream showing a QR code with this payload
            png = encoded(frame(qr=text))
            event["data"] = {"image_base64": base64.b64encode(png).decode(), "mime": "image/png"}
        else:
            event |= {"speaker_role": role, "text": text}
            if kind == "utterance":
                event["data"] = {"start_ms": at * 1000, "end_ms": at * 1000 + 4000}
        raw.append(event)
    outcome = ingest.ingest(
        db_session=db,
        live_session=live_session,
        raw_events=raw,
        channel="test",
        blobs=blobs,
        now=started + timedelta(minutes=90),
    )
    assert not outcome.refused, outcome.refused
    return live_session


@pytest.fixture
def world(app, db) -> World:
    cipher, blobs = app.state.cipher, app.state.blobs
    with db() as s:
        platform = parties_service.create_platform(
            db_session=s, platform_in=PlatformCreate(**factories.platform(name="星河直播"))
        )
        jacket = _merchant(s, cipher, platform.id, ["apparel"], "暖冬服饰")
        nest = _merchant(s, cipher, platform.id, ["food"], "燕之初食品")
        document = reviews.add_document(
            db_session=s,
            blobs=blobs,
            today=factories.TODAY,
            meta=DocumentMeta(
                owner_kind=OwnerKind.merchant,
                owner_id=nest.id,
                doc_type="food_business_licence",
                number="JY11105050123456",
                issuer="北京市朝阳区市场监督管理局",
                valid_from=factories.TODAY - timedelta(days=300),
                valid_to=factories.TODAY + timedelta(days=900),
            ),
            content=b"%PDF-1.4\n% licence\n",
            file_name="licence.pdf",
            content_type="application/pdf",
        )
        reviews.review_document(
            db_session=s,
            document=document,
            actor="compliance",
            review=ReviewIn(decision=Decision.approve),
        )
        xiaonuan = _anchor(s, cipher, platform.id, "小暖穿搭", jacket.id)
        yanjie = _anchor(s, cipher, platform.id, "燕姐的滋补间", nest.id)
        day = factories.TODAY - timedelta(days=6)
        jacket_started = datetime.combine(day, time(20, 0), CHINA)
        nest_started = datetime.combine(day, time(21, 0), CHINA)
        listed = datetime.combine(factories.TODAY - timedelta(days=10), time(9, 0), CHINA)
        jacket_listing = catalog_service.create(
            db_session=s,
            now=listed,
            actor="compliance",
            listing_in=ListingCreate(
                merchant_id=jacket.id,
                title=JACKET,
                category="apparel",
                price_fen=66900,
                description="90%白鸭绒，充绒量200克。",
                stock=12,
            ),
        )
        nest_listing = catalog_service.create(
            db_session=s,
            now=listed,
            actor="compliance",
            listing_in=ListingCreate(
                merchant_id=nest.id,
                title=NEST,
                category="food",
                price_fen=29900,
                description="每瓶70克，即开即食。正品保证，假一赔十。",
                stock=800,
            ),
        )
        listings = {JACKET: jacket_listing.id, NEST: nest_listing.id}
        jacket_session = _session(
            s,
            blobs,
            platform.id,
            xiaonuan.id,
            jacket.id,
            jacket_started,
            S1_EVENTS,
            "羽绒服专场",
            listings,
        )
        nest_session = _session(
            s,
            blobs,
            platform.id,
            yanjie.id,
            nest.id,
            nest_started,
            S2_EVENTS,
            "燕窝专场",
            listings,
        )
        buyer = parties_service.create_consumer(
            db_session=s,
            cipher=cipher,
            consumer_in=ConsumerCreate(nickname="长春的王女士", phone=factories.phone()),
        )
        other = parties_service.create_consumer(
            db_session=s,
            cipher=cipher,
            consumer_in=ConsumerCreate(nickname="另一位买家", phone=factories.phone()),
        )
        tokens = {
            name: auth_service.issue(
                db_session=s,
                principal_kind=PrincipalKind.consumer,
                principal_id=consumer.id,
                label="test",
            )
            for name, consumer in (("buyer", buyer), ("other_buyer", other))
        }
        return World(
            platform_id=platform.id,
            jacket_shop=jacket.id,
            nest_shop=nest.id,
            xiaonuan=xiaonuan.id,
            yanjie=yanjie.id,
            jacket_session=jacket_session.id,
            nest_session=nest_session.id,
            jacket_listing=jacket_listing.id,
            nest_listing=nest_listing.id,
            jacket_started=jacket_started,
            nest_started=nest_started,
            buyer=buyer.id,
            other_buyer=other.id,
            tokens=tokens,
        )


def s1_complaint(world: World, **overrides: Any) -> dict[str, Any]:
    """S1 as the buyer files it: paid 669 yuan by WeChat QR code, jacket worn and stained."""
    at = world.jacket_started + timedelta(seconds=190)
    return {
        "summary": "主播让扫码微信付款669元，收到的羽绒服是旧的、有污渍，卖家拒绝退货还拉黑了我。",
        "paid_off_platform": True,
        "payment_channel": "wechat_qr",
        "price_paid_fen": 66900,
        "session_id": world.jacket_session,
        "occurred_at": at.isoformat(),
        "facts": {"defect": "not_as_described", "misrepresented_knowingly": True},
        **overrides,
    }
