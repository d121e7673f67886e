"""The demo's credit lists (S9), made through the same flows as production: the S1 room's
findings have already proposed its shop and its anchor for the black list as they were
found (the shop's proposal is left for a visitor to decide); here the anchor's agency
objects and staff list the anchor, and a shop with a clean record is put on the red list.
A third shop's room broke the rules long ago: its findings proposed it, it objected and was
black-listed more than the clean period before today, every step on its own day, and it
has rectified since, so it may apply for credit repair (S9's last steps).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session

from liveguard.blobs import BlobStore
from liveguard.clock import CHINA
from liveguard.credit import flows as credit_flows
from liveguard.credit import service as credit_service
from liveguard.credit.enums import Decision, ListKind, SubjectKind
from liveguard.live import ingest
from liveguard.live import service as live_service
from liveguard.live.schemas import SessionCreate
from liveguard.parties import reviews
from liveguard.parties import service as parties_service
from liveguard.parties.enums import Decision as ReviewDecision
from liveguard.parties.schemas import AnchorCreate, MerchantCreate, ReviewIn
from liveguard.privacy.fields import FieldCipher

ACTOR = "compliance"
RED_SHOP = "orchard"  # 鲜果直供农场: nothing recorded against it
OBJECTION = "主播所属 MCN 机构：主播已停播整改，请求从轻处理。"
LISTING_REASON = "三次在直播中公开站外联系方式引导私下交易，证据确凿；异议未提出新的事实。"
RED_REASON = "信用分满分，近 180 天无违规、无成立投诉、无违约，列入守信激励名单。"

# The shop listed long ago (days before the demo's today for each step).
OLD_SHOP = {
    "name": "杭州好物优品贸易有限公司",
    "shop_name": "好物优品小店",
    "credit_code": "91330106MA2H3K5P7M",
    "legal_representative": "孙好",
    "address": "浙江省杭州市西湖区文三路 88 号",
    "contact_phone": "13700001111",
    "categories": ["apparel"],
}
OLD_ANCHOR = {"nickname": "好物小优", "real_name": "孙优", "id_number": "330106199305124524"}
OLD_LINES = ["加我 wx：haowu_shop2025", "微信号是 haowu_888", "加我 wx: haowuyoupin"]
OLD_DAYS = {"live": 200, "objection": 197, "decision": 190}
OLD_OBJECTION = "主播只是口误，本店从未私下交易，请求不予列入。"
OLD_REASON = "三次在直播中公开站外微信号引导私下交易，证据确凿；异议未提出新的事实。"


def load(
    db: Session, cipher: FieldCipher, blobs: BlobStore, ids: dict[str, dict[str, int]], today: date
) -> None:
    merchants, anchors = ids["merchant"], ids["anchor"]
    now = datetime.combine(today, time(9, 30), CHINA)
    anchor = credit_service.Subject(SubjectKind.anchor, anchors["xiaonuan"])
    proposal = credit_service.open_proceeding(
        db_session=db, subject=anchor, list_kind=ListKind.black
    )
    if proposal is not None:
        credit_service.object_to(
            db_session=db, proceeding=proposal, text=OBJECTION, actor=ACTOR, now=now
        )
        credit_flows.decide(
            db_session=db,
            proceeding=proposal,
            decision=Decision.list,
            reason=LISTING_REASON,
            actor=ACTOR,
            now=now,
        )
    red = credit_flows.propose(
        db_session=db,
        subject=credit_service.Subject(SubjectKind.merchant, merchants[RED_SHOP]),
        list_kind=ListKind.red,
        actor=ACTOR,
        now=now,
    )
    credit_flows.decide(
        db_session=db,
        proceeding=red,
        decision=Decision.list,
        reason=RED_REASON,
        actor=ACTOR,
        now=now,
    )
    _listed_long_ago(db, cipher, blobs, ids["platform"]["xinghe"], today)


def _listed_long_ago(
    db: Session, cipher: FieldCipher, blobs: BlobStore, platform_id: int, today: date
) -> None:
    """The old shop's room, its findings (which propose it and its anchor as they come),
    its objection and the decisions, each on its own past day through the same calls."""

    def day(step: str, at: time) -> datetime:
        return datetime.combine(today - timedelta(days=OLD_DAYS[step]), at, CHINA)

    started = day("live", time(20, 0))
    onboarded = started.date() - timedelta(days=100)
    merchant = parties_service.create_merchant(
        db_session=db,
        cipher=cipher,
        today=onboarded,
        merchant_in=MerchantCreate(
            **OLD_SHOP,
            platform_id=platform_id,
            licence_valid_from=started.date() - timedelta(days=700),
        ),
    )
    anchor = parties_service.create_anchor(
        db_session=db, cipher=cipher, anchor_in=AnchorCreate(platform_id=platform_id, **OLD_ANCHOR)
    )
    approve = ReviewIn(decision=ReviewDecision.approve)
    reviews.review_merchant(
        db_session=db, merchant=merchant, review=approve, actor=ACTOR, today=onboarded
    )
    reviews.review_anchor(
        db_session=db, anchor=anchor, review=approve, actor=ACTOR, today=onboarded
    )
    room = live_service.create(
        db_session=db,
        session_in=SessionCreate(
            platform_id=platform_id,
            room_code="haowu-2025",
            title="好物优品 秋冬上新专场",
            anchor_id=anchor.id,
            merchant_id=merchant.id,
            started_at=started,
            ended_at=started + timedelta(minutes=30),
            peak_viewers=800,
        ),
    )
    events = [
        {
            "event_id": f"haowu-{n}",
            "kind": "utterance",
            "occurred_at": (started + timedelta(minutes=5 * n)).isoformat(),
            "speaker_role": "anchor",
            "text": line,
            "data": {"start_ms": 300_000 * n, "end_ms": 300_000 * n + 4000},
        }
        for n, line in enumerate(OLD_LINES, start=1)
    ]
    outcome = ingest.ingest(
        db_session=db,
        live_session=room,
        raw_events=events,
        channel="demo",
        blobs=blobs,
        now=started + timedelta(minutes=30),
    )
    if outcome.refused:
        raise ValueError(f"demo events refused: {outcome.refused}")
    for subject in (
        credit_service.Subject(SubjectKind.merchant, merchant.id),
        credit_service.Subject(SubjectKind.anchor, anchor.id),
    ):
        proposal = credit_service.open_proceeding(
            db_session=db, subject=subject, list_kind=ListKind.black
        )
        if proposal is None:
            raise ValueError(f"the old room's findings proposed no {subject.ref}")
        credit_service.object_to(
            db_session=db,
            proceeding=proposal,
            text=OLD_OBJECTION,
            actor=ACTOR,
            now=day("objection", time(10, 0)),
        )
        credit_flows.decide(
            db_session=db,
            proceeding=proposal,
            decision=Decision.list,
            reason=OLD_REASON,
            actor=ACTOR,
            now=day("decision", time(15, 0)),
        )
