"""The buyer's "my data" page (who holds it, withdraw in one click, ask for a copy or for
deletion, who looked at it), the admin's privacy page (every full view of personal data,
the request queue with due dates, refused marketing sends per shop), and the one-click
unsubscribe page every marketing message links to."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from liveguard.auth.service import Principal
from liveguard.bounds import Id
from liveguard.errors import LiveGuardError
from liveguard.parties import service as parties_service
from liveguard.privacy import flows
from liveguard.privacy import service as privacy_service
from liveguard.privacy.enums import RequestKind, RequestStatus
from liveguard.privacy.policy import policy
from liveguard.vocab import PrincipalKind, StaffRole
from liveguard.web.deps import (
    Blobs,
    DbSession,
    MaybePrincipal,
    Now,
    SignedForm,
    SignInFirst,
    form_staff_of,
)
from liveguard.web.pages import back, render
from liveguard.web.permissions import check_own_data
from liveguard.web.refusal_words import said

router = APIRouter(include_in_schema=False)


def page_consumer(principal: MaybePrincipal) -> Principal:
    """The buyer herself; anyone else to the sign-in page."""
    if principal is None or principal.kind is not PrincipalKind.consumer:
        raise SignInFirst
    return principal


def page_admin(principal: MaybePrincipal) -> Principal:
    """An admin; anyone else to the sign-in page."""
    if principal is None or principal.role is not StaffRole.admin:
        raise SignInFirst
    return principal


def form_consumer(principal: SignedForm) -> Principal:
    """The buyer herself, posting from her own page; checked before the form is read."""
    check_own_data(principal)
    return principal


PageConsumer = Annotated[Principal, Depends(page_consumer)]
PageAdmin = Annotated[Principal, Depends(page_admin)]
FormConsumer = Annotated[Principal, Depends(form_consumer)]
FormAdmin = Annotated[Principal, Depends(form_staff_of(StaffRole.admin))]


@router.get("/console/my-data", response_class=HTMLResponse)
def my_data_page(
    request: Request,
    db_session: DbSession,
    principal: PageConsumer,
    notice: str = "",
    error: str = "",
) -> Response:
    data = flows.my_data(db_session=db_session, consumer_id=principal.id)
    rules = policy()
    return render(
        request,
        "my_data.html",
        principal,
        data=data,
        label=rules.label,
        benefit=rules.marketing.consent_for_benefit,
        request_rules={r.kind.value: r for r in rules.requests},
        notice=notice,
        error=error,
    )


@router.post("/console/my-data/consents/{consent_id}/withdraw")
def withdraw(
    consent_id: Id, db_session: DbSession, principal: FormConsumer, now: Now
) -> RedirectResponse:
    own = principal.id
    consent = privacy_service.get_consent(db_session=db_session, consent_id=consent_id)
    if consent.consumer_id != own:
        return back("/console/my-data", error="这不是您的授权记录")
    privacy_service.withdraw(db_session=db_session, consent=consent, via="buyer", now=now)
    return back("/console/my-data", notice="saved")


@router.post("/console/my-data/requests")
def create_request(
    db_session: DbSession,
    principal: FormConsumer,
    now: Now,
    kind: Annotated[RequestKind, Form()],
) -> RedirectResponse:
    privacy_service.create_request(
        db_session=db_session, consumer_id=principal.id, kind=kind, now=now
    )
    return back("/console/my-data", notice="saved")


@router.get("/console/privacy", response_class=HTMLResponse)
def privacy_page(
    request: Request,
    db_session: DbSession,
    principal: PageAdmin,
    notice: str = "",
    error: str = "",
) -> Response:
    accesses, total = privacy_service.get_all_access(db_session=db_session, limit=200)
    refused = privacy_service.refused_by_merchant(db_session=db_session)
    shops = {
        m: parties_service.get_merchant(db_session=db_session, merchant_id=m).shop_name
        for m in refused
    }
    return render(
        request,
        "privacy_admin.html",
        principal,
        accesses=accesses,
        access_total=total,
        requests=privacy_service.get_all_requests(db_session=db_session),
        refused=refused,
        shops=shops,
        label=policy().label,
        open_status=RequestStatus.open,
        notice=notice,
        error=error,
    )


@router.post("/console/privacy/requests/{request_id}/decision")
def decide_request(
    request_id: Id,
    db_session: DbSession,
    blobs: Blobs,
    principal: FormAdmin,
    now: Now,
    reason: Annotated[str, Form()] = "",
    refuse: Annotated[str, Form()] = "",
) -> RedirectResponse:
    try:
        flows.decide_request(
            db_session=db_session,
            request=privacy_service.get_request(db_session=db_session, request_id=request_id),
            blobs=blobs,
            handled_by=principal.name,
            now=now,
            refuse=bool(refuse),
            reason=reason or None,
        )
    except LiveGuardError as error:
        db_session.rollback()
        return back("/console/privacy", error=said(error))
    return back("/console/privacy", notice="saved")


@router.get("/u/{token}", response_class=HTMLResponse)
def unsubscribe_page(
    request: Request, token: str, db_session: DbSession, principal: MaybePrincipal
) -> Response:
    """Where every marketing message's unsubscribe line leads: one button, no sign-in."""
    consent = privacy_service.get_by_unsubscribe_token(db_session=db_session, token=token[:64])
    shop = None
    if consent is not None and consent.holder_id is not None:
        shop = parties_service.get_merchant(db_session=db_session, merchant_id=consent.holder_id)
    return render(
        request,
        "unsubscribe.html",
        principal,
        consent=consent,
        shop=shop,
        token=token[:64],
        label=policy().label,
        status_code=200 if consent else 404,
    )


@router.post("/u/{token}", response_class=HTMLResponse)
def unsubscribe(
    request: Request, token: str, db_session: DbSession, principal: MaybePrincipal, now: Now
) -> Response:
    """One-click unsubscribe: the consent is withdrawn at once (消费者权益保护法实施条例
    art. 24: 立即停止发送)."""
    consent = privacy_service.get_by_unsubscribe_token(db_session=db_session, token=token[:64])
    if consent is not None:
        privacy_service.withdraw(
            db_session=db_session, consent=consent, via="unsubscribe link", now=now
        )
    return render(
        request,
        "unsubscribe.html",
        principal,
        consent=consent,
        shop=None,
        token=token[:64],
        label=policy().label,
        done=True,
        status_code=200 if consent else 404,
    )
