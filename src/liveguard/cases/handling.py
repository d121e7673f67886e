"""Handling a case once it is filed: the parties' answers, mediation notes, the decision
record, platform advance compensation from the merchant's deposit, and the handover of
the anchor's verified identity the law requires. Each is a case event and a ledger item.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from liveguard.cases import refusals, service, workflow
from liveguard.cases.enums import CaseEventKind, CaseState
from liveguard.cases.models import Case, CaseEvent
from liveguard.cases.schemas import CompensationCreate, DecisionCreate
from liveguard.credit import flows as credit_flows
from liveguard.labels import label
from liveguard.money import yuan
from liveguard.parties import deposits
from liveguard.parties import service as parties_service
from liveguard.parties.enums import MovementKind
from liveguard.parties.schemas import DepositMovementCreate
from liveguard.privacy import service as privacy_service
from liveguard.privacy.fields import FieldCipher

ANSWERING = frozenset({CaseState.accepted, CaseState.with_merchant, CaseState.mediation})
PARTY_ROLES = frozenset({"merchant", "anchor", "mcn", "platform"})


def answer(
    *,
    db_session: Session,
    case: Case,
    party_role: str,
    text: str,
    actor: str,
    now: datetime,
) -> CaseEvent:
    """A party's answer to the complaint (the merchant itself, or staff taking the
    anchor's answer down)."""
    if party_role not in PARTY_ROLES:
        raise refusals.invalid("party_role", "not_a_party", party=party_role)
    if case.state not in ANSWERING:
        raise refusals.conflict("text", "no_answers_now", state=label(case.state))
    return service.add_event(
        db_session=db_session,
        case=case,
        kind=CaseEventKind.answer,
        actor=actor,
        party_role=party_role,
        now=now,
        text=text,
    )


def note(*, db_session: Session, case: Case, text: str, actor: str, now: datetime) -> CaseEvent:
    """A mediation note: kept in the ledger sealed under the consumer's key."""
    if case.state is not CaseState.mediation:
        raise refusals.conflict("text", "notes_in_mediation")
    return service.add_event(
        db_session=db_session,
        case=case,
        kind=CaseEventKind.note,
        actor=actor,
        party_role="staff",
        now=now,
        text=text,
        sealed_text=True,
    )


def decide(
    *,
    db_session: Session,
    case: Case,
    decision_in: DecisionCreate,
    actor: str,
    now: datetime,
    today: date,
) -> CaseEvent:
    """The decision record: what was decided, who is liable, what is paid. The answer
    the engine gave is kept beside it, so a departure from it is visible."""
    workflow.transition(
        db_session=db_session,
        case=case,
        to_state=CaseState.decided,
        actor=actor,
        party_role="staff",
        reason=decision_in.outcome,
        now=now,
        today=today,
        recorded=True,
    )
    event = service.add_event(
        db_session=db_session,
        case=case,
        kind=CaseEventKind.decision,
        actor=actor,
        party_role="staff",
        now=now,
        text=decision_in.outcome,
        data={
            "amount_fen": decision_in.amount_fen,
            "liable": decision_in.liable,
            "engine_total_fen": case.resolution.get("total_fen"),
        },
    )
    # An upheld complaint counts against the parties held liable as it is decided.
    credit_flows.facts_changed(
        db_session=db_session,
        subjects=credit_flows.case_parties(
            merchant_id=case.merchant_id, anchor_id=case.anchor_id, platform_id=case.platform_id
        ),
        now=now,
        cause=f"case:{case.id}",
    )
    return event


def decision_of(*, db_session: Session, case: Case) -> CaseEvent | None:
    found = [
        e
        for e in service.get_events(db_session=db_session, case_id=case.id)
        if e.kind is CaseEventKind.decision
    ]
    return found[-1] if found else None


def compensate(
    *,
    db_session: Session,
    case: Case,
    compensation_in: CompensationCreate,
    actor: str,
    now: datetime,
    today: date,
) -> CaseEvent:
    """Platform advance compensation: paid to the consumer out of the merchant's deposit
    (消费者权益保护法 art. 44; the platform then recovers from the seller)."""
    if case.merchant_id is None:
        raise refusals.conflict("case", "no_deposit_shop")
    decision = decision_of(db_session=db_session, case=case)
    if decision is None or case.state is not CaseState.decided:
        raise refusals.conflict("amount_fen", "compensation_after_decision")
    advance = any(
        p.get("liability") == "advance_compensation" for p in case.resolution.get("parties", [])
    )
    if not advance and "seller" not in (decision.data.get("liable") or []):
        raise refusals.conflict("amount_fen", "shop_not_liable")
    decided = int(decision.data.get("amount_fen") or 0)
    if compensation_in.amount_fen > decided:
        raise refusals.invalid(
            "amount_fen",
            "over_decided",
            amount=yuan(compensation_in.amount_fen),
            decided=yuan(decided),
        )
    merchant = parties_service.get_merchant(
        db_session=db_session, merchant_id=case.merchant_id, for_update=True
    )
    movement = deposits.record_movement(
        db_session=db_session,
        merchant=merchant,
        actor=actor,
        movement_in=DepositMovementCreate(
            kind=MovementKind.deduction,
            amount_fen=compensation_in.amount_fen,
            reason=f"case {case.id}: {compensation_in.reason}",
        ),
    )
    event = service.add_event(
        db_session=db_session,
        case=case,
        kind=CaseEventKind.compensation,
        actor=actor,
        party_role="platform",
        now=now,
        text=compensation_in.reason,
        data={
            "amount_fen": compensation_in.amount_fen,
            "deposit_movement_id": movement.id,
            "deposit_balance_after_fen": movement.balance_after_fen,
        },
    )
    workflow.transition(
        db_session=db_session,
        case=case,
        to_state=CaseState.compensated,
        actor=actor,
        party_role="platform",
        reason=workflow.workflow().texts.advance_compensation.format(
            amount=f"{compensation_in.amount_fen / 100:.2f}"
        ),
        now=now,
        today=today,
        recorded=True,
    )
    return event


def disclose_anchor_identity(
    *,
    db_session: Session,
    case: Case,
    cipher: FieldCipher,
    actor: str,
    now: datetime,
) -> dict[str, object]:
    """The anchor's verified identity, handed to the consumer when the answer says the
    platform must (消费者权益保护法实施条例 art. 14); the handover is recorded."""
    duties = [
        p for p in case.resolution.get("parties", []) if p.get("liability") == "disclose_identity"
    ]
    if not duties:
        raise refusals.conflict("case", "no_identity_duty")
    if case.anchor_id is None:
        raise refusals.conflict("anchor_id", "no_anchor")
    anchor = parties_service.get_anchor(db_session=db_session, anchor_id=case.anchor_id)
    if anchor.verified_at is None:
        raise refusals.conflict("anchor_id", "anchor_unverified")
    real_name, _ = parties_service.reveal_anchor_identity(anchor=anchor, cipher=cipher)
    privacy_service.record_access(
        db_session=db_session,
        accessed_by=actor,
        subject_kind="anchor",
        subject_id=anchor.id,
        fields=["real_name"],
        purpose=f"case {case.id}: handed to the consumer under the 2024 regulation art. 14",
    )
    service.add_event(
        db_session=db_session,
        case=case,
        kind=CaseEventKind.answer,
        actor=actor,
        party_role="platform",
        now=now,
        text=workflow.workflow().texts.identity_handed_over,
        data={"disclosed": "anchor_identity", "anchor_id": anchor.id},
    )
    return {
        "anchor_id": anchor.id,
        "nickname": anchor.nickname,
        "real_name": real_name,
        "id_number_masked": anchor.id_number_masked,
        "verified_at": anchor.verified_at.isoformat(),
        "platform": anchor.platform.operator_name,
    }
