"""The demo's S6: a shop that gave a coupon for a phone number and then texted every month.

Loaded through the privacy service as a shop's coupon form and its SMS gateway would: the
coupon-for-phone consent (with the exact words shown and the room), two SMS allowed in the
last month and a third refused over the cap, an app-message consent withdrawn and the send
after it refused, and a case handler's logged look at the buyer's full number. The buyer's
token is printed once, so a visitor can sign in as her at /console/consumer-login.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import typer
from sqlalchemy.orm import Session

from liveguard.auth import service as auth_service
from liveguard.clock import CHINA
from liveguard.parties import service as parties_service
from liveguard.parties.schemas import ConsumerCreate
from liveguard.privacy import flows as privacy_flows
from liveguard.privacy import service as privacy_service
from liveguard.privacy.enums import Channel, ConsentMethod, HolderKind, Purpose
from liveguard.privacy.fields import FieldCipher
from liveguard.privacy.schemas import ConsentCreate
from liveguard.vocab import PrincipalKind

BUYER = ConsumerCreate(nickname="领券的林女士", phone="13812341234")
WORDING = "留下手机号即领 20 元无门槛券，并同意接收本店会员活动短信"
ROOM = "暖冬服饰直播间 · 冬装上新专场"


def _at(today: date, days_ago: int, hour: int = 10) -> datetime:
    return datetime.combine(today - timedelta(days=days_ago), time(hour, 0), CHINA)


def load(db: Session, cipher: FieldCipher, merchants: dict[str, int], today: date) -> None:
    buyer = parties_service.create_consumer(db_session=db, consumer_in=BUYER, cipher=cipher)
    shop = parties_service.get_merchant(db_session=db, merchant_id=merchants["jacket"])
    shop_actor = f"merchant:{shop.id}"
    for channel, days_ago in ((Channel.sms, 40), (Channel.app_message, 40)):
        consent = privacy_service.create_consent(
            db_session=db,
            consent_in=ConsentCreate(
                consumer_id=buyer.id,
                holder_kind=HolderKind.merchant,
                holder_id=shop.id,
                purpose=Purpose.marketing,
                channel=channel,
                scope="手机号码",
                method=ConsentMethod.coupon_form,
                wording=WORDING if channel is Channel.sms else "同意接收本店站内活动消息",
                room=ROOM,
                in_exchange_for="20 元无门槛优惠券" if channel is Channel.sms else None,
                given_at=_at(today, days_ago, 20),
            ),
            recorded_by=shop_actor,
            now=_at(today, days_ago, 20),
        )
    privacy_service.withdraw(db_session=db, consent=consent, via="buyer", now=_at(today, 5))
    sends = [(Channel.sms, 20), (Channel.sms, 10), (Channel.sms, 0), (Channel.app_message, 1)]
    for channel, days_ago in sends:
        privacy_flows.send(
            db_session=db,
            merchant_id=shop.id,
            shop_name=shop.shop_name,
            channel=channel,
            consumer_ids=[buyer.id],
            text="会员日全场 8 折，今晚 8 点直播间见",
            at=_at(today, days_ago, 9),
            requested_by=shop_actor,
            unsubscribe_base="",
            now=_at(today, days_ago, 9),
        )
    privacy_service.record_access(
        db_session=db,
        accessed_by="cases",
        subject_kind=PrincipalKind.consumer.value,
        subject_id=buyer.id,
        fields=["phone"],
        purpose="就投诉与买家本人联系",
    )
    token = auth_service.issue(
        db_session=db,
        principal_kind=PrincipalKind.consumer,
        principal_id=buyer.id,
        label="demo S6 buyer",
    )
    typer.echo(f"  S6 buyer {BUYER.nickname}: sign in at /console/consumer-login with {token}")
