"""A stored room's real picture (S11), and its signs of bought traffic as live findings.

Reads the room's counters, chat and orders from the database, hands them to the pure
``picture`` module, and stores each new signal as a live finding (source ``traffic``),
in the ledger, counted in the room's tallies and acted on by enforcement policy like
every other finding. The finding names who controlled the numbers as the anchor's
relations on the day show (``controllers`` in ``data/picture.yaml``).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from liveguard.catalog import service as catalog_service
from liveguard.clock import CHINA
from liveguard.credit import flows as credit_flows
from liveguard.enforcement import service as enforcement_service
from liveguard.errors import LiveGuardError
from liveguard.evidence import service as evidence_service
from liveguard.live import picture as rules
from liveguard.live import service as live_service
from liveguard.live.enums import EventKind, FindingSource, FindingSpeaker
from liveguard.live.models import LiveEvent, LiveFinding, LiveSession
from liveguard.live.monitor import finding_record
from liveguard.live.schemas import (
    Controllers,
    MinuteRead,
    NamedParty,
    RoomPictureRead,
    SignalRead,
)
from liveguard.parties import service as parties_service

READ = (EventKind.counters, EventKind.chat, EventKind.order, EventKind.listing_shown)
ELSEWHERE_DAYS = 30  # how far back "seen in another room" looks


def _events(db_session: Session, session_id: int) -> list[LiveEvent]:
    query = (
        select(LiveEvent)
        .where(LiveEvent.session_id == session_id, LiveEvent.kind.in_(READ))
        .order_by(LiveEvent.seq)
    )
    return list(db_session.scalars(query).all())


def _seen_elsewhere(db_session: Session, live_session: LiveSession, accounts: set[str]) -> set[str]:
    """Which of ``accounts`` chatted, bought or liked in another room of the platform
    within the last days: an account that did is a real viewer somewhere."""
    if not accounts:
        return set()
    since = live_session.started_at - timedelta(days=ELSEWHERE_DAYS)
    others = select(LiveSession.id).where(
        LiveSession.platform_id == live_session.platform_id, LiveSession.id != live_session.id
    )
    query = select(LiveEvent.kind, LiveEvent.data).where(
        LiveEvent.session_id.in_(others),
        LiveEvent.occurred_at >= since,
        LiveEvent.kind.in_((EventKind.chat, EventKind.order, EventKind.counters)),
    )
    seen: set[str] = set()
    for kind, data in db_session.execute(query):
        if kind is EventKind.counters:
            seen.update(str(a) for a in data.get("likers") or ())
        else:
            seen.add(str(data.get("user") or data.get("buyer") or ""))
    return seen & accounts


def _category(db_session: Session, events: list[LiveEvent]) -> str | None:
    """The category of the listing shown or sold most in the room."""
    shown = Counter(
        int(e.data["listing_id"])
        for e in events
        if e.kind in (EventKind.listing_shown, EventKind.order) and e.data.get("listing_id")
    )
    for listing_id, _ in shown.most_common(1):
        try:
            return catalog_service.get(db_session=db_session, listing_id=listing_id).category
        except LiveGuardError:
            return None
    return None


def controllers(db_session: Session, live_session: LiveSession) -> Controllers:
    """Who controlled the room's numbers, as the anchor's relations on the day show."""
    day = live_session.started_at.astimezone(CHINA).date()
    relations = [
        r
        for r in parties_service.get_relations(
            db_session=db_session, anchor_id=live_session.anchor_id
        )
        if r.starts_on <= day and (r.ends_on is None or r.ends_on >= day)
    ]
    entry = rules.rules().controller(r.kind.value for r in relations)
    anchor = parties_service.get_anchor(db_session=db_session, anchor_id=live_session.anchor_id)
    merchant = parties_service.get_merchant(
        db_session=db_session, merchant_id=live_session.merchant_id
    )
    named = []
    for role in entry.named:
        if role == "anchor":
            named.append(NamedParty(role=role, id=anchor.id, name=anchor.nickname))
        elif role == "merchant":
            named.append(NamedParty(role=role, id=merchant.id, name=merchant.shop_name))
        elif role == "mcn":
            for r in relations:
                if r.mcn_id is not None:
                    mcn = parties_service.get_mcn(db_session=db_session, mcn_id=r.mcn_id)
                    named.append(NamedParty(role=role, id=mcn.id, name=mcn.name))
                    break
    return Controllers(named=named, reason=entry.reason)


def compute(db_session: Session, live_session: LiveSession) -> tuple[rules.Picture, str | None]:
    stored = _events(db_session, live_session.id)
    events = [rules.Event(e.kind.value, e.occurred_at, e.data, e.seq) for e in stored]
    accounts = {
        str(a) for e in stored if e.kind is EventKind.counters for a in e.data.get("likers") or ()
    }
    category = _category(db_session, stored)
    seen = frozenset(_seen_elsewhere(db_session, live_session, accounts))
    return rules.picture(events, category=category, seen_elsewhere=seen), category


def read(*, db_session: Session, live_session: LiveSession) -> RoomPictureRead:
    """The room minute by minute, its totals against the category, and its signals."""
    shown, category = compute(db_session, live_session)
    found = db_session.scalars(
        select(LiveFinding).where(
            LiveFinding.session_id == live_session.id,
            LiveFinding.source == FindingSource.traffic,
        )
    ).all()
    return RoomPictureRead(
        session_id=live_session.id,
        merchant_id=live_session.merchant_id,
        anchor_id=live_session.anchor_id,
        title=live_session.title,
        category=category,
        minutes=[
            MinuteRead(
                start=m.start,
                viewers=m.viewers or 0,
                likes=m.likes,
                clicks=m.clicks,
                chats=m.chats,
                orders=m.orders,
                order_fen=m.order_fen,
            )
            for m in shown.minutes
        ],
        mean_viewers=shown.mean_viewers,
        peak_viewers=shown.peak_viewers,
        chats=shown.chats,
        orders=shown.orders,
        order_fen=shown.order_fen,
        conversion_per_mille=str(shown.conversion_per_mille),
        typical_conversion_per_mille=shown.typical_conversion_per_mille,
        signals=[
            SignalRead(rule=s.rule, severity=s.severity, message=s.message, evidence=s.evidence)
            for s in shown.signals
        ],
        controllers=controllers(db_session, live_session),
        findings=len(found),
        finding_ledger_seqs=[f.ledger_seq for f in found if f.ledger_seq is not None],
    )


def check(*, db_session: Session, live_session: LiveSession, now: datetime) -> list[LiveFinding]:
    """Store each signal of bought traffic not stored before as a live finding."""
    shown, _ = compute(db_session, live_session)
    if not shown.signals:
        return []
    table = rules.rules()
    named = controllers(db_session, live_session)
    basis = table.basis_on(live_session.started_at.astimezone(CHINA).date())
    events = {e.seq: e for e in _events(db_session, live_session.id)}
    stored_rules = set(
        db_session.scalars(
            select(LiveFinding.rule).where(
                LiveFinding.session_id == live_session.id,
                LiveFinding.source == FindingSource.traffic,
            )
        ).all()
    )
    made: list[LiveFinding] = []
    for signal in shown.signals:
        event = events.get(signal.seq) or events[max(events)]
        if signal.rule in stored_rules:
            continue  # one finding per sign and room: the picture shows every minute of it
        stored_rules.add(signal.rule)
        made.append(
            LiveFinding(
                session_id=live_session.id,
                event_pk=event.id,
                speaker_role=FindingSpeaker.room,
                listing_id=None,
                source=FindingSource.traffic,
                rule=signal.rule,
                category=table.category,
                severity=signal.severity,
                message=signal.message,
                start=0,
                end=0,
                quote="",
                legal_basis=[b.model_dump(exclude_none=True) for b in basis],
                evidence={**signal.evidence, "controlled_by": named.model_dump(mode="json")},
                created_at=now,
            )
        )
    if not made:
        return []
    db_session.add_all(made)
    db_session.flush()
    by_pk = {e.id: e for e in events.values()}
    appended = evidence_service.append(
        db_session=db_session,
        records=[finding_record(live_session, by_pk[f.event_pk], f, now) for f in made],
        now=now,
    )
    for finding, item in zip(made, appended, strict=True):
        finding.ledger_seq = item.seq
    live_service.count_findings(
        db_session=db_session,
        anchors={live_session.id: live_session.anchor_id},
        changes=Counter((f.session_id, f.category, f.speaker_role) for f in made),
    )
    enforcement_service.apply_policy_many(
        db_session=db_session, groups=[(live_session, made)], now=now
    )
    # Bought traffic counts against the room's shop, anchor and its MCN agencies (the
    # seller's side that controlled the numbers) as it is found (credit/flows.py).
    credit_flows.room_changed(
        db_session=db_session,
        merchant_id=live_session.merchant_id,
        anchor_id=live_session.anchor_id,
        now=now,
        cause=f"live_finding:{made[-1].id}",
    )
    db_session.flush()
    return made
