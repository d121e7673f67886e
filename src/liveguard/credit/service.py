"""Scores and list proceedings: computed, stored, read, and every step of due process
put in the ledger. Services flush; the request, the command or the flow commits once.

A score is computed from the records the sources return (``sources.py``) by the rules in
``data/credit.yaml`` (``rules.py``); a new ``CreditScore`` row is kept only when the score
or its records changed, so the history is a list of changes, each with its cause.
Acting on other capabilities (consequences of a listing, the recompute hook) is in
``flows.py``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import delete, insert, or_, select
from sqlalchemy.orm import Session

from liveguard import refusals
from liveguard.clock import CHINA
from liveguard.credit import rules as credit_rules
from liveguard.credit.enums import (
    IN_FORCE,
    OPEN_STATES,
    Decision,
    ListKind,
    PartyAct,
    ProceedingState,
    StepKind,
    SubjectKind,
)
from liveguard.credit.models import CreditPending
from liveguard.credit.models import CreditProceeding as CreditProceeding
from liveguard.credit.models import CreditScore as CreditScore
from liveguard.credit.models import CreditStep as CreditStep
from liveguard.credit.schemas import ListChange
from liveguard.credit.sources import SOURCES, TALLIES
from liveguard.credit.sources import Subject as Subject
from liveguard.errors import Conflict, NotFound
from liveguard.evidence import service as evidence_service
from liveguard.evidence.schemas import RecordIn, RecordKind
from liveguard.labels import label
from liveguard.liability import service as liability_service
from liveguard.parties import service as parties_service
from liveguard.privacy import service as privacy_service


def china_day(moment: datetime) -> date:
    return moment.astimezone(CHINA).date()


# --- the party -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Party:
    """A party as the credit pages show it: never a real name in clear (an anchor's only
    masked, as 市场监督管理行政处罚信息公示规定 art. 6 asks of published records)."""

    subject: Subject
    name: str
    credit_code: str | None
    platform_id: int | None


def party(*, db_session: Session, subject: Subject) -> Party:
    """The party's public name and credit code; NotFound if there is no such party."""
    if subject.kind is SubjectKind.merchant:
        merchant = parties_service.get_merchant(db_session=db_session, merchant_id=subject.id)
        return Party(
            subject,
            f"{merchant.shop_name}（{merchant.name}）",
            merchant.credit_code,
            merchant.platform_id,
        )
    if subject.kind is SubjectKind.anchor:
        anchor = parties_service.get_anchor(db_session=db_session, anchor_id=subject.id)
        return Party(
            subject, f"{anchor.nickname}（{anchor.real_name_masked}）", None, anchor.platform_id
        )
    if subject.kind is SubjectKind.mcn:
        mcn = parties_service.get_mcn(db_session=db_session, mcn_id=subject.id)
        return Party(subject, mcn.name, mcn.credit_code, None)
    platform = parties_service.get_platform(db_session=db_session, platform_id=subject.id)
    return Party(subject, platform.name, platform.credit_code, platform.id)


# --- scores --------------------------------------------------------------------------------


def compute_records(
    *, db_session: Session, subject: Subject, now: datetime, after: datetime | None = None
) -> credit_rules.Score:
    """The party's score now from every record its factors' sources return (after
    ``after`` only, when given), each kept in its factor: what a proposal's evidence and
    a repair's clean period read."""
    specs = credit_rules.rules().factors_for(subject.kind)
    records: list[credit_rules.Record] = []
    for spec in specs:
        records += SOURCES[spec.source](db_session, subject, spec.id, now)
    if after is not None:
        records = [r for r in records if r.occurred_at > after]
    return credit_rules.score(specs, records, china_day(now))


def compute(
    *, db_session: Session, subject: Subject, now: datetime, after: datetime | None = None
) -> credit_rules.Score:
    """The party's score now (from the records after ``after`` only, when given): the same
    score, factors and stored records as ``compute_records``, but a room factor's findings
    are counted by the database and only its newest ``records_shown`` read, so the cost
    does not grow with the party's record. A factor's ``records`` are those newest."""
    today = china_day(now)
    specs = credit_rules.rules().factors_for(subject.kind)
    tallied = {}
    for spec in specs:
        if spec.source in TALLIES:
            tallied[spec.id] = TALLIES[spec.source](db_session, subject, spec.id, now, after)
            continue
        records = SOURCES[spec.source](db_session, subject, spec.id, now)
        if after is not None:
            records = [r for r in records if r.occurred_at > after]
        tallied[spec.id] = credit_rules.tally(records, spec, today)
    return credit_rules.score_tallied(specs, tallied, today)


def _record_json(record: credit_rules.Record) -> dict[str, Any]:
    """A record as stored: its fields, shallow (``asdict`` deep-copies each, a third of a
    recompute's Python with 200 records shown)."""
    found = {f.name: getattr(record, f.name) for f in fields(record)}
    return {**found, "occurred_at": record.occurred_at.isoformat()}


def factors_json(scored: credit_rules.Score) -> list[dict[str, Any]]:
    """The factors as stored and shown: each with its newest ``records_shown`` records,
    how many there are, and the digest of all their refs."""
    shown = credit_rules.rules().records_shown
    # Only the shown records are copied: ``asdict(f)`` deep-copied every record of the
    # factor to drop them again, 0.5 ms a finding on every live batch (benchmarks/README.md).
    return [
        {
            "id": f.id,
            "title_zh": f.title_zh,
            "weight": f.weight,
            "value": f.value,
            "deduction": f.deduction,
            "record_count": f.record_count,
            "refs_digest": f.refs_digest,
            "records": [_record_json(r) for r in f.records[:shown]],
        }
        for f in scored.factors
    ]


def latest(*, db_session: Session, subject: Subject) -> CreditScore | None:
    query = (
        select(CreditScore)
        .where(CreditScore.subject_kind == subject.kind, CreditScore.subject_id == subject.id)
        .order_by(CreditScore.id.desc())
        .limit(1)
    )
    return db_session.scalar(query)


def history(*, db_session: Session, subject: Subject) -> Sequence[CreditScore]:
    """Every change of the party's score, newest first."""
    query = (
        select(CreditScore)
        .where(CreditScore.subject_kind == subject.kind, CreditScore.subject_id == subject.id)
        .order_by(CreditScore.id.desc())
    )
    return db_session.scalars(query).all()


def _digests(factors: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return sorted((f["id"], f.get("refs_digest", "")) for f in factors)


def recompute(
    *, db_session: Session, subject: Subject, now: datetime, cause: str
) -> tuple[CreditScore, credit_rules.Score]:
    """Compute the score; keep a new history row when the score or its records changed."""
    scored = compute(db_session=db_session, subject=subject, now=now)
    before = latest(db_session=db_session, subject=subject)
    factors = factors_json(scored)
    if (
        before is not None
        and before.score == scored.score
        and _digests(before.factors) == _digests(factors)
    ):
        return before, scored
    row = CreditScore(
        subject_kind=subject.kind,
        subject_id=subject.id,
        score=scored.score,
        previous=before.score if before else None,
        factors=factors,
        cause=cause[:120],
        computed_at=now,
    )
    db_session.add(row)
    db_session.flush()
    return row, scored


def note(*, db_session: Session, causes: Mapping[Subject, str], now: datetime) -> None:
    """Note that these parties' scores must take in a fact (``cause``), for a recompute in
    another transaction (``noted``, ``forget``): one row a party, added, never updated."""
    if causes:
        db_session.execute(
            insert(CreditPending),
            [
                {"subject_kind": s.kind, "subject_id": s.id, "cause": c[:120], "noted_at": now}
                for s, c in causes.items()
            ],
        )


def noted(*, db_session: Session, limit: int) -> list[tuple[int, Subject, str]]:
    """The oldest notes (id, party, cause), locked for the caller's transaction; on
    PostgreSQL notes another transaction holds are skipped, not waited for."""
    query = (
        select(
            CreditPending.id,
            CreditPending.subject_kind,
            CreditPending.subject_id,
            CreditPending.cause,
        )
        .order_by(CreditPending.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return [(pk, Subject(kind, sid), cause) for pk, kind, sid, cause in db_session.execute(query)]


def forget(*, db_session: Session, ids: Sequence[int]) -> None:
    db_session.execute(delete(CreditPending).where(CreditPending.id.in_(list(ids))))


# --- proceedings ---------------------------------------------------------------------------


def get(*, db_session: Session, proceeding_id: int) -> CreditProceeding:
    found = db_session.get(CreditProceeding, proceeding_id)
    if found is None:
        raise NotFound("credit proceeding", proceeding_id)
    return found


def get_all(
    *,
    db_session: Session,
    subject: Subject | None = None,
    states: Sequence[ProceedingState] | None = None,
    limit: int = 200,
) -> Sequence[CreditProceeding]:
    query = select(CreditProceeding).order_by(CreditProceeding.id.desc()).limit(limit)
    if subject is not None:
        query = query.where(
            CreditProceeding.subject_kind == subject.kind,
            CreditProceeding.subject_id == subject.id,
        )
    if states is not None:
        query = query.where(CreditProceeding.state.in_(list(states)))
    return db_session.scalars(query).all()


def get_steps(*, db_session: Session, proceeding_id: int) -> Sequence[CreditStep]:
    query = select(CreditStep).where(CreditStep.proceeding_id == proceeding_id)
    return db_session.scalars(query.order_by(CreditStep.id)).all()


def open_proceeding(
    *, db_session: Session, subject: Subject, list_kind: ListKind
) -> CreditProceeding | None:
    found = get_all(db_session=db_session, subject=subject, states=sorted(OPEN_STATES))
    return next((p for p in found if p.list_kind is list_kind), None)


def subject_of(proceeding: CreditProceeding) -> Subject:
    return Subject(proceeding.subject_kind, proceeding.subject_id)


def _ledger(
    db_session: Session, proceeding: CreditProceeding, data: dict[str, Any], now: datetime
) -> int:
    [appended] = evidence_service.append(
        db_session=db_session,
        now=now,
        records=[
            RecordIn(
                kind=RecordKind.credit_step,
                occurred_at=now,
                who={proceeding.subject_kind.value: proceeding.subject_id},
                data={
                    "proceeding_id": proceeding.id,
                    "list": proceeding.list_kind.value,
                    **data,
                },
            )
        ],
    )
    return appended.seq


def add_step(
    *,
    db_session: Session,
    proceeding: CreditProceeding,
    kind: StepKind,
    actor: str,
    now: datetime,
    text: str = "",
    to_state: ProceedingState | None = None,
    data: dict[str, Any] | None = None,
) -> CreditStep:
    """One step, in the ledger first (free text scrubbed of personal data there)."""
    data = data or {}
    from_state = proceeding.state
    masked = privacy_service.mask_text(text)  # in the ledger and the column alike
    seq = _ledger(
        db_session,
        proceeding,
        {
            "step": kind.value,
            "actor": actor,
            "from_state": from_state.value if to_state else None,
            "to_state": to_state.value if to_state else None,
            "text": masked,
            **data,
        },
        now,
    )
    step = CreditStep(
        proceeding_id=proceeding.id,
        kind=kind,
        actor=actor,
        text=masked,
        from_state=from_state if to_state else None,
        to_state=to_state,
        data=data,
        at=now,
        ledger_seq=seq,
    )
    if to_state is not None:
        proceeding.state = to_state
    db_session.add(step)
    db_session.flush()
    return step


def _evidence(met: Sequence[credit_rules.Met]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for item in met:
        for r in item.records:
            seen.setdefault(
                r.ref,
                {
                    "ref": r.ref,
                    "factor": r.factor,
                    "summary_zh": r.summary_zh,
                    "link": r.link,
                    "ledger_seq": r.ledger_seq,
                    "occurred_at": r.occurred_at.isoformat(),
                },
            )
    return sorted(seen.values(), key=lambda e: e["occurred_at"], reverse=True)


def propose(
    *,
    db_session: Session,
    subject: Subject,
    list_kind: ListKind,
    met: Sequence[credit_rules.Met],
    score: float,
    actor: str,
    now: datetime,
) -> CreditProceeding:
    """Propose the party for a list with the criteria it meets, and notify it: the notice
    gives the reasons, the records and the day the objection period ends."""
    if not met:
        raise refusals.conflict(
            "credit", "list_kind", "meets_no_criterion", who=_who(subject), list=label(list_kind)
        )
    if open_proceeding(db_session=db_session, subject=subject, list_kind=list_kind):
        raise refusals.conflict(
            "credit", "list_kind", "already_open", who=_who(subject), list=label(list_kind)
        )
    rules = credit_rules.rules()
    who = party(db_session=db_session, subject=subject)
    today = china_day(now)
    due, _ = liability_service.add_working_days(
        start=today, working_days=rules.process.objection_working_days
    )
    proceeding = CreditProceeding(
        subject_kind=subject.kind,
        subject_id=subject.id,
        subject_name=who.name,
        credit_code=who.credit_code,
        list_kind=list_kind,
        state=ProceedingState.proposed,
        criteria=[m.criterion for m in met],
        reasons_zh=[m.reason_zh for m in met],
        evidence=_evidence(met),
        score=score,
        proposed_at=now,
        objection_due_on=due,
        ledger_seq=0,
    )
    db_session.add(proceeding)
    db_session.flush()
    step = add_step(
        db_session=db_session,
        proceeding=proceeding,
        kind=StepKind.proposed,
        actor=actor,
        now=now,
        data={
            "criteria": proceeding.criteria,
            "reasons": proceeding.reasons_zh,
            "score": f"{score:.1f}",  # the ledger takes no floats
            "evidence": [e["ref"] for e in proceeding.evidence],
            "evidence_ledger_seqs": [e["ledger_seq"] for e in proceeding.evidence],
        },
    )
    proceeding.ledger_seq = step.ledger_seq
    add_step(
        db_session=db_session,
        proceeding=proceeding,
        kind=StepKind.notified,
        actor="system",
        now=now,
        text=notice(proceeding),
        data={"objection_due_on": due.isoformat()},
    )
    return proceeding


def notice(proceeding: CreditProceeding) -> str:
    rules = credit_rules.rules()
    return rules.process.notice_zh.format(
        list_name=rules.lists[proceeding.list_kind].name_zh,
        reasons="；".join(proceeding.reasons_zh),
        due_on=proceeding.objection_due_on,
    )


def _who(subject: Subject) -> str:
    """The party as a refusal names it: ``商家 3``."""
    return f"{label(subject.kind)} {subject.id}"


def _require(proceeding: CreditProceeding, states: set[ProceedingState], what: str) -> None:
    """``what``: the step's code in labels.yaml's ``credit.step_name``."""
    if proceeding.state not in states:
        named = label(what, "credit.step_name")
        raise refusals.conflict(
            "credit",
            "state",
            "not_now",
            state=label(proceeding.state),
            what=named,
            states="、".join(sorted(label(s) for s in states)),
        )


def _words(text: str, field: str, what: str) -> str:
    text = text.strip()
    if len(text) < 2:
        raise refusals.invalid(
            "credit", field, "needs_reasons", what=label(what, "credit.step_name")
        )
    return text


class _PartyStep(NamedTuple):
    """A party's own step: its name (``credit.step_name``), the states it is taken from,
    its last day, and what to do once that day has passed (``credit.fix``)."""

    what: str
    allowed: frozenset[ProceedingState]
    due_of: Callable[[CreditProceeding], date | None]
    late: str


_PARTY_STEPS = {
    StepKind.objected: _PartyStep(
        "objected",
        frozenset({ProceedingState.proposed}),
        lambda p: p.objection_due_on,
        "late_objection",
    ),
    StepKind.appealed: _PartyStep(
        "appealed",
        frozenset({ProceedingState.listed}),
        lambda p: p.appeal_due_on,
        "late_appeal",
    ),
}


def _party_step(
    db_session: Session,
    proceeding: CreditProceeding,
    kind: StepKind,
    *,
    text: str,
    actor: str,
    now: datetime,
) -> CreditStep:
    """A party's own step in its words, from a state it is allowed in, before its last day."""
    what, allowed, due_of, late = _PARTY_STEPS[kind]
    _require(proceeding, set(allowed), what)
    due = due_of(proceeding)
    if due is not None and china_day(now) > due:
        raise Conflict(
            refusals.sentence(
                "credit", "period_ended", what=label(what, "credit.step_name"), due=due
            ),
            field_name="text",
            fix=refusals.fix("credit", late),
        )
    return add_step(
        db_session=db_session,
        proceeding=proceeding,
        kind=kind,
        actor=actor,
        now=now,
        text=_words(text, "text", what),
        to_state=ProceedingState(kind.value),
    )


def object_to(
    *, db_session: Session, proceeding: CreditProceeding, text: str, actor: str, now: datetime
) -> CreditStep:
    """The party's objection, within the objection period."""
    return _party_step(db_session, proceeding, StepKind.objected, text=text, actor=actor, now=now)


def decide(
    *,
    db_session: Session,
    proceeding: CreditProceeding,
    decision: Decision,
    reason: str,
    actor: str,
    now: datetime,
) -> CreditStep:
    """A person's decision with a written reason, by the proceeding's state: on a
    proposal (list / reject), on an appeal (list keeps it / reject lifts it), on a repair
    application (lift / keep). The caller applies the consequences (``flows.decide``)."""
    reason = _words(reason, "reason", "decision")
    today = china_day(now)
    rules = credit_rules.rules()
    state = proceeding.state
    allowed = {
        ProceedingState.proposed: {Decision.list, Decision.reject},
        ProceedingState.objected: {Decision.list, Decision.reject},
        ProceedingState.appealed: {Decision.list, Decision.reject},
        ProceedingState.repair_applied: {Decision.lift, Decision.keep},
    }.get(state)
    if allowed is None or decision not in allowed:
        raise refusals.conflict(
            "credit",
            "decision",
            "no_such_decision",
            state=label(state),
            decision=label(decision),
            choices="、".join(sorted(label(d) for d in (allowed or set()))) or "—",
        )
    # A black listing waits for the objection period (or the objection); a red one
    # harms no one and may be decided at once.
    adverse = proceeding.list_kind is ListKind.black
    if adverse and state is ProceedingState.proposed and today <= proceeding.objection_due_on:
        raise refusals.conflict(
            "credit", "decision", "objection_period", due=proceeding.objection_due_on
        )
    kind = {
        ProceedingState.appealed: StepKind.appeal_decided,
        ProceedingState.repair_applied: StepKind.repair_decided,
    }.get(state, StepKind.decided)
    if decision in (Decision.list, Decision.keep):
        to_state = ProceedingState.listed
        if state in (ProceedingState.proposed, ProceedingState.objected):
            proceeding.listed_on = today
            proceeding.appeal_due_on, _ = liability_service.add_working_days(
                start=today, working_days=rules.process.appeal_working_days
            )
            proceeding.public_until = today + timedelta(
                days=rules.publicity.days(proceeding.list_kind)
            )
    elif state in (ProceedingState.proposed, ProceedingState.objected):
        to_state = ProceedingState.rejected
    else:
        to_state = ProceedingState.lifted
        proceeding.lifted_at = now
        proceeding.repaired = state is ProceedingState.repair_applied
        # A repaired listing stays public, marked repaired, for the period the data
        # gives; one overturned on appeal is withdrawn at once (公示规定 art. 11).
        proceeding.public_until = (
            today + timedelta(days=rules.publicity.repaired_days) if proceeding.repaired else today
        )
    proceeding.decided_at = now
    return add_step(
        db_session=db_session,
        proceeding=proceeding,
        kind=kind,
        actor=actor,
        now=now,
        text=reason,
        to_state=to_state,
        data={
            "decision": decision.value,
            "public_until": proceeding.public_until.isoformat()
            if proceeding.public_until
            else None,
        },
    )


def appeal(
    *, db_session: Session, proceeding: CreditProceeding, text: str, actor: str, now: datetime
) -> CreditStep:
    """The party's appeal against a listing, within the appeal period."""
    return _party_step(db_session, proceeding, StepKind.appealed, text=text, actor=actor, now=now)


def apply_for_repair(
    *,
    db_session: Session,
    proceeding: CreditProceeding,
    text: str,
    actor: str,
    now: datetime,
) -> CreditStep:
    """The party's application for credit repair: what it rectified, after a clean period
    with no new record since the listing (公示规定 art. 14)."""
    _require(proceeding, {ProceedingState.listed}, "repair")
    if proceeding.list_kind is not ListKind.black:
        raise refusals.conflict("credit", "text", "black_only_repair")
    text = _words(text, "text", "repair")
    clean_days = credit_rules.rules().process.repair_clean_days
    scored = compute_records(db_session=db_session, subject=subject_of(proceeding), now=now)
    listed = proceeding.decided_at or proceeding.proposed_at
    since = [r for f in scored.factors for r in f.records if r.occurred_at > listed]
    start = max([listed, *(r.occurred_at for r in since)])
    clean_until = china_day(start) + timedelta(days=clean_days)
    if china_day(now) < clean_until:
        raise refusals.conflict(
            "credit",
            "text",
            "repair_too_soon",
            days=clean_days,
            since=china_day(start),
            after=clean_until,
        )
    return add_step(
        db_session=db_session,
        proceeding=proceeding,
        kind=StepKind.repair_applied,
        actor=actor,
        now=now,
        text=text,
        to_state=ProceedingState.repair_applied,
        data={"clean_since": china_day(start).isoformat(), "score": f"{scored.score:.1f}"},
    )


PARTY_ACTS = {
    PartyAct.objection: object_to,
    PartyAct.appeal: appeal,
    PartyAct.repair: apply_for_repair,
}


# --- what the public sees ------------------------------------------------------------------


@dataclass(frozen=True)
class PublicEntry:
    proceeding: CreditProceeding
    list_name_zh: str
    status_zh: str
    evidence_summary_zh: list[str]
    notice_zh: str  # what viewers and buyers are told while it is in force ("" if nothing)


STATUS_ZH = {
    ProceedingState.listed: "在列",
    ProceedingState.appealed: "在列（申诉审查中）",
    ProceedingState.repair_applied: "在列（信用修复审查中）",
    ProceedingState.lifted: "已信用修复，移出名单",
}


def public_entry(proceeding: CreditProceeding) -> PublicEntry:
    rules = credit_rules.rules()
    counts = Counter(e["factor"] for e in proceeding.evidence)
    titles = {f.id: f.title_zh for f in rules.factors}
    summary = [f"{titles.get(factor, factor)}：{n} 条记录" for factor, n in counts.items()]
    consequence = rules.consequences[proceeding.list_kind]
    return PublicEntry(
        proceeding=proceeding,
        list_name_zh=rules.lists[proceeding.list_kind].name_zh,
        status_zh=STATUS_ZH.get(proceeding.state, ""),
        evidence_summary_zh=summary,
        notice_zh=consequence.viewer_notice_zh
        if consequence.viewer_notice and proceeding.state in IN_FORCE
        else "",
    )


def _public(query: Any, today: date) -> Any:
    shown = or_(
        CreditProceeding.state.in_(sorted(IN_FORCE)),
        CreditProceeding.repaired.is_(True),
    )
    return query.where(shown, CreditProceeding.public_until >= today)


def public_search(
    *, db_session: Session, q: str, today: date, limit: int = 50
) -> list[PublicEntry]:
    """Public listings whose party's name or credit code contains ``q`` (all when empty)."""
    query = _public(select(CreditProceeding), today)
    q = q.strip()
    if q:
        pattern = f"%{q}%"
        query = query.where(
            or_(
                CreditProceeding.subject_name.like(pattern),
                CreditProceeding.credit_code == q.upper(),
            )
        )
    rows = db_session.scalars(query.order_by(CreditProceeding.id.desc()).limit(limit)).all()
    return [public_entry(p) for p in rows]


def public_get(*, db_session: Session, proceeding_id: int, today: date) -> PublicEntry:
    query = _public(select(CreditProceeding), today).where(CreditProceeding.id == proceeding_id)
    found = db_session.scalar(query)
    if found is None:
        raise NotFound("public credit listing", proceeding_id)
    return public_entry(found)


def in_force(*, db_session: Session, subject: Subject, today: date) -> PublicEntry | None:
    """The party's listing in force today (black before red), for the badges on live
    rooms, listing pages and the complaint form; None when it is on no list."""
    query = _public(select(CreditProceeding), today).where(
        CreditProceeding.subject_kind == subject.kind,
        CreditProceeding.subject_id == subject.id,
        CreditProceeding.state.in_(sorted(IN_FORCE)),
    )
    found = sorted(db_session.scalars(query).all(), key=lambda p: p.list_kind is not ListKind.black)
    return public_entry(found[0]) if found else None


CHANGES = (StepKind.proposed, StepKind.decided, StepKind.appeal_decided, StepKind.repair_decided)


def list_changes(*, db_session: Session, since: datetime, until: datetime) -> list[ListChange]:
    """Every change to the red and black lists made in [since, until), oldest first:
    proposals, decisions to list or not, appeals and repairs decided (for reports)."""
    words = credit_rules.rules().change_words
    lists = credit_rules.rules().lists
    proceeding_state = ProceedingState.proposed  # a proposal's step changes no state
    rows = db_session.execute(
        select(CreditStep, CreditProceeding)
        .join(CreditProceeding, CreditProceeding.id == CreditStep.proceeding_id)
        .where(CreditStep.kind.in_(CHANGES), CreditStep.at >= since, CreditStep.at < until)
        .order_by(CreditStep.at, CreditStep.id)
    ).all()
    return [
        ListChange(
            at=step.at,
            proceeding_id=proceeding.id,
            subject_kind=proceeding.subject_kind,
            subject_id=proceeding.subject_id,
            subject_zh=words.subject_zh[proceeding.subject_kind],
            subject_name=proceeding.subject_name,
            list_kind=proceeding.list_kind,
            list_name_zh=lists[proceeding.list_kind].name_zh,
            change_zh=words.step_zh[
                f"{step.kind.value}.{(step.to_state or proceeding_state).value}"
            ],
            reason=step.text
            if step.kind is not StepKind.proposed
            else "；".join(proceeding.reasons_zh),
            ledger_seq=step.ledger_seq,
        )
        for step, proceeding in rows
    ]
