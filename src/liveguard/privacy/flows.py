"""What the buyer's rights need from every package: who holds her data (shops she gave a
consent to or bought from, their platforms, LiveGuard itself), a copy of it, and its
deletion through every store, with a record of what was done in each.

Deletion (个人信息保护法 art. 47): her consents and marketing records here are deleted,
her name and phone in the party register erased, the evidence files she gave removed from
the blob store, and her fields in the ledger crypto-shredded by destroying her subject key
(the leaves and proofs stay valid). Orders and complaint records are kept for the period
the law sets (电子商务法 art. 31: three years), as art. 47 para. 2 allows, with nothing in
them that names her any more but the numbers.

A marketing send goes through ``send`` here: the gate (service) decides and records each
recipient, and a refusal counts against the shop's credit as it happens.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from liveguard.blobs import BlobStore
from liveguard.cases import service as cases_service
from liveguard.credit import flows as credit_flows
from liveguard.evidence import service as evidence_service
from liveguard.parties import service as parties_service
from liveguard.privacy import policy as rules
from liveguard.privacy import service
from liveguard.privacy.enums import Channel, HolderKind, RequestKind, RequestStatus
from liveguard.privacy.fields import FieldCipher
from liveguard.privacy.models import Consent, MarketingSend, SubjectRequest
from liveguard.privacy.schemas import (
    AccessRead,
    ConsentRead,
    Holder,
    MyData,
    RequestRead,
    SendResult,
)
from liveguard.trade import service as trade_service


def _words(kind: str, value: str) -> str:
    return rules.policy().label(kind, value)


def _holder(
    holders: dict[tuple[HolderKind, int | None], Holder],
    key: tuple[HolderKind, int | None],
    name: str,
    purpose: str,
    since: datetime,
) -> Holder:
    found = holders.get(key)
    if found is None:
        found = holders[key] = Holder(
            kind=key[0], id=key[1], name=name, purposes=[], since=since, consents=[]
        )
    if purpose not in found.purposes:
        found.purposes.append(purpose)
    found.since = min(found.since, since)
    return found


def holders_of(*, db_session: Session, consumer_id: int) -> list[Holder]:
    """Everyone who holds the buyer's data, for what, since when, under which consents."""
    consumer = parties_service.get_consumer(db_session=db_session, consumer_id=consumer_id)
    holders: dict[tuple[HolderKind, int | None], Holder] = {}
    _holder(
        holders,
        (HolderKind.liveguard, None),
        "LiveGuard",
        _words("holding", "account"),
        consumer.created_at,
    )
    merchants: dict[int, Any] = {}

    def merchant(merchant_id: int) -> Any:
        if merchant_id not in merchants:
            merchants[merchant_id] = parties_service.get_merchant(
                db_session=db_session, merchant_id=merchant_id
            )
        return merchants[merchant_id]

    def platform_too(merchant_id: int, purpose: str, since: datetime) -> None:
        shop = merchant(merchant_id)
        _holder(
            holders, (HolderKind.platform, shop.platform_id), shop.platform.name, purpose, since
        )

    for consent in service.consents_of(db_session=db_session, consumer_id=consumer_id):
        if consent.holder_kind is HolderKind.merchant and consent.holder_id is not None:
            name = merchant(consent.holder_id).shop_name
        elif consent.holder_kind is HolderKind.platform and consent.holder_id is not None:
            name = parties_service.get_platform(
                db_session=db_session, platform_id=consent.holder_id
            ).name
        else:
            name = "LiveGuard"
        found = _holder(
            holders,
            (consent.holder_kind, consent.holder_id),
            name,
            _words("purpose", consent.purpose.value),
            consent.given_at,
        )
        found.consents.append(ConsentRead.model_validate(consent))
    for order in trade_service.orders_of_consumer(db_session=db_session, consumer_id=consumer_id):
        _holder(
            holders,
            (HolderKind.merchant, order.merchant_id),
            merchant(order.merchant_id).shop_name,
            _words("holding", "orders"),
            order.paid_at,
        )
        platform_too(order.merchant_id, _words("holding", "orders"), order.paid_at)
    cases = cases_service.get_all(db_session=db_session, consumer_id=consumer_id, limit=500)
    for case in cases:
        if case.merchant_id is not None:
            _holder(
                holders,
                (HolderKind.merchant, case.merchant_id),
                merchant(case.merchant_id).shop_name,
                _words("holding", "cases"),
                case.created_at,
            )
    rank = {HolderKind.liveguard: 0, HolderKind.platform: 1, HolderKind.merchant: 2}
    return sorted(holders.values(), key=lambda h: (rank[h.kind], h.since))


def my_data(*, db_session: Session, consumer_id: int) -> MyData:
    """What the buyer sees of her own data: holders, consents, requests, who looked."""
    consumer = parties_service.get_consumer(db_session=db_session, consumer_id=consumer_id)
    return MyData(
        consumer_id=consumer.id,
        nickname=consumer.nickname,
        phone_masked=consumer.phone_masked,
        holders=holders_of(db_session=db_session, consumer_id=consumer_id),
        requests=[
            RequestRead.model_validate(r)
            for r in service.requests_of(db_session=db_session, consumer_id=consumer_id)
        ],
        accesses=[
            AccessRead.model_validate(a)
            for a in service.get_access_log(
                db_session=db_session, subject_kind="consumer", subject_id=consumer_id
            )
        ],
    )


def export(
    *, db_session: Session, consumer_id: int, cipher: FieldCipher, now: datetime
) -> dict[str, Any]:
    """A copy of the buyer's data for herself (art. 45): built when asked, never stored
    (a stored copy would be one more place holding her phone number in clear)."""
    consumer = parties_service.get_consumer(db_session=db_session, consumer_id=consumer_id)
    data = my_data(db_session=db_session, consumer_id=consumer_id)
    phone = (
        cipher.decrypt(consumer.phone_enc, context="consumer.phone") if consumer.phone_enc else None
    )
    request = service.create_request(
        db_session=db_session, consumer_id=consumer_id, kind=RequestKind.export, now=now
    )
    service.close_request(
        db_session=db_session,
        request=request,
        status=RequestStatus.completed,
        handled_by="self-service",
        now=now,
        outcome={"export": "given to the buyer at once"},
    )
    orders = trade_service.orders_of_consumer(db_session=db_session, consumer_id=consumer_id)
    return {
        "consumer": {"id": consumer.id, "nickname": consumer.nickname, "phone": phone},
        "holders": [h.model_dump(mode="json") for h in data.holders],
        "orders": [
            {"order_no": o.order_no, "merchant_id": o.merchant_id, "paid_at": o.paid_at.isoformat()}
            for o in orders
        ],
        "requests": [r.model_dump(mode="json") for r in data.requests],
        "accesses": [a.model_dump(mode="json") for a in data.accesses],
        "exported_at": now.isoformat(),
    }


def erase(
    *,
    db_session: Session,
    request: SubjectRequest,
    blobs: BlobStore,
    handled_by: str,
    now: datetime,
) -> SubjectRequest:
    """Carry out a deletion request through every store and record what was done."""
    consumer_id = request.consumer_id
    consumer = parties_service.get_consumer(db_session=db_session, consumer_id=consumer_id)
    outcome: dict[str, object] = {}
    outcome["consents_deleted"] = service.affected(
        db_session, delete(Consent).where(Consent.consumer_id == consumer_id)
    )
    outcome["marketing_sends_deleted"] = service.affected(
        db_session, delete(MarketingSend).where(MarketingSend.consumer_id == consumer_id)
    )
    outcome["party_fields_erased"] = parties_service.erase_consumer(
        db_session=db_session, consumer=consumer
    )
    removed = []
    cases = cases_service.get_all(db_session=db_session, consumer_id=consumer_id, limit=500)
    for case in cases:
        for file in cases_service.get_files(db_session=db_session, case_id=case.id):
            if blobs.delete(file.sha256):
                removed.append(file.sha256[:12])
    outcome["blobs_deleted"] = removed
    outcome["ledger_key_destroyed"] = evidence_service.erase_subject(
        db_session=db_session,
        subject_ref=f"consumer:{consumer_id}",
        reason=f"deletion request {request.id} (个人信息保护法 art. 47)",
        now=now,
    )
    outcome["kept"] = (
        f"{len(cases)} complaint record(s) and their orders kept by number for the period the "
        "law sets (电子商务法 art. 31); processing stopped but for storage (个人信息保护法 art. 47)"
    )
    db_session.flush()
    return service.close_request(
        db_session=db_session,
        request=request,
        status=RequestStatus.completed,
        handled_by=handled_by,
        now=now,
        outcome=outcome,
    )


def decide_request(
    *,
    db_session: Session,
    request: SubjectRequest,
    blobs: BlobStore,
    handled_by: str,
    now: datetime,
    refuse: bool = False,
    reason: str | None = None,
) -> SubjectRequest:
    """Carry out a request (a deletion through every store; a copy marked sent), or refuse
    it with the reason (个人信息保护法 art. 50)."""
    if not refuse and request.kind is RequestKind.deletion:
        return erase(
            db_session=db_session, request=request, blobs=blobs, handled_by=handled_by, now=now
        )
    return service.close_request(
        db_session=db_session,
        request=request,
        status=RequestStatus.refused if refuse else RequestStatus.completed,
        handled_by=handled_by,
        now=now,
        outcome=None if refuse else {"export": "sent to the buyer"},
        reason=reason if refuse else None,
    )


def send(
    *,
    db_session: Session,
    merchant_id: int,
    shop_name: str,
    channel: Channel,
    consumer_ids: Sequence[int],
    text: str,
    at: datetime,
    requested_by: str,
    unsubscribe_base: str,
    now: datetime,
) -> SendResult:
    """Gate and record a bulk send (``service.send``; ``at`` may be a scheduled time);
    refused sends count against the shop's credit at once (credit/flows.py), not in a
    nightly scan."""
    sent = service.send(
        db_session=db_session,
        merchant_id=merchant_id,
        shop_name=shop_name,
        channel=channel,
        consumer_ids=consumer_ids,
        text=text,
        at=at,
        requested_by=requested_by,
        unsubscribe_base=unsubscribe_base,
    )
    if sent.refused:
        credit_flows.facts_changed(
            db_session=db_session,
            subjects=credit_flows.merchants([merchant_id]),
            now=now,
            cause=f"refused_sends:{merchant_id}:{at:%Y-%m-%dT%H:%M}",
        )
    return sent
