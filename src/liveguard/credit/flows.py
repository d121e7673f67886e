"""Credit acting with other capabilities: the recompute hook the writing flows call when a
fact arrives (a finding stored or dismissed, a case decided, a promise broken, a sample
failed), which proposes a black listing when the criteria are met; and a decision's
consequences applied through the parties service (deposit, listing review), which the
catalog and the pages read.

Flows flush, like services; the request, the command or the timer commits once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from liveguard.credit import rules as credit_rules
from liveguard.credit import service
from liveguard.credit.enums import IN_FORCE, Decision, ListKind, ProceedingState, SubjectKind
from liveguard.credit.sources import Subject
from liveguard.parties import service as parties_service
from liveguard.parties.enums import RelationKind
from liveguard.parties.schemas import CreditMeasures

PROPOSER = "liveguard"  # how a proposal LiveGuard made names its actor


def facts_changed(
    *, db_session: Session, subjects: Iterable[Subject], now: datetime, cause: str
) -> list[service.CreditProceeding]:
    """Recompute each party's score (history kept when it changed) and propose a black
    listing when it meets a criterion and has no open one. Returns the new proposals."""
    proposed = []
    today = service.china_day(now)
    for subject in dict.fromkeys(subjects):
        _, scored = service.recompute(db_session=db_session, subject=subject, now=now, cause=cause)
        cutoff = closed_cutoff(db_session, subject)
        judged = scored
        if cutoff is not None:
            judged = service.compute(db_session=db_session, subject=subject, now=now, after=cutoff)
        if not credit_rules.criteria_met(ListKind.black, subject.kind, judged, today):
            continue
        if service.open_proceeding(
            db_session=db_session, subject=subject, list_kind=ListKind.black
        ):
            continue
        # A proposal names every record behind its criteria: read them all, once.
        full = service.compute_records(
            db_session=db_session, subject=subject, now=now, after=cutoff
        )
        proposed.append(
            service.propose(
                db_session=db_session,
                subject=subject,
                list_kind=ListKind.black,
                met=credit_rules.criteria_met(ListKind.black, subject.kind, full, today),
                score=scored.score,
                actor=PROPOSER,
                now=now,
            )
        )
    return proposed


def facts_noted(*, db_session: Session, causes: Mapping[Subject, str], now: datetime) -> None:
    """Note facts for ``recompute_noted`` instead of recomputing now, in the caller's
    transaction, so a crash loses no recompute: what a monitor worker does on its batch's
    path. Made once a batch, a recompute (then reading every finding of a busy anchor's
    rooms) was a third to a half of a batch's time and made its warnings' latency
    (docs/benchmarks.md)."""
    service.note(db_session=db_session, causes=causes, now=now)


def recompute_noted(*, db_session: Session, now: datetime, limit: int = 1000) -> int:
    """``facts_changed`` once for each party with noted facts, however many, each with its
    latest cause, and the notes removed, in the caller's transaction: a failure leaves
    them for the next try. Returns how many parties were recomputed."""
    notes = service.noted(db_session=db_session, limit=limit)
    latest = {subject: cause for _, subject, cause in notes}  # oldest first: the last wins
    by_cause: dict[str, list[Subject]] = {}
    for subject, cause in latest.items():
        by_cause.setdefault(cause, []).append(subject)
    for cause, subjects in by_cause.items():
        facts_changed(db_session=db_session, subjects=subjects, now=now, cause=cause)
    service.forget(db_session=db_session, ids=[pk for pk, _, _ in notes])
    return len(latest)


def closed_cutoff(db_session: Session, subject: Subject) -> datetime | None:
    """When the party's last closed black proceeding (rejected, lifted on appeal or
    repaired) closed: what was decided on, or repaired, does not propose the party again;
    the records after it do. None when it has none."""
    closed = [
        p
        for p in service.get_all(
            db_session=db_session,
            subject=subject,
            states=[ProceedingState.rejected, ProceedingState.lifted],
        )
        if p.list_kind is ListKind.black
    ]
    if not closed:
        return None
    return max(p.lifted_at or p.decided_at or p.proposed_at for p in closed)


def room_parties(*, db_session: Session, merchant_id: int, anchor_id: int) -> list[Subject]:
    """Everyone a live room's record counts against and the room's facts recompute: its
    shop, its anchor, the anchor's MCN agencies. The platform's score counts its rooms'
    findings too, but is recomputed when read and on its cases, not on every batch of a
    room: its counts span every room of the platform."""
    mcns = [
        Subject(SubjectKind.mcn, r.mcn_id)
        for r in parties_service.get_relations(db_session=db_session, anchor_id=anchor_id)
        if r.kind is RelationKind.signed_with_mcn and r.mcn_id is not None
    ]
    return [
        Subject(SubjectKind.merchant, merchant_id),
        Subject(SubjectKind.anchor, anchor_id),
        *mcns,
    ]


def room_changed(
    *, db_session: Session, merchant_id: int, anchor_id: int, now: datetime, cause: str
) -> list[service.CreditProceeding]:
    """``facts_changed`` for everyone a live room's record counts against."""
    return facts_changed(
        db_session=db_session,
        subjects=room_parties(db_session=db_session, merchant_id=merchant_id, anchor_id=anchor_id),
        now=now,
        cause=cause,
    )


def case_parties(
    *, merchant_id: int | None, anchor_id: int | None, platform_id: int | None
) -> list[Subject]:
    found = []
    if merchant_id is not None:
        found.append(Subject(SubjectKind.merchant, merchant_id))
    if anchor_id is not None:
        found.append(Subject(SubjectKind.anchor, anchor_id))
    if platform_id is not None:
        found.append(Subject(SubjectKind.platform, platform_id))
    return found


def merchants(merchant_ids: Iterable[int]) -> list[Subject]:
    return [Subject(SubjectKind.merchant, m) for m in merchant_ids]


class Found(Protocol):
    """A new row that counts against a shop: a breach, a finding."""

    @property
    def id(self) -> int: ...

    @property
    def merchant_id(self) -> int: ...


def merchants_changed(
    *, db_session: Session, found: Sequence[Found], now: datetime, cause_prefix: str
) -> None:
    """Flush, then recompute the credit of every shop ``found`` names (nothing when it is
    empty); the cause names the last row, ``<cause_prefix>:<id>``."""
    db_session.flush()
    if found:
        facts_changed(
            db_session=db_session,
            subjects=merchants(sorted({row.merchant_id for row in found})),
            now=now,
            cause=f"{cause_prefix}:{found[-1].id}",
        )


# --- decisions and their consequences -------------------------------------------------------


def propose(
    *, db_session: Session, subject: Subject, list_kind: ListKind, actor: str, now: datetime
) -> service.CreditProceeding:
    """A proposal staff ask for (a red listing, or a black one between facts): the score
    is recomputed and must meet a criterion of the list."""
    service.party(db_session=db_session, subject=subject)  # NotFound for no such party
    _, scored = service.recompute(
        db_session=db_session, subject=subject, now=now, cause=f"proposal:{list_kind.value}"
    )
    # the proposal names every record behind its criteria
    full = service.compute_records(db_session=db_session, subject=subject, now=now)
    met = credit_rules.criteria_met(list_kind, subject.kind, full, service.china_day(now))
    return service.propose(
        db_session=db_session,
        subject=subject,
        list_kind=list_kind,
        met=met,
        score=scored.score,
        actor=actor,
        now=now,
    )


def decide(
    *,
    db_session: Session,
    proceeding: service.CreditProceeding,
    decision: Decision,
    reason: str,
    actor: str,
    now: datetime,
) -> service.CreditStep:
    """A person's decision, then the consequences the listings now in force call for."""
    step = service.decide(
        db_session=db_session,
        proceeding=proceeding,
        decision=decision,
        reason=reason,
        actor=actor,
        now=now,
    )
    apply_consequences(db_session=db_session, subject=service.subject_of(proceeding))
    return step


def measures_for(list_kinds: Sequence[ListKind]) -> CreditMeasures | None:
    """The measures of the strictest list in force (black before red), from the data."""
    if not list_kinds:
        return None
    list_kind = ListKind.black if ListKind.black in list_kinds else ListKind.red
    consequence = credit_rules.rules().consequences[list_kind]
    return CreditMeasures(
        list_kind=list_kind.value,
        listing_review=consequence.listing_review,
        deposit_percent=consequence.deposit_percent,
        text_zh=consequence.text_zh,
        basis=list(consequence.legal_basis),
    )


def apply_consequences(*, db_session: Session, subject: Subject) -> None:
    """Set (or clear) what the party's listings in force ask of it. Merchants carry them
    (deposit and listing review); the viewer notice is read by the pages themselves."""
    if subject.kind is not SubjectKind.merchant:
        return
    in_force = [
        p.list_kind
        for p in service.get_all(db_session=db_session, subject=subject, states=sorted(IN_FORCE))
    ]
    merchant = parties_service.get_merchant(db_session=db_session, merchant_id=subject.id)
    parties_service.set_credit_measures(
        db_session=db_session, merchant=merchant, measures=measures_for(in_force)
    )
