"""The buyer's own pages: sign up, sign in and recover with no outside service (or the
platform's identity adapter), the complaint form in the words a buyer knows (the room code
on the viewer page, the listing's name, the amount as she writes it), her complaints, and
the tracking code and secret link of a complaint filed without an account.

A bad entry comes back on the same page with a message by its field and everything she
typed kept; no Python error text ever reaches the page.

Filing is idempotent: the form carries a one-time seed (``auth.case_keys``), the case it
files is found by it, and the answer is a redirect (Post/Redirect/Get). Sent twice (a
double click, back and resubmit) the form files one case; reloading the answer page
shows the same tracking code and link again, for ``KEYS_SHOWN`` after filing.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from liveguard.auth import case_keys
from liveguard.auth import service as auth_service
from liveguard.auth.identity import ConsumerIdentity, identity_for, recovery_codes_left
from liveguard.auth.service import Principal
from liveguard.bounds import Id
from liveguard.cases import flows, service
from liveguard.cases.enums import CaseOrigin, PaymentChannel
from liveguard.cases.schemas import ComplaintCreate
from liveguard.catalog import service as catalog_service
from liveguard.config import Settings
from liveguard.errors import Forbidden, InvalidInput, LiveGuardError, NotAuthenticated, NotFound
from liveguard.labels import label
from liveguard.liability import service as liability_service
from liveguard.liability.facts import Defect
from liveguard.live import service as live_service
from liveguard.money import parse_yuan
from liveguard.vocab import PrincipalKind
from liveguard.web import filing
from liveguard.web.console import safe_next
from liveguard.web.deps import (
    CurrentSettings,
    DbSession,
    MaybePrincipal,
    Now,
    SignInAttempts,
    SignInFirst,
    Today,
    csrf_token,
    get_cipher,
)
from liveguard.web.pages import hold_session, render, session_redirect, sign_in_refusal
from liveguard.web.refusal_words import pydantic_said, said

router = APIRouter(include_in_schema=False)

MY_LOGIN = "/my/login"
MY_COMPLAINTS = "/my/complaints"
# The viewer page remembers the rooms opened on this device (ids only), so the complaint
# form can offer "the rooms you watched" without an account or any tracking of her.
WATCHED_COOKIE = "lg_watched"
WATCHED_KEEP = 10
# The page that shows an anonymous complaint's keys, and the cookie naming its form's seed
# (HttpOnly, this path only) so a reload shows them again, for a while, and then never.
FILED_PAGE = "/complain/filed"
FILED_COOKIE = "lg_filed"
KEYS_SHOWN = timedelta(hours=1)


def identity(request: Request) -> ConsumerIdentity:
    return identity_for(request.app.state.settings.consumer_identity, get_cipher(request))


Identity = Annotated[ConsumerIdentity, Depends(identity)]


def page_consumer(principal: MaybePrincipal) -> Principal:
    """The signed-in buyer; anyone else (staff and shops too) to the buyer's sign-in page."""
    if principal is None or principal.kind is not PrincipalKind.consumer:
        raise SignInFirst
    return principal


PageConsumer = Annotated[Principal, Depends(page_consumer)]


def _check_form(request: Request, principal: Principal | None, csrf: str) -> None:
    """A signed-in buyer's form must come from our own page (the session's CSRF token)."""
    if principal is not None and not hmac.compare_digest(csrf, csrf_token(request)):
        raise Forbidden("表单已过期，请刷新页面后再提交 The form is stale: reload the page")


def _open_session(settings: Settings, db_session: Session, consumer_id: int, now: datetime) -> str:
    return auth_service.open_session(
        db_session=db_session,
        principal_kind=PrincipalKind.consumer,
        principal_id=consumer_id,
        label="consumer console session",
        ttl=timedelta(hours=settings.session_hours),
        now=now,
    )


# --- sign up, sign in, recover --------------------------------------------------------------


@router.get("/my/signup", response_class=HTMLResponse)
def signup_page(request: Request, principal: MaybePrincipal, next: str = "") -> Response:
    return render(request, "consumer_signup.html", principal, form={}, errors={}, next=next)


@router.post("/my/signup", response_class=HTMLResponse)
def signup(
    request: Request,
    db_session: DbSession,
    settings: CurrentSettings,
    now: Now,
    ident: Identity,
    nickname: Annotated[str, Form(max_length=200)] = "",
    phone: Annotated[str, Form(max_length=50)] = "",
    password: Annotated[str, Form(max_length=300)] = "",
    next: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    """A new buyer account; her recovery codes are shown once, on the answer page."""
    form = {"nickname": nickname, "phone": phone}
    try:
        made = ident.sign_up(
            db_session=db_session, nickname=nickname, phone=phone, password=password, now=now
        )
    except InvalidInput as error:
        db_session.rollback()
        problem = error.problems[0] if error.problems else None
        errors = {problem.field if problem else "form": said(error)}
        return render(
            request,
            "consumer_signup.html",
            None,
            form=form,
            errors=errors,
            next=next,
            status_code=422,
        )
    token = _open_session(settings, db_session, made.consumer_id, now)
    response = render(
        request,
        "consumer_signed_up.html",
        None,
        codes=made.recovery_codes,
        next=safe_next(next) if next else MY_COMPLAINTS,
    )
    hold_session(response, token, settings)
    response.headers["Cache-Control"] = "no-store"  # the codes must not stay in a cache
    return response


@router.get(MY_LOGIN, response_class=HTMLResponse)
def signin_page(
    request: Request, principal: MaybePrincipal, error: str = "", next: str = ""
) -> Response:
    return render(
        request, "consumer_login.html", principal, error=error, form={}, errors={}, next=next
    )


@router.post(MY_LOGIN, response_class=HTMLResponse)
def signin(
    request: Request,
    db_session: DbSession,
    settings: CurrentSettings,
    now: Now,
    attempts: SignInAttempts,
    ident: Identity,
    phone: Annotated[str, Form(max_length=50)] = "",
    password: Annotated[str, Form(max_length=300)] = "",
    next: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    """Mobile number and password; failures throttled per number and per address, like
    the staff sign-in."""
    try:
        with attempts.guard(account=f"consumer:{phone.strip()}"):
            consumer_id = ident.sign_in(
                db_session=db_session, phone=phone, password=password, now=now
            )
    except LiveGuardError as error:
        return render(
            request,
            "consumer_login.html",
            None,
            error=sign_in_refusal(error),
            form={"phone": phone},
            errors={},
            next=next,
            status_code=_page_status(error),
        )
    token = _open_session(settings, db_session, consumer_id, now)
    return session_redirect(safe_next(next) if next else MY_COMPLAINTS, token, settings)


def _page_status(error: LiveGuardError) -> int:
    """A refused sign-in is the same form again with the reason (200); a throttled one
    says 429 with Retry-After, as the API does."""
    return 200 if isinstance(error, NotAuthenticated) else error.status


@router.get("/my/recover", response_class=HTMLResponse)
def recover_page(request: Request, principal: MaybePrincipal) -> Response:
    return render(request, "consumer_recover.html", principal, form={}, errors={})


@router.post("/my/recover", response_class=HTMLResponse)
def recover(
    request: Request,
    db_session: DbSession,
    settings: CurrentSettings,
    now: Now,
    attempts: SignInAttempts,
    ident: Identity,
    phone: Annotated[str, Form(max_length=50)] = "",
    code: Annotated[str, Form(max_length=100)] = "",
    new_password: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    """A new password with one of her one-time recovery codes (the code is used up)."""
    form = {"phone": phone, "code": code}
    try:
        with attempts.guard(account=f"consumer:{phone.strip()}"):
            consumer_id = ident.recover(
                db_session=db_session,
                phone=phone,
                code=code,
                new_password=new_password,
                now=now,
            )
    except InvalidInput as error:
        db_session.rollback()
        return render(
            request,
            "consumer_recover.html",
            None,
            form=form,
            errors={"new_password": said(error)},
            status_code=422,
        )
    except LiveGuardError as error:
        db_session.rollback()
        return render(
            request,
            "consumer_recover.html",
            None,
            form=form,
            errors={"code": sign_in_refusal(error)},
            status_code=_page_status(error),
        )
    token = _open_session(settings, db_session, consumer_id, now)
    return session_redirect(f"{MY_COMPLAINTS}?notice=recovered", token, settings)


# --- her complaints -------------------------------------------------------------------------


@router.get(MY_COMPLAINTS, response_class=HTMLResponse)
def my_complaints(
    request: Request, db_session: DbSession, principal: PageConsumer, notice: str = ""
) -> Response:
    cases = service.get_all(db_session=db_session, consumer_id=principal.id)
    left = recovery_codes_left(db_session=db_session, consumer_id=principal.id)
    return render(
        request,
        "my_complaints.html",
        principal,
        cases=cases,
        codes_left=left,
        recovered=notice == "recovered",
    )


@router.get(MY_COMPLAINTS + "/{case_id}", response_class=HTMLResponse)
def my_complaint(
    request: Request,
    case_id: Id,
    db_session: DbSession,
    principal: PageConsumer,
    notice: str = "",
) -> Response:
    case = service.get(db_session=db_session, case_id=case_id)
    if case.consumer_id != principal.id:
        raise Forbidden("这不是您的投诉 This complaint is not yours")
    return render(
        request,
        "my_case.html",
        principal,
        **_case_view(db_session, case),
        filed=notice == "filed",
    )


# --- tracking a complaint filed without an account ------------------------------------------


@router.get("/track", response_class=HTMLResponse)
def track_page(request: Request, principal: MaybePrincipal) -> Response:
    return render(request, "track.html", principal, form={}, errors={})


@router.post("/track", response_class=HTMLResponse)
def track_by_code(
    request: Request,
    db_session: DbSession,
    principal: MaybePrincipal,
    attempts: SignInAttempts,
    code: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Her tracking code opens the case; wrong codes are throttled like sign-ins."""
    try:
        with attempts.guard():
            case_id = case_keys.case_by_code(db_session=db_session, code=code)
            if case_id is None:
                raise NotAuthenticated(
                    "没有找到这个查询码，请核对后再试 No complaint has this code"
                )
    except LiveGuardError as error:
        return render(
            request,
            "track.html",
            principal,
            form={"code": code},
            errors={"code": sign_in_refusal(error)},
            status_code=_page_status(error),
        )
    case = service.get(db_session=db_session, case_id=case_id)
    return render(request, "my_case.html", principal, **_case_view(db_session, case))


@router.get("/track/{secret}", response_class=HTMLResponse)
def track_by_link(
    request: Request, secret: str, db_session: DbSession, principal: MaybePrincipal
) -> Response:
    """The secret link given when she filed: the case, its answer and its progress."""
    case_id = case_keys.case_by_link(db_session=db_session, secret=secret[:100])
    if case_id is None:
        raise NotFound("投诉链接", "（链接不对或不完整）")
    case = service.get(db_session=db_session, case_id=case_id)
    response = render(request, "my_case.html", principal, **_case_view(db_session, case))
    response.headers["Referrer-Policy"] = "no-referrer"  # the link is the key
    return response


def _case_view(db_session: Session, case: service.Case) -> dict[str, Any]:
    """What the buyer reads of her case: its state, the answer, its steps."""
    room = (
        live_service.get(db_session=db_session, session_id=case.session_id)
        if case.session_id
        else None
    )
    listing = (
        catalog_service.get(db_session=db_session, listing_id=case.listing_id)
        if case.listing_id
        else None
    )
    return {
        "case": case,
        "answer": case.resolution or {},
        "events": service.get_events(db_session=db_session, case_id=case.id),
        "room": room,
        "listing": listing,
        "words": liability_service.value_label,
    }


# --- the complaint form ---------------------------------------------------------------------


CHANNELS = [c for c in PaymentChannel]
YES_NO = {"yes": True, "no": False}


@dataclass
class Complaint:
    """The form as she filled it in, and what is wrong with it, field by field."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    choices: list[Any] = field(default_factory=list)  # the room's listings, to pick from


def _watched(request: Request, db_session: Session) -> list[Any]:
    ids = [int(i) for i in request.cookies.get(WATCHED_COOKIE, "").split(".") if i.isdigit()]
    rooms = live_service.sessions_by_ids(db_session=db_session, session_ids=ids[:WATCHED_KEEP])
    return sorted(rooms, key=lambda s: s.started_at, reverse=True)


def _room(db_session: Session, form: Complaint) -> Any:
    picked = form.values.get("watched", "")
    code = form.values.get("room", "").strip()
    if picked.isdigit():
        try:
            return live_service.get(db_session=db_session, session_id=int(picked))
        except NotFound:
            pass
    if not code:
        form.errors["room"] = (
            "请填写直播间号（观看页标题下方，例如 XH-880231），或选择您看过的直播间"
        )
        return None
    room = live_service.get_by_room_code(db_session=db_session, room_code=code[:60])
    if room is None:
        form.errors["room"] = (
            f"没有找到直播间“{code[:60]}”。请核对观看页上显示的直播间号，例如 XH-880231"
        )
    return room


def _listing(db_session: Session, form: Complaint, room: Any) -> Any:
    """The listing she names, searched among the room's shop's listings."""
    wanted = form.values.get("listing", "").strip()
    if room is None:
        return None
    listings = list(catalog_service.get_all(db_session=db_session, merchant_id=room.merchant_id))
    form.choices = listings
    if not wanted:
        return None
    exact = [x for x in listings if x.title == wanted]
    if exact:
        return exact[0]
    words = wanted.lower().split()
    found = [x for x in listings if all(w in x.title.lower() for w in words)]
    if len(found) == 1:
        return found[0]
    if not found:
        form.errors["listing"] = f"这个直播间里没有名字含“{wanted[:40]}”的商品，请从下面的列表里选"
    else:
        form.errors["listing"] = "有几件商品都符合，请从下面的列表里选一件"
    return None


def _amount(form: Complaint) -> int | None:
    raw = form.values.get("amount", "").strip()
    if not raw:
        return None
    try:
        fen = parse_yuan(raw[:40])
    except ValueError as error:
        form.errors["amount"] = f"“{raw[:40]}”看不懂：{error}"
        return None
    if fen <= 0:
        form.errors["amount"] = "金额要大于 0 元"
        return None
    return fen


def _form_page(
    request: Request, db_session: Session, principal: Principal | None, form: Complaint
) -> dict[str, Any]:
    return {
        "form": form.values,
        "errors": form.errors,
        "once": form.values.get("once") or case_keys.new_seed(),
        "choices": form.choices,
        "watched": _watched(request, db_session),
        "channels": [(c.value, label(c)) for c in CHANNELS],
        "defects": [(d.value, liability_service.value_label(d.value)) for d in Defect],
    }


@router.get("/complain", response_class=HTMLResponse)
def complain_page(
    request: Request,
    db_session: DbSession,
    principal: MaybePrincipal,
    room: str = "",
    listing: str = "",
) -> Response:
    """The complaint form; from a viewer page (``?room=XH-880231``) the room is filled in
    and its listings offered by name."""
    if principal is not None and principal.is_staff:
        return RedirectResponse("/console/cases/new", status_code=303)
    form = Complaint(values={"room": room[:60], "listing": listing[:200]})
    if room.strip():
        found = live_service.get_by_room_code(db_session=db_session, room_code=room[:60])
        if found is not None:
            form.choices = list(
                catalog_service.get_all(db_session=db_session, merchant_id=found.merchant_id)
            )
    # cacheable on purpose: "back" shows this form again with the same seed, so sending it
    # again finds the case it filed instead of filing a second one
    return render(
        request, "complain.html", principal, **_form_page(request, db_session, principal, form)
    )


@router.post("/complain", response_class=HTMLResponse)
def complain(
    request: Request,
    db_session: DbSession,
    principal: MaybePrincipal,
    now: Now,
    today: Today,
    csrf: Annotated[str, Form(max_length=200)] = "",
    once: Annotated[str, Form(max_length=200)] = "",
    room: Annotated[str, Form(max_length=200)] = "",
    watched: Annotated[str, Form(max_length=20)] = "",
    listing: Annotated[str, Form(max_length=300)] = "",
    amount: Annotated[str, Form(max_length=100)] = "",
    channel: Annotated[str, Form(max_length=40)] = "",
    problem: Annotated[str, Form(max_length=60)] = "",
    deceived: Annotated[str, Form(max_length=10)] = "",
    summary: Annotated[str, Form(max_length=6000)] = "",
) -> Response:
    """File the complaint as she wrote it; anything wrong comes back by its field. The
    same form sent again files nothing and leads to the case it filed."""
    if principal is not None and principal.kind is not PrincipalKind.consumer:
        raise Forbidden("投诉由消费者本人提交；工作人员请用“代消费者投诉”页面")
    _check_form(request, principal, csrf)
    seed = filing.seed_of(once)
    filed = filing.filed_by(db_session, seed)
    if filed is not None:
        return _to_filed(request, filed, principal, seed)
    form = Complaint(
        values={
            "once": seed,
            "room": room,
            "watched": watched,
            "listing": listing,
            "amount": amount,
            "channel": channel,
            "problem": problem,
            "deceived": deceived,
            "summary": summary,
        }
    )
    session = _room(db_session, form)
    item = _listing(db_session, form, session)
    fen = _amount(form)
    if channel not in {c.value for c in CHANNELS}:
        form.errors["channel"] = "请选择您是怎么付款的"
    if problem and problem not in {d.value for d in Defect}:
        form.errors["problem"] = "请从列表中选择遇到的问题"
    if len(summary.strip()) < 5:
        form.errors["summary"] = "请用几句话说说发生了什么（至少 5 个字）"
    if not seed and not form.errors:
        # a form not shown by us (or from before forms had a seed): confirm, then file once
        form.errors["form"] = "请核对上面的内容，再点一次“提交投诉”"
    case, before = None, False
    if not form.errors:
        case, before = filing.file_once(
            db_session,
            seed,
            lambda: _file(db_session, form, principal, session, item, fen, now, today),
        )
    if case is None:
        db_session.rollback()
        return render(
            request,
            "complain.html",
            principal,
            status_code=422,
            **_form_page(request, db_session, principal, form),
        )
    if principal is None and not before:
        case_keys.issue(db_session=db_session, case_id=case.id, now=now, seed=seed)
    return _to_filed(request, case, principal, seed)


def _to_filed(
    request: Request, case: service.Case, principal: Principal | None, seed: str
) -> Response:
    """After filing (or filing again): her case page when signed in, else the page with the
    keys, found again on reload by the seed's cookie."""
    if principal is not None:
        if case.consumer_id != principal.id:
            raise Forbidden("这不是您的投诉 This complaint is not yours")
        return RedirectResponse(f"{MY_COMPLAINTS}/{case.id}?notice=filed", status_code=303)
    response = RedirectResponse(FILED_PAGE, status_code=303)
    settings: Settings = request.app.state.settings
    response.set_cookie(
        FILED_COOKIE,
        seed,
        path=FILED_PAGE,
        httponly=True,
        samesite="lax",
        max_age=int(KEYS_SHOWN.total_seconds()),
        secure=settings.secure_cookies,
    )
    return response


@router.get(FILED_PAGE, response_class=HTMLResponse)
def complaint_filed(
    request: Request, db_session: DbSession, principal: MaybePrincipal, now: Now
) -> Response:
    """The keys of the complaint this browser filed without an account, as often as she
    reloads, for ``KEYS_SHOWN``; after that only how to follow it."""
    seed = request.cookies.get(FILED_COOKIE, "")
    case = filing.filed_by(db_session, filing.seed_of(seed))
    keys = None
    if case is not None and case.consumer_id is None and now - case.filed_at <= KEYS_SHOWN:
        keys = case_keys.keys_for(db_session=db_session, case_id=case.id, seed=seed)
    if case is None or keys is None:
        return render(request, "complaint_filed.html", principal, keys=None, status_code=404)
    response = render(
        request,
        "complaint_filed.html",
        principal,
        keys=keys,
        link=f"/track/{keys.secret}",
        shown_minutes=int(KEYS_SHOWN.total_seconds() // 60),
        **_case_view(db_session, case),
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # the page holds the link's key
    return response


# Which of her fields a service's refusal is about.
_FIELDS = {
    "price_paid_fen": "amount",
    "session_id": "room",
    "listing_id": "listing",
    "summary": "summary",
    "payment_channel": "channel",
}


def _file(
    db_session: Session,
    form: Complaint,
    principal: Principal | None,
    session: Any,
    item: Any,
    fen: int | None,
    now: Any,
    today: Any,
) -> service.Case | None:
    """The complaint filed through the cases flow, or None with the reason by its field."""
    values = form.values
    facts: dict[str, Any] = {}
    if values["problem"]:
        facts["defect"] = values["problem"]
    if values["deceived"] in YES_NO:
        facts["misrepresented_knowingly"] = YES_NO[values["deceived"]]
    off_platform = values["channel"] != PaymentChannel.platform.value
    try:
        complaint = ComplaintCreate(
            summary=values["summary"].strip(),
            session_id=session.id,
            listing_id=item.id if item is not None else None,
            paid_off_platform=off_platform,
            payment_channel=values["channel"] if off_platform else None,
            price_paid_fen=fen,
            facts=facts,
        )
        return flows.file_complaint(
            db_session=db_session,
            complaint_in=complaint,
            consumer_id=principal.id if principal is not None else None,
            origin=CaseOrigin.consumer,
            actor=f"consumer:{principal.id}" if principal is not None else "consumer:anonymous",
            now=now,
            today=today,
            origin_key=case_keys.origin_key(values["once"]),
        )
    except ValidationError as error:
        for problem in error.errors():
            name = str(problem["loc"][0]) if problem["loc"] else "form"
            form.errors[_FIELDS.get(name, "form")] = pydantic_said(problem)
    except LiveGuardError as error:
        name = error.problems[0].field if error.problems else "form"
        form.errors[_FIELDS.get(name, "form")] = said(error)
    return None
