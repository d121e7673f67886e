"""The console's complaint form: case staff filing on a consumer's behalf, or a consumer
signed in with her token. The shop, the live room, the anchor and the listing are chosen
from lists by their names, the consumer is named by her mobile number and the order by
the number its page shows: nobody types an internal id. The API (``POST /api/cases``)
is unchanged; this form builds the same ``ComplaintCreate``.

A mistake comes back on the same form (422) with a Chinese sentence and its fix by the
field, and everything typed kept (files must be chosen again: a browser cannot be given
them back). The form carries a one-time seed like the buyer's form: sent twice, it files
one case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile as StarletteUpload

from liveguard.auth import case_keys
from liveguard.auth.service import Principal
from liveguard.bounds import Id
from liveguard.cases import flows, refusals, service
from liveguard.cases.schemas import ComplaintCreate, PaymentChannel
from liveguard.catalog import service as catalog_service
from liveguard.clock import CHINA
from liveguard.credit import service as credit_service
from liveguard.credit.enums import SubjectKind
from liveguard.errors import LiveGuardError
from liveguard.labels import label
from liveguard.liability import service as liability_service
from liveguard.live import service as live_service
from liveguard.money import parse_yuan
from liveguard.parties import service as parties_service
from liveguard.trade import service as trade_service
from liveguard.web import filing
from liveguard.web.case_facts import fact_field, parse_answer
from liveguard.web.deps import (
    Blobs,
    DbSession,
    Now,
    PageSigned,
    SignedForm,
    Today,
    actor,
    get_cipher,
)
from liveguard.web.pages import back, render
from liveguard.web.permissions import check_case_access, filer
from liveguard.web.refusal_words import pydantic_said, said

router = APIRouter(include_in_schema=False)

# How many shops, anchors, rooms and listings a list offers (rooms: the latest).
PICK_LIMIT = 500
ROOMS_SHOWN = 200
# The form's fields a refusal can be about, by the API's field name; others go on top.
_FORM_FIELD = {
    "consumer_id": "consumer_phone",
    "order_id": "order_no",
    "price_paid_fen": "price_yuan",
    "paid_off_platform": "paid",
    "facts.refunded_fen": "refunded_yuan",
    "facts.claimed_against": "claimed_against",
    "file": "evidence",
}
_AGAINST = {value for value, _ in liability_service.claim_choices()}
YES_NO = {"yes": True, "no": False}


@dataclass
class CaseForm:
    """The form as it was filled in, and what is wrong with it, by field."""

    values: dict[str, str]
    claimed: list[str] = field(default_factory=list)
    claimed_against: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    def refuse(self, name: str, words: str) -> None:
        """``words`` by the field ``name`` (a form field or the API's name for it); a
        refusal about no field of the form goes on top. The first reason per field stays."""
        where = _FORM_FIELD.get(name, name).removeprefix("facts.")
        self.errors.setdefault(where if where in _SHOWN_BY else "form", words)


FIELDS = (
    "consumer_phone",
    "summary",
    "order_no",
    "paid",
    "live_room",
    "subject",
    "payment_channel",
    "defect",
    "false_advertising",
    "misrepresented_knowingly",
    "price_yuan",
    "refunded_yuan",
    "merchant_id",
    "session_id",
    "anchor_id",
    "listing_id",
    "occurred_at",
    "once",
)
# The fields a message can stand by (the choices and the files are not in ``values``).
_SHOWN_BY = frozenset(FIELDS) | {"claimed", "claimed_against", "evidence"}


def _lists(db_session: Session, chosen_room: str) -> dict[str, Any]:
    """What the form offers to choose from, by name; the latest rooms, and the room the
    form was opened from or sent with even when it is older."""
    shops, _ = parties_service.get_all_merchants(db_session=db_session, limit=PICK_LIMIT)
    anchors, _ = parties_service.get_all_anchors(db_session=db_session, limit=PICK_LIMIT)
    rooms = list(live_service.get_all(db_session=db_session, limit=ROOMS_SHOWN))
    chosen = _an_id(chosen_room)
    if chosen is not None and chosen not in {r.id for r in rooms}:
        rooms += live_service.sessions_by_ids(db_session=db_session, session_ids=[chosen])
    listings = list(catalog_service.get_all(db_session=db_session))[:PICK_LIMIT]
    shop_names = {s.id: s.shop_name or s.name for s in shops}
    by_shop: dict[int, list[Any]] = {}
    for listing in listings:
        by_shop.setdefault(listing.merchant_id, []).append(listing)
    return {
        "shops": sorted(shops, key=lambda s: s.shop_name or s.name),
        "shop_names": shop_names,
        "anchors": sorted(anchors, key=lambda a: a.nickname),
        "rooms": rooms,
        "listings_by_shop": sorted(by_shop.items(), key=lambda kv: shop_names.get(kv[0], "")),
        "channels": [c.value for c in PaymentChannel if c is not PaymentChannel.platform],
        "defects": fact_field("defect")["choices"],
        "subjects": fact_field("subject")["choices"],
        "claims": fact_field("claimed")["choices"],
        "against": liability_service.claim_choices(),
    }


def _page(
    request: Request,
    db_session: Session,
    principal: Principal,
    form: CaseForm,
    today: Any,
    status_code: int = 200,
) -> Response:
    credit = None
    room = form.values.get("session_id", "")
    if (chosen := _an_id(room)) is not None:
        live_session = live_service.sessions_by_ids(db_session=db_session, session_ids=[chosen])
        if live_session:
            credit = credit_service.in_force(
                db_session=db_session,
                subject=credit_service.Subject(SubjectKind.merchant, live_session[0].merchant_id),
                today=today,
            )
    return render(
        request,
        "case_new.html",
        principal,
        form=form.values,
        errors=form.errors,
        chosen_claims=set(form.claimed),
        chosen_against=set(form.claimed_against),
        field_name=lambda name: label(name, "cases.form_field"),
        credit=credit,
        status_code=status_code,
        **_lists(db_session, room),
    )


@router.get("/console/cases/new", response_class=HTMLResponse)
def new_case_page(
    request: Request,
    principal: PageSigned,
    db_session: DbSession,
    today: Today,
    session_id: Id | None = None,
) -> Response:
    """The complaint form; opened from a live room (``session_id``), the room is chosen
    and the seller's red- or black-list status shown."""
    values = {"once": case_keys.new_seed()}
    if session_id is not None:
        values["session_id"] = str(session_id)
    return _page(request, db_session, principal, CaseForm(values), today)


def _an_id(raw: str) -> int | None:
    """A choice's value as the id it names; None for anything no list offers."""
    raw = raw.strip()
    return int(raw) if raw.isdigit() and len(raw) <= 9 else None


def _pick(form: CaseForm, name: str) -> int | None:
    raw = form.values.get(name, "").strip()
    if not raw:
        return None
    chosen = _an_id(raw)
    if chosen is None:
        form.refuse(name, _said_code("not_on_list"))
    return chosen


def _said_code(code: str, **slots: object) -> str:
    """A refusal of this form (``cases.refusal``) with its fix."""
    words, fix = refusals.sentence(code, **slots), refusals.fix(code, **slots)
    return f"{words}：{fix}" if fix else words


def _yuan(form: CaseForm, name: str) -> int | None:
    raw = form.values.get(name, "").strip()
    if not raw:
        return None
    try:
        return parse_yuan(raw[:40])
    except ValueError as error:
        form.refuse(name, f"“{raw[:40]}”看不懂：{error}")
        return None


def _consumer(
    db_session: Session, request: Request, form: CaseForm, principal: Principal
) -> int | None:
    """Whose complaint: a consumer's own; staff name her by her mobile number."""
    if not principal.is_staff:
        return None
    phone = form.values.get("consumer_phone", "").strip()
    if not phone:
        form.refuse("consumer_phone", _said_code("phone_missing"))
        return None
    try:
        found = parties_service.get_consumer_by_phone(
            db_session=db_session, phone=phone, cipher=get_cipher(request)
        )
    except ValueError:
        found = None
    if found is None:
        form.refuse("consumer_phone", _said_code("no_such_consumer", phone=phone[:20]))
        return None
    return int(found.id)


def _order(db_session: Session, form: CaseForm, shop: int | None) -> int | None:
    number = form.values.get("order_no", "").strip()
    if not number:
        return None
    if shop is None:
        form.refuse("order_no", _said_code("order_needs_shop"))
        return None
    order = trade_service.find_order(db_session=db_session, merchant_id=shop, order_no=number)
    if order is None:
        form.refuse("order_no", _said_code("no_such_order", number=number[:60]))
        return None
    return int(order.id)


def _moment(form: CaseForm) -> datetime | None:
    raw = form.values.get("occurred_at", "").strip()
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw).replace(tzinfo=CHINA)
    except ValueError:
        form.refuse("occurred_at", _said_code("bad_moment", value=raw[:40]))
        return None


def _stated(form: CaseForm) -> dict[str, Any]:
    """The facts she states, in the engine's words."""
    values = form.values
    stated: dict[str, Any] = {"defect": values["defect"] or None}
    stated["subject"] = values["subject"] or None
    if values["paid"] in ("platform", "direct", "offline"):  # off_platform: paid_off_platform
        stated["channel"] = values["paid"]
    for name in ("false_advertising", "misrepresented_knowingly", "live_room"):
        stated[name] = YES_NO.get(values[name])
    stated["refunded_fen"] = _yuan(form, "refunded_yuan")
    stated["claimed"] = parse_answer("claimed", form.claimed) if form.claimed else None
    if form.claimed_against:
        wrong = [c for c in form.claimed_against if c not in _AGAINST]
        if wrong:
            form.refuse("claimed_against", _said_code("not_on_list"))
        else:
            stated["claimed_against"] = liability_service.claimed_against(form.claimed_against)
    return {k: v for k, v in stated.items() if v is not None}


def _complaint(
    db_session: Session, request: Request, form: CaseForm, principal: Principal
) -> ComplaintCreate | None:
    """The form read into the API's complaint; None with the reasons by field."""
    consumer = _consumer(db_session, request, form, principal)
    shop = _pick(form, "merchant_id")
    order = _order(db_session, form, shop)
    price = _yuan(form, "price_yuan")
    at = _moment(form)
    picked = {name: _pick(form, name) for name in ("session_id", "anchor_id", "listing_id")}
    stated = _stated(form)
    if form.errors:
        return None
    values = form.values
    try:
        return ComplaintCreate(
            consumer_id=consumer,
            summary=values["summary"].strip(),
            order_id=order,
            merchant_id=shop,
            occurred_at=at,
            paid_off_platform=values["paid"] == "off_platform",
            payment_channel=values["payment_channel"] or None,
            price_paid_fen=price,
            facts=stated,
            **picked,
        )
    except ValidationError as error:
        for problem in error.errors():
            name = ".".join(str(p) for p in problem["loc"]) or "form"
            form.refuse(name, pydantic_said(problem))
    return None


@router.post("/console/cases")
def file_case(
    request: Request,
    db_session: DbSession,
    principal: SignedForm,
    blobs: Blobs,
    now: Now,
    today: Today,
    summary: Annotated[str, Form(max_length=6000)] = "",
    consumer_phone: Annotated[str, Form(max_length=50)] = "",
    order_no: Annotated[str, Form(max_length=100)] = "",
    paid: Annotated[str, Form(max_length=40)] = "",
    live_room: Annotated[str, Form(max_length=10)] = "",
    subject: Annotated[str, Form(max_length=40)] = "",
    payment_channel: Annotated[str, Form(max_length=40)] = "",
    defect: Annotated[str, Form(max_length=60)] = "",
    false_advertising: Annotated[str, Form(max_length=10)] = "",
    misrepresented_knowingly: Annotated[str, Form(max_length=10)] = "",
    price_yuan: Annotated[str, Form(max_length=100)] = "",
    refunded_yuan: Annotated[str, Form(max_length=100)] = "",
    merchant_id: Annotated[str, Form(max_length=20)] = "",
    session_id: Annotated[str, Form(max_length=20)] = "",
    anchor_id: Annotated[str, Form(max_length=20)] = "",
    listing_id: Annotated[str, Form(max_length=20)] = "",
    occurred_at: Annotated[str, Form(max_length=40)] = "",
    once: Annotated[str, Form(max_length=200)] = "",
    claimed: Annotated[list[str] | None, Form(max_length=20)] = None,
    claimed_against: Annotated[list[str] | None, Form(max_length=20)] = None,
    # a browser sends an empty, name-less part when no file was chosen: it arrives as ""
    evidence: Annotated[list[UploadFile | str] | None, File()] = None,
) -> Response:
    """File the complaint; a mistake comes back on the form, a second send of the same
    form goes to the case the first one filed."""
    form = CaseForm(
        values={
            "consumer_phone": consumer_phone,
            "summary": summary,
            "order_no": order_no,
            "paid": paid,
            "live_room": live_room,
            "subject": subject,
            "payment_channel": payment_channel,
            "defect": defect,
            "false_advertising": false_advertising,
            "misrepresented_knowingly": misrepresented_knowingly,
            "price_yuan": price_yuan,
            "refunded_yuan": refunded_yuan,
            "merchant_id": merchant_id,
            "session_id": session_id,
            "anchor_id": anchor_id,
            "listing_id": listing_id,
            "occurred_at": occurred_at,
            "once": once,
        },
        claimed=[c for c in claimed or [] if c],
        claimed_against=[c for c in claimed_against or [] if c],
    )
    seed = filing.seed_of(form.values["once"])
    form.values["once"] = seed or case_keys.new_seed()
    filed = filing.filed_by(db_session, seed)
    if filed is not None:
        check_case_access(principal, filed, write=False)
        return back(f"/console/cases/{filed.id}", notice="saved")
    complaint = _complaint(db_session, request, form, principal)
    if complaint is not None and not seed:
        form.errors["form"] = "请核对上面的内容，再点一次“提交”"
    case = None
    if complaint is not None and not form.errors:
        try:
            case, before = filing.file_once(
                db_session, seed, lambda: _file(db_session, complaint, principal, seed, now, today)
            )
            if not before:
                _add_files(db_session, blobs, case, evidence, principal, now)
        except LiveGuardError as error:
            name = error.problems[0].field if error.problems else "form"
            form.refuse(name, said(error))
            case = None
    if case is None:
        db_session.rollback()
        return _page(request, db_session, principal, form, today, status_code=422)
    return back(f"/console/cases/{case.id}", notice="saved")


def _file(
    db_session: Session,
    complaint: ComplaintCreate,
    principal: Principal,
    seed: str,
    now: datetime,
    today: Any,
) -> service.Case:
    consumer, origin = filer(principal, complaint)
    return flows.file_complaint(
        db_session=db_session,
        complaint_in=complaint,
        consumer_id=consumer,
        origin=origin,
        actor=actor(principal),
        now=now,
        today=today,
        origin_key=case_keys.origin_key(seed),
    )


def _add_files(
    db_session: Session,
    blobs: Any,
    case: service.Case,
    evidence: list[UploadFile | str] | None,
    principal: Principal,
    now: datetime,
) -> None:
    for upload in evidence or []:
        if isinstance(upload, StarletteUpload) and upload.filename:
            service.add_file(
                db_session=db_session,
                case=case,
                blobs=blobs,
                content=upload.file.read(),
                file_name=upload.filename,
                content_type=upload.content_type or "application/octet-stream",
                actor=actor(principal),
                now=now,
            )
