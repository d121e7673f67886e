"""Benefit promises found in what the seller said or wrote, without anyone filing them:
each anchor or assistant utterance of a room that sold, and each listing's description
and store terms, read by ``benefits.read``; what promises a red envelope, coupon or price
protection is recorded once, citing where it was said (``ledger:<seq>`` for an
utterance, ``listing_version:<n>`` for a listing).

A listing's words bind the orders paid since the listing was created (the version history
says when they changed; an older wording is not re-read here).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from liveguard.catalog import service as catalog_service
from liveguard.live import service as live_service
from liveguard.live.enums import EventKind, SpeakerRole
from liveguard.trade import benefit_records, benefits
from liveguard.trade.models import BenefitPromise, Order
from liveguard.trade.schemas import BenefitPromiseCreate

SELLERS = (SpeakerRole.anchor, SpeakerRole.assistant)
ACTOR = "system"


def _known(db_session: Session, merchant_id: int, source_ref: str) -> bool:
    query = select(BenefitPromise.id).where(
        BenefitPromise.merchant_id == merchant_id, BenefitPromise.source_ref == source_ref
    )
    return db_session.scalar(query) is not None


def harvest(*, db_session: Session, since: datetime, now: datetime) -> list[BenefitPromise]:
    """Record the promises in the rooms and listings of orders paid since ``since``."""
    orders = db_session.execute(
        select(Order.merchant_id, Order.live_session_id, Order.listing_id)
        .where(Order.paid_at >= since)
        .distinct()
    ).all()
    made: list[BenefitPromise] = []
    for session_id in sorted({o.live_session_id for o in orders if o.live_session_id}):
        made += _from_room(db_session, session_id, now)
    for merchant_id, listing_id in sorted({(o.merchant_id, o.listing_id) for o in orders}):
        made += _from_listing(db_session, merchant_id, listing_id, now)
    return made


def _from_room(db_session: Session, session_id: int, now: datetime) -> list[BenefitPromise]:
    room = live_service.get(db_session=db_session, session_id=session_id)
    made = []
    for event in live_service.get_events(db_session=db_session, session_id=session_id):
        if event.kind is not EventKind.utterance or event.speaker_role not in SELLERS:
            continue
        ref = f"ledger:{event.ledger_seq}" if event.ledger_seq is not None else f"seq:{event.seq}"
        if not event.text or benefits.read(event.text) is None:
            continue
        if _known(db_session, room.merchant_id, ref):
            continue
        where = {"merchant_id": room.merchant_id, "live_session_id": room.id}
        made.append(
            _record(db_session, event.text, where, "live_room", ref, event.occurred_at, now)
        )
    return made


def _from_listing(
    db_session: Session, merchant_id: int, listing_id: int, now: datetime
) -> list[BenefitPromise]:
    listing = catalog_service.get(db_session=db_session, listing_id=listing_id)
    made = []
    for text in (listing.description, listing.store_terms):
        terms = benefits.read(text or "")
        if terms is None:
            continue
        ref = f"listing_version:{listing.version}:{terms.kind.value}"
        if _known(db_session, merchant_id, ref):
            continue
        where = {"merchant_id": merchant_id, "listing_id": listing.id}
        made.append(_record(db_session, text, where, "listing", ref, listing.created_at, now))
    return made


def _record(
    db_session: Session,
    quote: str,
    where: dict[str, int],
    source: str,
    source_ref: str,
    said_at: datetime,
    now: datetime,
) -> BenefitPromise:
    fields = {"quote": quote, "source": source, "source_ref": source_ref, "said_at": said_at}
    return benefit_records.create_promise(
        db_session=db_session,
        now=now,
        actor=ACTOR,
        promise_in=BenefitPromiseCreate.model_validate({**fields, **where}),
    )
