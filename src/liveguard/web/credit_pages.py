"""Credit pages: the public lookup of the red and black lists (anyone), and the console's
proceedings, where staff read the notice, the records behind it and every step, record a
party's objection, appeal or repair application, and decide with a written reason."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from liveguard.bounds import Id
from liveguard.credit import flows as credit_flows
from liveguard.credit import rules as credit_rules
from liveguard.credit import service as credit_service
from liveguard.credit.enums import Decision, PartyAct, ProceedingState, StepKind, SubjectKind
from liveguard.errors import InvalidInput
from liveguard.web.deps import (
    DbSession,
    FormStaff,
    MaybePrincipal,
    Now,
    PageStaff,
    SignedForm,
    Today,
    actor,
)
from liveguard.web.pages import decide_and_return, render
from liveguard.web.permissions import COMPLIANCE_WORK, check_credit_party

router = APIRouter(include_in_schema=False)

SUBJECT_ZH = {
    SubjectKind.merchant: "商家",
    SubjectKind.anchor: "主播",
    SubjectKind.mcn: "MCN 机构",
    SubjectKind.platform: "平台",
}
STATE_ZH = {
    ProceedingState.proposed: "已提议，异议期中",
    ProceedingState.objected: "当事人已提出异议，待决定",
    ProceedingState.listed: "已列入",
    ProceedingState.rejected: "决定不列入",
    ProceedingState.appealed: "当事人申诉中",
    ProceedingState.repair_applied: "申请信用修复中",
    ProceedingState.lifted: "已移出",
}
STEP_ZH = {
    StepKind.proposed: "LiveGuard 提议列入",
    StepKind.notified: "已通知当事人",
    StepKind.objected: "当事人提出异议",
    StepKind.decided: "工作人员决定",
    StepKind.appealed: "当事人申诉",
    StepKind.appeal_decided: "申诉决定",
    StepKind.repair_applied: "当事人申请信用修复",
    StepKind.repair_decided: "信用修复决定",
}
DECISION_ZH = {
    Decision.list: "列入 / 维持",
    Decision.reject: "不列入 / 撤销",
    Decision.lift: "准予修复，移出名单",
    Decision.keep: "不予修复，维持列入",
}
CAUSE_ZH = {
    "live_finding": "直播间违规记录",
    "dismissed": "违规记录被驳回",
    "case": "投诉处理决定",
    "breach": "未按承诺发货或送达",
    "sample": "抽检不合格",
    "proposal": "提议列入名单时重算",
}


def cause_zh(cause: str) -> str:
    """A history row's cause in words: ``breach:7`` -> 未按承诺发货或送达 #7."""
    head, _, rest = cause.partition(":")
    number = rest.rsplit(":", 1)[-1]
    return f"{CAUSE_ZH.get(head, '记录更新')}{' #' + number if number.isdigit() else ''}"


LABELS = {"subject": SUBJECT_ZH, "state": STATE_ZH, "step": STEP_ZH, "decision": DECISION_ZH}


@router.get("/credit", response_class=HTMLResponse)
def lookup_page(
    request: Request, db_session: DbSession, principal: MaybePrincipal, today: Today, q: str = ""
) -> Response:
    """Anyone: search the red and black lists by name or unified social credit code."""
    entries = credit_service.public_search(db_session=db_session, q=q[:100], today=today)
    return render(
        request, "credit_lookup.html", principal, q=q[:100], entries=entries, labels=LABELS
    )


@router.get("/credit/{proceeding_id}", response_class=HTMLResponse)
def public_entry_page(
    request: Request,
    proceeding_id: Id,
    db_session: DbSession,
    principal: MaybePrincipal,
    today: Today,
) -> Response:
    entry = credit_service.public_get(
        db_session=db_session, proceeding_id=proceeding_id, today=today
    )
    rules = credit_rules.rules()
    return render(
        request,
        "credit_public.html",
        principal,
        entry=entry,
        labels=LABELS,
        basis=rules.lists[entry.proceeding.list_kind].legal_basis + rules.publicity.legal_basis,
    )


@router.get("/console/credit", response_class=HTMLResponse)
def proceedings_page(request: Request, db_session: DbSession, principal: PageStaff) -> Response:
    proceedings = credit_service.get_all(db_session=db_session)
    return render(
        request, "credit_proceedings.html", principal, proceedings=proceedings, labels=LABELS
    )


@router.get("/console/credit/{proceeding_id}", response_class=HTMLResponse)
def proceeding_page(
    request: Request,
    proceeding_id: Id,
    db_session: DbSession,
    principal: PageStaff,
    now: Now,
    notice: str = "",
    error: str = "",
) -> Response:
    proceeding = credit_service.get(db_session=db_session, proceeding_id=proceeding_id)
    subject = credit_service.subject_of(proceeding)
    return render(
        request,
        "credit_proceeding.html",
        principal,
        p=proceeding,
        steps=credit_service.get_steps(db_session=db_session, proceeding_id=proceeding.id),
        score=(scored := credit_service.compute(db_session=db_session, subject=subject, now=now)),
        factors=credit_service.factors_json(scored),
        history=credit_service.history(db_session=db_session, subject=subject),
        can_decide=principal.role in COMPLIANCE_WORK,
        cause_zh=cause_zh,
        labels=LABELS,
        notice=notice,
        error=error,
    )


@router.post("/console/credit/{proceeding_id}/decision")
def decide_form(
    proceeding_id: Id,
    db_session: DbSession,
    principal: FormStaff,
    now: Now,
    decision: Annotated[str, Form()],
    reason: Annotated[str, Form()] = "",
) -> RedirectResponse:
    page = f"/console/credit/{proceeding_id}"

    def take() -> None:
        proceeding = credit_service.get(db_session=db_session, proceeding_id=proceeding_id)
        chosen = Decision(decision) if decision in Decision.__members__ else None
        if chosen is None:
            raise InvalidInput("decision", "请选择决定", "choose one of the decisions offered")
        credit_flows.decide(
            db_session=db_session,
            proceeding=proceeding,
            decision=chosen,
            reason=reason,
            actor=actor(principal),
            now=now,
        )
        db_session.flush()

    return decide_and_return(take, page)


@router.post("/console/credit/{proceeding_id}/statement")
def statement_form(
    proceeding_id: Id,
    db_session: DbSession,
    principal: SignedForm,
    now: Now,
    kind: Annotated[str, Form()],
    text: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """The party's objection, appeal or repair application (staff recording it for a
    party without a sign-in)."""
    proceeding = credit_service.get(db_session=db_session, proceeding_id=proceeding_id)
    check_credit_party(principal, proceeding.subject_kind, proceeding.subject_id, write=True)
    page = f"/console/credit/{proceeding_id}" if principal.is_staff else "/console/merchant"

    def take() -> None:
        if kind not in PartyAct.__members__:
            raise InvalidInput("kind", "请选择异议、申诉或信用修复", "choose one of the forms")
        credit_service.PARTY_ACTS[PartyAct(kind)](
            db_session=db_session, proceeding=proceeding, text=text, actor=actor(principal), now=now
        )

    return decide_and_return(take, page)
