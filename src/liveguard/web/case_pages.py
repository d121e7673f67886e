"""Console pages for complaint cases: the list, a filing form, one case with its answer
(each rule quoted, each fact with its source, a form field per missing fact), the
workflow steps, and the public anonymised record.

Staff sign in as usual; a consumer signs in with her token and sees only her cases.
"""

from __future__ import annotations

import json
import typing
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile as StarletteUpload

from liveguard import labels
from liveguard.auth import service as auth_service
from liveguard.auth.service import Principal
from liveguard.bounds import Id
from liveguard.cases import flows, handling, publicity, service, workflow
from liveguard.cases.schemas import ComplaintCreate, PaymentChannel
from liveguard.clock import CHINA
from liveguard.credit import service as credit_service
from liveguard.credit.enums import SubjectKind
from liveguard.errors import InvalidInput, LiveGuardError, NotFound
from liveguard.liability import service as liability_service
from liveguard.liability.facts import CaseFacts
from liveguard.live import service as live_service
from liveguard.money import parse_yuan
from liveguard.vocab import PrincipalKind
from liveguard.web import lists
from liveguard.web.deps import (
    Blobs,
    CurrentSettings,
    DbSession,
    MaybePrincipal,
    Now,
    SignedForm,
    SignInAttempts,
    SignInFirst,
    Today,
    actor,
    get_cipher,
    get_now,
)
from liveguard.web.pages import back, render, session_redirect, sign_in_refusal
from liveguard.web.permissions import CASE_WORK, check_case_access, filer

router = APIRouter(include_in_schema=False)


def page_signed(principal: MaybePrincipal) -> Principal:
    """Staff or a consumer; anyone else to the sign-in page."""
    if principal is None or principal.kind is PrincipalKind.merchant:
        raise SignInFirst
    return principal


PageSigned = Annotated[Principal, Depends(page_signed)]


def fact_field(name: str) -> dict[str, Any]:
    """How to ask for one CaseFacts field in a form: its kind and, for a choice, the values."""
    annotation = CaseFacts.model_fields[name].annotation
    args = [a for a in typing.get_args(annotation) if a is not type(None)] or [annotation]
    kind = args[0]
    if typing.get_origin(kind) is typing.Annotated:  # Fen, Name: constrained int / str
        kind = typing.get_args(kind)[0]
    if typing.get_origin(kind) is list:
        (item,) = typing.get_args(kind)
        if isinstance(item, type) and issubclass(item, Enum):  # several choices, e.g. terms
            return {"name": name, "input": "multi", "choices": _choices(item)}
    if kind is bool:
        return {"name": name, "input": "bool"}
    if isinstance(kind, type) and issubclass(kind, Enum):
        return {"name": name, "input": "select", "choices": _choices(kind)}
    if kind is date:
        return {"name": name, "input": "date"}
    if kind is int and name.endswith("_fen"):
        return {"name": name, "input": "yuan"}  # people answer in yuan; stored in fen
    if kind is int:
        return {"name": name, "input": "number"}
    return {"name": name, "input": "json"}


def _choices(kind: type[Enum]) -> list[tuple[str, str]]:
    """Each value of a choice with its Chinese label (no bare codes on a page)."""
    return [(e.value, liability_service.value_label(e.value)) for e in kind]


def parse_answer(name: str, raw: str | list[str]) -> Any:
    field = fact_field(name)
    if field["input"] == "multi":
        picked = [raw] if isinstance(raw, str) else raw
        return [v for v in picked if v.strip()] or None
    raw = raw.strip() if isinstance(raw, str) else (raw[0].strip() if raw else "")
    if field["input"] == "bool":
        return {"yes": True, "no": False}.get(raw)
    if field["input"] == "json":
        return json.loads(raw) if raw else None
    if field["input"] == "yuan":
        return parse_yuan(raw) if raw else None
    return raw or None


@router.get("/console/cases", response_class=HTMLResponse)
def cases_page(
    request: Request, db_session: DbSession, principal: PageSigned, today: Today
) -> Response:
    """The cases list with its filters and pages; a consumer sees her own cases only."""
    own = principal.id if principal.kind is PrincipalKind.consumer else None
    filters, problems = lists.query_of(request)
    page = lists.run_search(service.search, db_session, filters, problems, consumer_id=own)
    return render(
        request,
        "cases.html",
        principal,
        cases=page.items,
        today=today,
        form={k: v for k, v in request.query_params.items() if k not in ("after", "limit")},
        problems=problems,
        next_href=lists.next_link("/console/cases", filters, page),
        export_href=lists.export_link("/console/cases/export.csv", filters),
        first_page=filters.after is None,
        first_href=lists.export_link("/console/cases", filters),
        names=lists.party_names(db_session, page.items),
        narrowed=lists.filter_names(db_session, dict(request.query_params)),
        **lists.case_list_context(db_session),
        status_code=422 if problems else 200,
    )


@router.get("/console/cases/new", response_class=HTMLResponse)
def new_case_page(
    request: Request,
    principal: PageSigned,
    db_session: DbSession,
    today: Today,
    error: str = "",
    session_id: Id | None = None,
    claimed_against: Annotated[list[str] | None, Query(max_length=20)] = None,
) -> Response:
    """The complaint form; opened from a live room (``session_id``), it says the seller's
    red- or black-list status and fills in the room. Sent back with a mistake, it keeps
    whom she claimed from (``claimed_against``). Buyers' links lead to /complain, the
    form in the words a buyer knows (web/consumer_pages.py)."""
    credit = None
    if session_id is not None:
        live_session = live_service.get(db_session=db_session, session_id=session_id)
        credit = credit_service.in_force(
            db_session=db_session,
            subject=credit_service.Subject(SubjectKind.merchant, live_session.merchant_id),
            today=today,
        )
    return render(
        request,
        "case_new.html",
        principal,
        channels=[c.value for c in PaymentChannel if c is not PaymentChannel.platform],
        defects=fact_field("defect")["choices"],
        subjects=fact_field("subject")["choices"],
        claims=fact_field("claimed")["choices"],
        against=liability_service.claim_choices(),
        chosen_against=set(claimed_against or []),
        error=error,
        credit=credit,
        session_id=session_id,
    )


def _optional_int(raw: str) -> int | None:
    return int(raw) if raw.strip() else None


_AGAINST = {value for value, _ in liability_service.claim_choices()}


def _claimed_against(choices: list[str]) -> list[str] | None:
    """The roles behind her plain choices (卖家, 主播, 平台...); None when she chose none."""
    if not choices:
        return None
    try:
        return liability_service.claimed_against(choices)
    except ValueError:
        raise InvalidInput(
            "claimed_against", "您要求谁承担责任：有一项不在列表中", "请从列表中勾选"
        ) from None


@router.post("/console/cases")
def file_case(
    db_session: DbSession,
    principal: SignedForm,
    blobs: Blobs,
    now: Now,
    today: Today,
    summary: Annotated[str, Form()],
    consumer_id: Annotated[str, Form()] = "",
    order_id: Annotated[str, Form()] = "",
    session_id: Annotated[str, Form()] = "",
    occurred_at: Annotated[str, Form()] = "",
    listing_id: Annotated[str, Form()] = "",
    paid: Annotated[str, Form()] = "",
    payment_channel: Annotated[str, Form()] = "",
    price_yuan: Annotated[str, Form()] = "",
    defect: Annotated[str, Form()] = "",
    false_advertising: Annotated[str, Form()] = "",
    misrepresented_knowingly: Annotated[str, Form()] = "",
    live_room: Annotated[str, Form()] = "",
    subject: Annotated[str, Form()] = "",
    refunded_yuan: Annotated[str, Form()] = "",
    claimed: Annotated[list[str] | None, Form()] = None,
    claimed_against: Annotated[list[str] | None, Form(max_length=20)] = None,
    # a browser sends an empty, name-less part when no file was chosen: it arrives as ""
    evidence: Annotated[list[UploadFile | str] | None, File()] = None,
) -> RedirectResponse:
    try:
        stated: dict[str, Any] = {"defect": defect or None, "subject": subject or None}
        if paid in ("platform", "direct", "offline"):  # off_platform: said by paid_off_platform
            stated["channel"] = paid
        for name, raw in (
            ("false_advertising", false_advertising),
            ("misrepresented_knowingly", misrepresented_knowingly),
            ("live_room", live_room),
            ("refunded_fen", refunded_yuan),
        ):
            stated[name] = parse_answer(name, raw)
        stated["claimed"] = parse_answer("claimed", claimed or [])
        stated["claimed_against"] = _claimed_against(claimed_against or [])
        at = datetime.fromisoformat(occurred_at).replace(tzinfo=CHINA) if occurred_at else None
        complaint = ComplaintCreate(
            consumer_id=_optional_int(consumer_id),
            summary=summary,
            order_id=_optional_int(order_id),
            session_id=_optional_int(session_id),
            occurred_at=at,
            listing_id=_optional_int(listing_id),
            paid_off_platform=paid == "off_platform",
            payment_channel=payment_channel or None,
            price_paid_fen=parse_yuan(price_yuan) if price_yuan.strip() else None,
            facts={k: v for k, v in stated.items() if v is not None},
        )
        consumer, origin = filer(principal, complaint)
        case = flows.file_complaint(
            db_session=db_session,
            complaint_in=complaint,
            consumer_id=consumer,
            origin=origin,
            actor=actor(principal),
            now=now,
            today=today,
        )
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
    except (LiveGuardError, ValidationError, ValueError) as error:
        message = getattr(error, "detail", None) or str(error).splitlines()[0]
        db_session.rollback()
        kept = [("claimed_against", c) for c in claimed_against or [] if c in _AGAINST]
        return RedirectResponse(
            f"/console/cases/new?{urlencode([('error', message), *kept])}", status_code=303
        )
    return back(f"/console/cases/{case.id}", notice="saved")


@router.get("/console/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request,
    case_id: Id,
    db_session: DbSession,
    principal: PageSigned,
    notice: str = "",
    error: str = "",
) -> Response:
    case = service.get(db_session=db_session, case_id=case_id)
    check_case_access(principal, case, write=False)
    questions = case.resolution.get("questions", [])
    can_work = principal.is_staff and principal.role in CASE_WORK
    return render(
        request,
        "case.html",
        principal,
        case=case,
        answer=case.resolution,
        fields={q["field"]: fact_field(q["field"]) for q in questions},
        timeline=case_timeline(
            links=service.get_links(db_session=db_session, case_id=case.id),
            events=service.get_events(db_session=db_session, case_id=case.id),
            files=service.get_files(db_session=db_session, case_id=case.id),
            show_notes=can_work,
        ),
        next_states=workflow.next_states(case),
        can_work=can_work,
        # the public record as it would go out, for staff to check before they publish
        publication=publicity.draft(db_session=db_session, case=case)
        if can_work and case.published_at is None and case.state in publicity.PUBLISHABLE
        else None,
        notice=notice,
        error=error,
    )


def _moment(raw: object) -> datetime | None:
    if not isinstance(raw, str) or not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _frame_words(data: dict[str, Any]) -> str:
    """What a frame showed, in words: each QR code's kind and payload, then its text."""
    said = [
        f"二维码（{labels.label(c.get('kind'), 'live.PayloadKind')}）{c.get('payload', '')}"
        for c in data.get("qr") or []
    ] + [str(line) for line in data.get("lines") or []]
    return "；".join(said) or "画面"


def case_timeline(
    *, links: Sequence[Any], events: Sequence[Any], files: Sequence[Any], show_notes: bool
) -> dict[str, Any]:
    """The case's facts and evidence in time order: what was said, shown, found and done in
    the room, then what happened to the case, each with the ledger item behind it. A
    finding sits under the words or frame it was found in; records without a moment
    (the room, the listing's versions, files) are listed apart."""
    rows: list[dict[str, Any]] = []
    by_ref: dict[str, dict[str, Any]] = {}
    findings = []
    undated: list[dict[str, Any]] = []
    room = None
    for link in links:
        if link.kind == "session":
            room = link
            continue
        if link.kind == "finding":
            findings.append(link)
            continue
        at = _moment(link.data.get("occurred_at") or link.data.get("created_at"))
        if link.kind in ("action", "warning"):  # its words, not the policy's id and rule
            by = "系统按规则自动" if link.data.get("actor") == "policy" else link.data.get("actor")
            text = " · ".join(str(x) for x in (link.data.get("text"), by) if x)
        elif link.kind == "frame":
            text = _frame_words(link.data)
        else:
            text = link.data.get("text") or link.summary
        row = {
            "at": at,
            "kind": link.kind,
            "action": link.data.get("action"),
            "rule": link.data.get("rule"),  # the id, for machines: the words are in text
            "speaker": link.data.get("speaker_role"),
            "text": text,
            "quote": link.data.get("quote"),
            "seq": link.ledger_seq,
            "findings": [],
        }
        (rows if at is not None else undated).append(row)
        by_ref[link.ref] = row
    for link in findings:
        finding = {
            "text": link.summary,
            "severity": link.data.get("severity"),
            "quote": link.data.get("quote"),
            "seq": link.ledger_seq,
            "status": link.data.get("status"),
        }
        if (on := by_ref.get(str(link.data.get("on")))) is not None:
            on["findings"].append(finding)
        else:
            undated.append(
                {
                    "kind": "finding",
                    "text": link.summary,
                    "seq": link.ledger_seq,
                    "quote": finding["quote"],
                    "findings": [],
                }
            )
    for event in events:
        rows.append(
            {
                "at": event.at,
                "kind": "case_event",
                "event": event,
                "text": event.text
                if event.text and (event.kind.value != "note" or show_notes)
                else "",
                "seq": event.ledger_seq,
                "findings": [],
            }
        )
    for f in files:
        undated.append(
            {
                "kind": "file",
                "text": f.file_name,
                "seq": f.ledger_seq,
                "findings": [],
                "sha256": f.sha256,
            }
        )
    rows.sort(key=lambda r: (r["at"], r["seq"] if r["seq"] is not None else -1))
    return {"room": room, "rows": rows, "undated": undated}


@router.post("/console/cases/{case_id}/facts")
async def answer_case(
    request: Request,
    case_id: Id,
    db_session: DbSession,
    principal: SignedForm,
    now: Now,
    today: Today,
) -> RedirectResponse:
    case = service.get(db_session=db_session, case_id=case_id)
    form = await request.form()
    try:
        check_case_access(principal, case, write=True)
        answers = {
            name[len("fact_") :]: parse_answer(
                name[len("fact_") :], [str(v) for v in form.getlist(name)]
            )
            for name in dict.fromkeys(form.keys())
            if name.startswith("fact_") and name[len("fact_") :] in CaseFacts.model_fields
        }
        answers = {k: v for k, v in answers.items() if v is not None}
        if not answers:
            return back(
                f"/console/cases/{case.id}", error="请至少回答一个问题 Answer at least one question"
            )
        flows.answer_facts(
            db_session=db_session,
            case=case,
            answers=answers,
            actor=actor(principal),
            party_role="staff" if principal.is_staff else "consumer",
            now=now,
            today=today,
        )
    except (LiveGuardError, ValueError) as error:
        db_session.rollback()
        return back(f"/console/cases/{case.id}", error=getattr(error, "detail", str(error)))
    return back(f"/console/cases/{case.id}", notice="saved")


@router.get("/console/consumer-login", response_class=HTMLResponse)
def consumer_login_page(request: Request, principal: MaybePrincipal, error: str = "") -> Response:
    return render(
        request, "consumer_login.html", principal, error=error, form={}, errors={}, next=""
    )


@router.post("/console/consumer-login")
def consumer_login(
    request: Request,
    db_session: DbSession,
    settings: CurrentSettings,
    attempts: SignInAttempts,
    token: Annotated[str, Form(max_length=300)] = "",
) -> RedirectResponse:
    """A consumer signs in with the token the platform gave her, exchanged for a console
    session as a merchant's is: signing out ends the session, not her token."""
    try:
        with attempts.guard():
            session = auth_service.exchange(
                db_session=db_session,
                raw_token=token.strip(),
                kind=PrincipalKind.consumer,
                refusal="this is not a consumer's token",
                ttl=timedelta(hours=settings.session_hours),
                now=get_now(request),
            )
    except LiveGuardError as error:
        return back("/console/consumer-login", error=sign_in_refusal(error))
    return session_redirect("/console/cases", session, settings)


@router.post("/console/cases/{case_id}/anchor-identity", response_class=HTMLResponse)
def anchor_identity(
    request: Request, case_id: Id, db_session: DbSession, principal: SignedForm, now: Now
) -> Response:
    """The anchor's verified identity, handed to the consumer when the answer says the
    platform must (消费者权益保护法实施条例 art. 14); the handover is recorded."""
    case = service.get(db_session=db_session, case_id=case_id)
    try:
        check_case_access(principal, case, write=True)
        identity = handling.disclose_anchor_identity(
            db_session=db_session,
            case=case,
            cipher=get_cipher(request),
            actor=actor(principal),
            now=now,
        )
    except LiveGuardError as error:
        db_session.rollback()
        return back(f"/console/cases/{case.id}", error=error.detail)
    return render(request, "anchor_identity.html", principal, case=case, identity=identity)


@router.get("/complaints", response_class=HTMLResponse)
def public_cases_page(
    request: Request, db_session: DbSession, principal: MaybePrincipal
) -> Response:
    """Complaint publicity: every published case, anonymised."""
    records = [
        publicity.public_record(db_session=db_session, case=case)
        for case in service.get_published(db_session=db_session)
    ]
    return render(request, "public_cases.html", principal, records=records)


@router.get("/complaints/{case_id}", response_class=HTMLResponse)
def public_case_page(
    request: Request, case_id: Id, db_session: DbSession, principal: MaybePrincipal
) -> Response:
    """The anonymised public record of a published case (complaint publicity)."""
    case = service.get(db_session=db_session, case_id=case_id)
    if case.published_at is None:
        raise NotFound("published case", case_id)
    record = publicity.public_record(db_session=db_session, case=case)
    return render(request, "public_case.html", principal, record=record)
