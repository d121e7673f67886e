"""The demo's credit lists (S9), made through the same flows as production: the S1 room's
findings have already proposed its shop and its anchor for the black list as they were
found (the shop's proposal is left for a visitor to decide); here the anchor's agency
objects and staff list the anchor, and a shop with a clean record is put on the red list.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy.orm import Session

from liveguard.clock import CHINA
from liveguard.credit import flows as credit_flows
from liveguard.credit import service as credit_service
from liveguard.credit.enums import Decision, ListKind, SubjectKind

ACTOR = "compliance"
RED_SHOP = "orchard"  # 鲜果直供农场: nothing recorded against it
OBJECTION = "主播所属 MCN 机构：主播已停播整改，请求从轻处理。"
LISTING_REASON = "三次在直播中公开站外联系方式引导私下交易，证据确凿；异议未提出新的事实。"
RED_REASON = "信用分满分，近 180 天无违规、无成立投诉、无违约，列入守信激励名单。"


def load(db: Session, merchants: dict[str, int], anchors: dict[str, int], today: date) -> None:
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
