"""Orchestration across capabilities: filing a complaint, answering the questions the
answer asked, and opening a case when another capability finds a broken promise.

A flow reads the live session, listings, parties and orders through their services,
derives what their records settle (``intake``), lets the consumer state the rest, asks
the liability engine, and records the complaint and every step in the evidence ledger.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from liveguard.cases import assembly, intake, refusals, service, workflow
from liveguard.cases.enums import CaseEventKind, CaseOrigin, CaseState, PaymentChannel
from liveguard.cases.models import Case, CaseEvent, CaseLink
from liveguard.cases.schemas import ComplaintCreate
from liveguard.cases.service import SUMMARY_CONTEXT
from liveguard.catalog import service as catalog_service
from liveguard.clock import CHINA
from liveguard.evidence import service as ledger
from liveguard.evidence.schemas import RecordIn, RecordKind
from liveguard.liability import service as liability_service
from liveguard.liability.facts import CaseFacts, Channel, Defect
from liveguard.live import service as live_service
from liveguard.parties import service as parties_service
from liveguard.privacy import service as privacy_service
from liveguard.trade import service as trade_service


def apply_resolution(*, db_session: Session, case: Case, facts: CaseFacts, today: date) -> None:
    """Ask the (pure) engine and keep its answer, with the facts it was given."""
    case.facts = facts.model_dump(mode="json", exclude_none=True)
    case.resolution = liability_service.resolve(facts=facts, today=today).model_dump(mode="json")
    case.resolved_on = today
    workflow.set_due(db_session=db_session, case=case, today=today)


def _where_from(db_session: Session, complaint: ComplaintCreate) -> dict[str, Any]:
    """The session, listing, merchant, anchor, platform and price the records give."""
    found: dict[str, Any] = {
        "session_id": complaint.session_id,
        "listing_id": complaint.listing_id,
        "merchant_id": complaint.merchant_id,
        "anchor_id": complaint.anchor_id,
        "platform_id": None,
        "order": None,
    }
    if complaint.order_id is not None:
        order = trade_service.get_order(db_session=db_session, order_id=complaint.order_id)
        found.update(
            order=order,
            session_id=found["session_id"] or order.live_session_id,
            listing_id=found["listing_id"] or order.listing_id,
            merchant_id=order.merchant_id,
            anchor_id=found["anchor_id"] or order.anchor_id,
        )
    if found["session_id"] is not None:
        live = live_service.get(db_session=db_session, session_id=found["session_id"])
        found["merchant_id"] = found["merchant_id"] or live.merchant_id
        found["anchor_id"] = found["anchor_id"] or live.anchor_id
        found["platform_id"] = live.platform_id
    if found["listing_id"] is not None:
        listing = catalog_service.get(db_session=db_session, listing_id=found["listing_id"])
        found["merchant_id"] = found["merchant_id"] or listing.merchant_id
    if found["merchant_id"] is not None:
        merchant = parties_service.get_merchant(
            db_session=db_session, merchant_id=found["merchant_id"]
        )
        found["platform_id"] = found["platform_id"] or merchant.platform_id
    if found["anchor_id"] is not None:
        parties_service.get_anchor(db_session=db_session, anchor_id=found["anchor_id"])
    return found


def _record_findings(db_session: Session, case: Case, links: list[CaseLink], now: datetime) -> None:
    """What detection found at intake on words the monitor never saw, put in the ledger
    beside them."""
    # the monitor's findings are in the ledger already; only those found at intake are not
    findings = [link for link in links if link.kind == "finding" and link.ledger_seq is None]
    if not findings:
        return
    appended = ledger.append(
        db_session=db_session,
        now=now,
        records=[
            RecordIn(
                kind=RecordKind.finding,
                occurred_at=now,
                where=service.where(case),
                who=service.who(case),
                data={"case_id": case.id, "on": link.ref, **link.data},
            )
            for link in findings
        ],
    )
    for link, item in zip(findings, appended, strict=True):
        link.ledger_seq = item.seq


def file_complaint(
    *,
    db_session: Session,
    complaint_in: ComplaintCreate,
    consumer_id: int | None,
    origin: CaseOrigin,
    actor: str,
    now: datetime,
    today: date,
    origin_key: str | None = None,
) -> Case:
    """File a complaint: link the records, derive facts, resolve, record it all.
    ``origin_key`` names the form it came from: one case per key (the database's unique
    constraint refuses a second, even one filed at the same moment)."""
    if consumer_id is not None:
        parties_service.get_consumer(db_session=db_session, consumer_id=consumer_id)
    assembly.check_fact_names(complaint_in.facts)
    found = _where_from(db_session, complaint_in)
    order = found["order"]
    if order is not None and consumer_id is not None and order.consumer_id != consumer_id:
        raise refusals.invalid("order_id", "order_not_hers")
    gathered = intake.gather(
        db_session=db_session,
        session_id=found["session_id"],
        occurred_at=complaint_in.occurred_at,
        listing_id=found["listing_id"],
        merchant_id=found["merchant_id"],
        anchor_id=found["anchor_id"],
        platform_id=found["platform_id"],
    )
    found["listing_id"] = found["listing_id"] or gathered.listing_id
    facts: dict[str, Any] = {}
    sources: dict[str, Any] = {}
    if order is not None:
        assembly.merge(facts, sources, assembly.order_facts(order), "order", override=True)
        for name in ("off_platform_payment", "diverted_by"):  # paid through the platform
            gathered.facts.pop(name, None)
    stated: dict[str, Any] = dict(complaint_in.facts)
    if complaint_in.paid_off_platform:
        stated["channel"] = Channel.off_platform
        if complaint_in.payment_channel is not None:
            stated["off_platform_payment"] = assembly.PAYMENTS[complaint_in.payment_channel]
    elif order is None and intake.off_platform_channel(gathered):
        gathered.fact("channel", Channel.off_platform, "recorded", "diversion", None)
    if complaint_in.price_paid_fen is not None:
        stated.setdefault("price_paid_fen", complaint_in.price_paid_fen)
    if complaint_in.knew_of_harm_on is not None:
        stated.setdefault("knew_of_harm_on", complaint_in.knew_of_harm_on)
    for name, value in gathered.facts.items():
        if name not in facts:
            facts[name] = value
            sources[name] = gathered.sources[name]
    assembly.merge(
        facts,
        sources,
        stated,
        "consumer" if origin is CaseOrigin.consumer else "staff",
        override=False,
    )
    case_facts = assembly.build_facts(facts)
    payment = complaint_in.payment_channel or (PaymentChannel.platform if order else None)
    summary = privacy_service.seal_text(
        db_session=db_session, text=complaint_in.summary, context=SUMMARY_CONTEXT
    )
    case = Case(
        consumer_id=consumer_id,
        origin=origin,
        origin_key=origin_key,
        kind="complaint",
        summary=summary.text,
        summary_enc=summary.enc,
        platform_id=found["platform_id"],
        merchant_id=found["merchant_id"],
        anchor_id=found["anchor_id"],
        session_id=found["session_id"],
        listing_id=found["listing_id"],
        order_id=order.id if order is not None else None,
        payment_channel=payment,
        price_fen=case_facts.price_paid_fen,
        occurred_at=complaint_in.occurred_at,
        known_harm_on=case_facts.knew_of_harm_on,
        fact_sources=sources,
        ledger_seq=-1,  # set below, once the case has an id to record
        filed_at=now,
    )
    db_session.add(case)
    db_session.flush()
    _open(db_session, case, gathered.links, order, actor, origin, now, extra={})
    apply_resolution(db_session=db_session, case=case, facts=case_facts, today=today)
    return case


def _open(
    db_session: Session,
    case: Case,
    links: list[CaseLink],
    order: Any,
    actor: str,
    origin: CaseOrigin,
    now: datetime,
    extra: dict[str, Any],
) -> None:
    """Link the records, put the complaint in the ledger, and note it was filed."""
    if order is not None:
        links.append(
            CaseLink(
                kind="order",
                ref=f"order:{order.id}",
                ledger_seq=order.ledger_seq,
                summary=f"{order.order_no} ¥{order.amount_paid_fen / 100:.2f}",
                data={"status": str(order.status)},
            )
        )
    _record_findings(db_session, case, links, now)
    service.add_links(db_session=db_session, case=case, links=links)
    seq = service.record(
        db_session=db_session,
        case=case,
        kind=RecordKind.complaint,
        now=now,
        data={
            "event": "filed",
            "kind": case.kind,
            "origin": origin.value,
            "order_id": case.order_id,
            "listing_id": case.listing_id,
            "payment_channel": case.payment_channel.value if case.payment_channel else None,
            "price_fen": case.price_fen,
            "linked": sorted({link.ledger_seq for link in links if link.ledger_seq is not None}),
            **extra,
        },
        personal={"summary": case.summary},
    )
    case.ledger_seq = seq
    db_session.add(
        CaseEvent(
            case_id=case.id,
            kind=CaseEventKind.filed,
            to_state=CaseState.filed,
            actor=actor,
            party_role=origin.value,
            text="",
            data={"origin": origin.value},
            at=now,
            ledger_seq=seq,
        )
    )
    db_session.flush()


def answer_facts(
    *,
    db_session: Session,
    case: Case,
    answers: dict[str, Any],
    actor: str,
    party_role: str,
    now: datetime,
    today: date,
) -> Case:
    """Facts the answer asked for (or staff's corrections); the case is resolved again.

    A consumer fills gaps; a fact the records settled is changed only by staff.
    """
    assembly.check_fact_names(answers)
    facts = dict(case.facts)
    sources = dict(case.fact_sources)
    staff = party_role == "staff"
    recorded = {n for n, s in sources.items() if s.get("source") not in ("consumer", "staff")}
    if not staff:
        locked = sorted(n for n in answers if n in recorded)
        if locked:
            raise refusals.invalid(f"facts.{locked[0]}", "fact_settled")
    for name, value in answers.items():
        facts[name] = value
        sources[name] = {"source": party_role, "by": actor}
    case_facts = assembly.build_facts(facts)
    said = case_facts.model_dump(mode="json", include=set(answers))
    service.add_event(  # the answers are her words: sealed in the ledger
        db_session=db_session,
        case=case,
        kind=CaseEventKind.facts,
        actor=actor,
        party_role=party_role,
        now=now,
        text="；".join(f"{name}={said[name]}" for name in sorted(said)),
        data={"fields": sorted(answers)},
        sealed_text=True,
    )
    case.fact_sources = sources
    case.price_fen = case_facts.price_paid_fen
    case.known_harm_on = case_facts.knew_of_harm_on
    apply_resolution(db_session=db_session, case=case, facts=case_facts, today=today)
    return case


def open_automatic(
    *,
    db_session: Session,
    kind: str,
    order_id: int,
    consumer_id: int | None,
    summary: str,
    facts: dict[str, Any],
    now: datetime,
) -> Case:
    """A case opened by another capability (a broken delivery promise), without being
    asked, in the same workflow; one per (kind, order)."""
    key = f"{kind}:{order_id}"
    existing = service.get_by_origin_key(db_session=db_session, origin_key=key)
    if existing is not None:
        return existing
    today = now.astimezone(CHINA).date()
    order = trade_service.get_order(db_session=db_session, order_id=order_id)
    consumer_id = consumer_id or order.consumer_id
    gathered = intake.gather(
        db_session=db_session,
        session_id=order.live_session_id,
        occurred_at=None,
        listing_id=order.listing_id,
        merchant_id=order.merchant_id,
        anchor_id=order.anchor_id,
        platform_id=parties_service.get_merchant(
            db_session=db_session, merchant_id=order.merchant_id
        ).platform_id,
    )
    values: dict[str, Any] = {}
    sources: dict[str, Any] = {}
    assembly.merge(values, sources, assembly.order_facts(order), "order", override=True)
    if kind == "delivery_promise_broken":
        assembly.merge(values, sources, {"defect": Defect.not_delivered}, "order", override=True)
    assembly.merge(
        values,
        sources,
        {k: v for k, v in facts.items() if k in assembly.KNOWN},
        "order",
        override=False,
    )
    for name in ("off_platform_payment", "diverted_by"):
        gathered.facts.pop(name, None)
    for name, value in gathered.facts.items():
        if name not in values:
            values[name] = value
            sources[name] = gathered.sources[name]
    case_facts = assembly.build_facts(values)
    sealed = privacy_service.seal_text(db_session=db_session, text=summary, context=SUMMARY_CONTEXT)
    case = Case(
        consumer_id=consumer_id,
        origin=CaseOrigin.automatic,
        origin_key=key,
        kind=kind,
        summary=sealed.text,
        summary_enc=sealed.enc,
        platform_id=parties_service.get_merchant(
            db_session=db_session, merchant_id=order.merchant_id
        ).platform_id,
        merchant_id=order.merchant_id,
        anchor_id=order.anchor_id,
        session_id=order.live_session_id,
        listing_id=order.listing_id,
        order_id=order.id,
        payment_channel=PaymentChannel.platform,
        price_fen=case_facts.price_paid_fen,
        fact_sources=sources,
        ledger_seq=-1,
        filed_at=now,
    )
    db_session.add(case)
    db_session.flush()
    context = {k: v for k, v in facts.items() if k not in assembly.KNOWN}
    _open(
        db_session,
        case,
        gathered.links,
        order,
        "system",
        CaseOrigin.automatic,
        now,
        extra={"context": assembly.json_safe(context)},
    )
    apply_resolution(db_session=db_session, case=case, facts=case_facts, today=today)
    return case
