"""Credit routes: scores and their history for staff and the party itself, proposals and
decisions for compliance staff, objections, appeals and repair applications for the party
(or staff on its behalf), and the public lookup for anyone."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, status

from liveguard import refusals
from liveguard.auth.service import Principal
from liveguard.bounds import Id
from liveguard.credit import flows, service
from liveguard.credit import rules as credit_rules
from liveguard.credit.enums import PartyAct, SubjectKind
from liveguard.credit.schemas import (
    DecisionCreate,
    FactorRead,
    PartyStatement,
    ProceedingDetail,
    ProceedingRead,
    ProposalCreate,
    PublicEntryRead,
    ScoreRead,
    StepRead,
)
from liveguard.credit.sources import Subject
from liveguard.labels import label
from liveguard.vocab import PrincipalKind
from liveguard.web.deps import Compliance, DbSession, Now, Signed, Today, actor
from liveguard.web.permissions import check_credit_party

router = APIRouter(tags=["credit"])
public_router = APIRouter(tags=["credit"])


def check_party(principal: Principal, subject: Subject, *, write: bool) -> None:
    check_credit_party(principal, subject.kind, subject.id, write=write)


def readable(proceeding_id: Id, db_session: DbSession, principal: Signed) -> Any:
    proceeding = service.get(db_session=db_session, proceeding_id=proceeding_id)
    check_party(principal, service.subject_of(proceeding), write=False)
    return proceeding


Readable = Annotated[service.CreditProceeding, Depends(readable)]


def detail(db_session: DbSession, proceeding: service.CreditProceeding) -> ProceedingDetail:
    return ProceedingDetail(
        **ProceedingRead.model_validate(proceeding).model_dump(),
        steps=[
            StepRead.model_validate(s)
            for s in service.get_steps(db_session=db_session, proceeding_id=proceeding.id)
        ],
    )


@public_router.get("/public/credit/rules")
def get_rules() -> dict[str, Any]:
    """The credit rules in force: factors, weights, decay, criteria, periods, consequences
    and their legal basis (电子商务法 art. 39: the platform publishes its credit rules)."""
    return credit_rules.rules().model_dump(mode="json", exclude={"examples"})


@router.get("/credit/scores/{subject_kind}/{subject_id}", response_model=ScoreRead)
def get_score(
    subject_kind: SubjectKind, subject_id: Id, db_session: DbSession, principal: Signed, now: Now
) -> Any:
    """The party's score now, each factor with its weight, value and records."""
    subject = Subject(subject_kind, subject_id)
    check_party(principal, subject, write=False)
    service.party(db_session=db_session, subject=subject)
    scored = service.compute(db_session=db_session, subject=subject, now=now)
    last = service.latest(db_session=db_session, subject=subject)
    return ScoreRead(
        subject_kind=subject.kind,
        subject_id=subject.id,
        score=scored.score,
        previous=last.score if last is not None else None,
        cause=last.cause if last is not None else "",
        computed_at=now,
        factors=[FactorRead.model_validate(f) for f in service.factors_json(scored)],
    )


@router.get("/credit/scores/{subject_kind}/{subject_id}/history", response_model=list[ScoreRead])
def get_history(
    subject_kind: SubjectKind, subject_id: Id, db_session: DbSession, principal: Signed
) -> Any:
    """Every change of the party's score, newest first, with the fact that caused it."""
    subject = Subject(subject_kind, subject_id)
    check_party(principal, subject, write=False)
    service.party(db_session=db_session, subject=subject)
    return service.history(db_session=db_session, subject=subject)


@router.post(
    "/credit/proposals", status_code=status.HTTP_201_CREATED, response_model=ProceedingDetail
)
def create_proposal(
    proposal_in: ProposalCreate, db_session: DbSession, principal: Compliance, now: Now
) -> Any:
    """Propose a party for a list; refused unless its record meets a criterion."""
    proceeding = flows.propose(
        db_session=db_session,
        subject=Subject(proposal_in.subject_kind, proposal_in.subject_id),
        list_kind=proposal_in.list_kind,
        actor=actor(principal),
        now=now,
    )
    return detail(db_session, proceeding)


@router.get("/credit/proceedings", response_model=list[ProceedingRead])
def list_proceedings(db_session: DbSession, principal: Signed) -> Any:
    """Staff see every proceeding; a merchant its own."""
    if principal.kind is PrincipalKind.merchant:
        subject = Subject(SubjectKind.merchant, principal.id)
        return service.get_all(db_session=db_session, subject=subject)
    if not principal.is_staff:
        raise refusals.forbidden("web", "wrong_account", kind=label(principal.kind))
    return service.get_all(db_session=db_session)


@router.get("/credit/proceedings/{proceeding_id}", response_model=ProceedingDetail)
def get_proceeding(proceeding: Readable, db_session: DbSession) -> Any:
    return detail(db_session, proceeding)


@router.post("/credit/proceedings/{proceeding_id}/decision", response_model=ProceedingDetail)
def decide(
    decision_in: DecisionCreate,
    proceeding_id: Id,
    db_session: DbSession,
    principal: Compliance,
    now: Now,
) -> Any:
    """A person's decision with a written reason; its consequences are applied."""
    proceeding = service.get(db_session=db_session, proceeding_id=proceeding_id)
    flows.decide(
        db_session=db_session,
        proceeding=proceeding,
        decision=decision_in.decision,
        reason=decision_in.reason,
        actor=actor(principal),
        now=now,
    )
    return detail(db_session, proceeding)


@router.post("/credit/proceedings/{proceeding_id}/{act}", response_model=ProceedingDetail)
def party_act(
    act: PartyAct,
    statement: PartyStatement,
    proceeding: Readable,
    db_session: DbSession,
    principal: Signed,
    now: Now,
) -> Any:
    """The party's own step, in its words: an objection within the objection period
    (working days), an appeal within the appeal period, or an application for credit
    repair after rectification and a clean period."""
    check_party(principal, service.subject_of(proceeding), write=True)
    service.PARTY_ACTS[act](
        db_session=db_session,
        proceeding=proceeding,
        text=statement.text,
        actor=actor(principal),
        now=now,
    )
    return detail(db_session, proceeding)


def public_read(entry: service.PublicEntry) -> PublicEntryRead:
    p = entry.proceeding
    return PublicEntryRead(
        id=p.id,
        subject_kind=p.subject_kind,
        name=p.subject_name,
        credit_code=p.credit_code,
        list_kind=p.list_kind,
        list_name_zh=entry.list_name_zh,
        status_zh=entry.status_zh,
        reasons_zh=p.reasons_zh,
        listed_on=p.listed_on,
        public_until=p.public_until,
        lifted_on=service.china_day(p.lifted_at) if p.lifted_at else None,
        repaired=p.repaired,
        evidence_summary_zh=entry.evidence_summary_zh,
    )


@public_router.get("/public/credit", response_model=list[PublicEntryRead])
def lookup(
    db_session: DbSession,
    today: Today,
    q: Annotated[str, Query(max_length=100, description="name or credit code")] = "",
) -> Any:
    """Anyone: the red and black lists, searched by name or unified credit code."""
    return [public_read(e) for e in service.public_search(db_session=db_session, q=q, today=today)]


@public_router.get("/public/credit/{proceeding_id}", response_model=PublicEntryRead)
def lookup_one(proceeding_id: Id, db_session: DbSession, today: Today) -> Any:
    return public_read(
        service.public_get(db_session=db_session, proceeding_id=proceeding_id, today=today)
    )
