"""Privacy routes: consents recorded by the shop, the marketing send gate, refused sends
per merchant, the buyer's own data and requests, the admin's access log and request queue,
and the logged reveal of a buyer's full phone number."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, status

from liveguard import refusals
from liveguard.auth.service import Principal
from liveguard.bounds import Count, Id, Moment
from liveguard.cases import service as cases_service
from liveguard.parties import service as parties_service
from liveguard.privacy import flows, service
from liveguard.privacy import policy as rules
from liveguard.privacy.enums import HolderKind, RequestStatus
from liveguard.privacy.models import Consent, SubjectRequest
from liveguard.privacy.schemas import (
    AccessPage,
    AccessRead,
    CaseTextRevealed,
    ConsentCreate,
    ConsentRead,
    MyData,
    PhoneRevealed,
    RefusedCounts,
    RequestCreate,
    RequestDecision,
    RequestRead,
    RevealIn,
    SendCheck,
    SendRequest,
    SendResult,
    TypedText,
)
from liveguard.vocab import PrincipalKind
from liveguard.web.deps import (
    Admin,
    Blobs,
    Cipher,
    DbSession,
    Now,
    Signed,
    actor,
    require_staff,
)
from liveguard.web.permissions import (
    check_consent_writer,
    check_merchant_access,
    check_own_data,
)

router = APIRouter(prefix="/privacy", tags=["privacy"])
SCHEDULE_SLACK = timedelta(minutes=5)  # a scheduled send is judged for the moment it goes out


def own_consumer(principal: Signed) -> int:
    """The signed-in buyer's id; anyone else is refused before the body is read."""
    return check_own_data(principal)


OwnId = Annotated[int, Depends(own_consumer)]

PhoneRevealers = Annotated[
    Principal, Depends(require_staff(*rules.policy().reveal_rule("consumer.phone").roles))
]
TextRevealers = Annotated[
    Principal, Depends(require_staff(*rules.policy().reveal_rule("case.text").roles))
]


@router.post("/consents", status_code=status.HTTP_201_CREATED, response_model=ConsentRead)
def create_consent(
    consent_in: ConsentCreate, db_session: DbSession, principal: Signed, now: Now
) -> Consent:
    """Record a consent as the buyer gave it: the words shown, the form, the room, and the
    coupon it was the price of (个人信息保护法 arts. 14-17)."""
    holder = consent_in.holder_id if consent_in.holder_kind is HolderKind.merchant else None
    check_consent_writer(principal, holder)
    parties_service.get_consumer(db_session=db_session, consumer_id=consent_in.consumer_id)
    if holder is not None:
        parties_service.get_merchant(db_session=db_session, merchant_id=holder)
    elif consent_in.holder_kind is HolderKind.platform and consent_in.holder_id is not None:
        parties_service.get_platform(db_session=db_session, platform_id=consent_in.holder_id)
    return service.create_consent(
        db_session=db_session, consent_in=consent_in, recorded_by=actor(principal), now=now
    )


@router.post("/consents/{consent_id}/withdraw", response_model=ConsentRead)
def withdraw_consent(consent_id: Id, db_session: DbSession, own: OwnId, now: Now) -> Consent:
    """Withdraw a consent in one call: the buyer herself (art. 15)."""
    consent = service.get_consent(db_session=db_session, consent_id=consent_id)
    if consent.consumer_id != own:
        raise refusals.forbidden("privacy", "not_her_consent")
    return service.withdraw(db_session=db_session, consent=consent, via="buyer", now=now)


def _merchant_send(principal: Signed, check_in: SendCheck, db_session: DbSession) -> str:
    check_merchant_access(principal, check_in.merchant_id, write=True)
    merchant = parties_service.get_merchant(db_session=db_session, merchant_id=check_in.merchant_id)
    return merchant.shop_name


@router.post("/marketing/check", response_model=SendResult)
def check_sends(
    check_in: SendCheck, db_session: DbSession, principal: Signed, now: Now
) -> SendResult:
    """Which of these buyers may get a promotional message now, and why not: nothing sent,
    nothing recorded."""
    _merchant_send(principal, check_in, db_session)
    decided = service.check(
        db_session=db_session,
        merchant_id=check_in.merchant_id,
        channel=check_in.channel,
        consumer_ids=check_in.consumer_ids,
        at=check_in.at or now,
    )
    return service.result(decided)


@router.post("/marketing/send", response_model=SendResult)
def send(
    send_in: SendRequest, request: Request, db_session: DbSession, principal: Signed, now: Now
) -> SendResult:
    """Gate a promotional send: refused without a live consent for the channel, over the
    cap, or in quiet hours; every decision recorded and refusals counted against the shop;
    each allowed message comes back with its own unsubscribe line."""
    shop_name = _merchant_send(principal, send_in, db_session)
    at = send_in.at or now
    if at < now - SCHEDULE_SLACK:
        raise refusals.invalid("privacy", "at", "send_in_past")
    return flows.send(
        db_session=db_session,
        merchant_id=send_in.merchant_id,
        shop_name=shop_name,
        channel=send_in.channel,
        consumer_ids=send_in.consumer_ids,
        text=send_in.text,
        at=at,
        requested_by=actor(principal),
        unsubscribe_base=str(request.base_url).rstrip("/"),
        now=now,
    )


@router.get("/merchants/{merchant_id}/refused-sends", response_model=RefusedCounts)
def refused_sends(
    merchant_id: Id, db_session: DbSession, principal: Signed, since: Moment | None = None
) -> RefusedCounts:
    """The shop's refused marketing sends by reason: what credit counts against it."""
    check_merchant_access(principal, merchant_id, write=False)
    counts = service.refused_send_counts(
        db_session=db_session, merchant_id=merchant_id, since=since
    )
    return RefusedCounts(
        merchant_id=merchant_id, since=since, total=sum(counts.values()), by_reason=counts
    )


@router.get("/me", response_model=MyData)
def my_data(db_session: DbSession, consumer_id: OwnId) -> MyData:
    """The signed-in buyer's data: who holds it, for what, since when, under which
    consents; her requests; and who looked at it in full (arts. 44-45)."""
    return flows.my_data(db_session=db_session, consumer_id=consumer_id)


@router.get("/me/export")
def export(db_session: DbSession, consumer_id: OwnId, cipher: Cipher, now: Now) -> dict[str, Any]:
    """A copy of the buyer's data, made when asked and never stored (art. 45)."""
    return flows.export(db_session=db_session, consumer_id=consumer_id, cipher=cipher, now=now)


@router.post("/me/requests", status_code=status.HTTP_201_CREATED, response_model=RequestRead)
def create_request(
    request_in: RequestCreate, db_session: DbSession, consumer_id: OwnId, now: Now
) -> SubjectRequest:
    """Ask for a copy or for deletion; answered by the statutory due date (arts. 45-50)."""
    return service.create_request(
        db_session=db_session, consumer_id=consumer_id, kind=request_in.kind, now=now
    )


@router.get("/requests", response_model=list[RequestRead])
def list_requests(
    db_session: DbSession, _: Admin, status: RequestStatus | None = None
) -> list[SubjectRequest]:
    return list(service.get_all_requests(db_session=db_session, status=status))


@router.post("/requests/{request_id}/decision", response_model=RequestRead)
def decide_request(
    request_id: Id,
    decision: RequestDecision,
    db_session: DbSession,
    blobs: Blobs,
    principal: Admin,
    now: Now,
) -> SubjectRequest:
    """Carry out a request (a deletion runs through every store, recorded store by store)
    or refuse it with the reason (art. 50)."""
    return flows.decide_request(
        db_session=db_session,
        request=service.get_request(db_session=db_session, request_id=request_id),
        blobs=blobs,
        handled_by=principal.name,
        now=now,
        refuse=decision.refuse,
        reason=decision.reason,
    )


@router.get("/access-log", response_model=AccessPage)
def access_log(
    db_session: DbSession, _: Admin, offset: Count = 0, limit: Count = 100
) -> AccessPage:
    """Every full view of personal data: who, what, why, when (art. 51)."""
    items, total = service.get_all_access(
        db_session=db_session, offset=offset, limit=min(limit, 500)
    )
    return AccessPage(items=[AccessRead.model_validate(i) for i in items], total=total)


@router.post("/consumers/{consumer_id}/phone", response_model=PhoneRevealed)
def reveal_phone(
    consumer_id: Id,
    reveal_in: RevealIn,
    db_session: DbSession,
    cipher: Cipher,
    principal: PhoneRevealers,
) -> PhoneRevealed:
    """A buyer's full phone number, for a role and a stated purpose the policy allows;
    every view logged with who, what and why. Everyone else sees 138****1234."""
    purpose = service.check_reveal(
        role=principal.role, field="consumer.phone", purpose=reveal_in.purpose
    )
    consumer = parties_service.get_consumer(db_session=db_session, consumer_id=consumer_id)
    if not consumer.phone_enc:
        raise refusals.forbidden("privacy", "phone_deleted")
    service.record_access(
        db_session=db_session,
        accessed_by=principal.name,
        subject_kind=PrincipalKind.consumer.value,
        subject_id=consumer.id,
        fields=["phone"],
        purpose=f"{purpose} {reveal_in.note}".strip(),
    )
    return PhoneRevealed(
        consumer_id=consumer.id,
        phone=cipher.decrypt(consumer.phone_enc, context="consumer.phone"),
    )


@router.post("/cases/{case_id}/text", response_model=CaseTextRevealed)
def reveal_case_text(
    case_id: Id,
    reveal_in: RevealIn,
    db_session: DbSession,
    cipher: Cipher,
    principal: TextRevealers,
) -> CaseTextRevealed:
    """A complaint's words as typed (the numbers the buyer wrote in it), for a role and a
    stated purpose the policy allows; logged with who, what and why. Every page and every
    other route shows them masked (138****1234)."""
    purpose = service.check_reveal(
        role=principal.role, field="case.text", purpose=reveal_in.purpose
    )
    case = cases_service.get(db_session=db_session, case_id=case_id)
    sealed = [("case.summary", cases_service.SUMMARY_CONTEXT, case.summary, case.summary_enc)]
    sealed += [
        (f"case_event:{e.id}", cases_service.TEXT_CONTEXT, e.text, e.text_enc)
        for e in cases_service.get_events(db_session=db_session, case_id=case.id)
    ]
    texts = [
        TypedText(
            source=source,
            text=service.open_text(cipher=cipher, text=masked, enc=enc, context=context),
            masked=masked,
        )
        for source, context, masked, enc in sealed
        if enc
    ]
    subject = (
        (PrincipalKind.consumer.value, case.consumer_id)
        if case.consumer_id is not None
        else ("case", case.id)
    )
    service.record_access(
        db_session=db_session,
        accessed_by=principal.name,
        subject_kind=subject[0],
        subject_id=subject[1],
        fields=[f"case:{case.id}:{t.source}" for t in texts] or [f"case:{case.id}:text"],
        purpose=f"{purpose} {reveal_in.note}".strip(),
    )
    return CaseTextRevealed(case_id=case.id, texts=texts)
