"""Acting on live findings: by policy as they are found, or by staff by hand. Every
action is stored with its reason, finding and rule, and appended to the evidence ledger
in the same transaction. Services flush; callers commit. Other packages annotate the
actions it hands out as ``enforcement_service.EnforcementAction``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from liveguard import labels, refusals
from liveguard.catalog import service as catalog_service
from liveguard.credit import flows as credit_flows
from liveguard.enforcement import policy as policies
from liveguard.enforcement.enums import ActionKind
from liveguard.enforcement.models import EnforcementAction as EnforcementAction
from liveguard.enforcement.schemas import ActionCreate
from liveguard.errors import LiveGuardError
from liveguard.evidence import service as ledger
from liveguard.evidence.schemas import RecordIn, RecordKind
from liveguard.live import service as live_service

POLICY_ACTOR = "policy"
ONCE_PER_ROOM = frozenset({ActionKind.viewer_warning, ActionKind.suspend_room, ActionKind.escalate})


def apply_policy(
    *,
    db_session: Session,
    live_session: live_service.LiveSession,
    findings: Sequence[live_service.LiveFinding],
    now: datetime,
) -> list[EnforcementAction]:
    """The actions policy calls for on newly stored findings, taken and recorded."""
    groups = [(live_session, findings)]
    return apply_policy_many(db_session=db_session, groups=groups, now=now).get(live_session.id, [])


def apply_policy_many(
    *,
    db_session: Session,
    groups: Sequence[tuple[live_service.LiveSession, Sequence[live_service.LiveFinding]]],
    now: datetime,
) -> dict[int, list[EnforcementAction]]:
    """``apply_policy`` for several rooms: three queries and one ledger append in all."""
    groups = [(live_session, findings) for live_session, findings in groups if findings]
    if not groups:
        return {}
    ids = [live_session.id for live_session, _ in groups]
    repeats = live_service.open_finding_counts(db_session=db_session, session_ids=ids)
    history = live_service.anchor_history(  # of the categories found now: all policy asks
        db_session=db_session,
        anchor_ids={s.anchor_id for s, _ in groups},
        categories={f.category for _, findings in groups for f in findings},
    )
    # Room-wide actions are taken once per room: one banner of a kind, one suspension,
    # one escalation per policy; notes and messages to the anchor go with each finding.
    taken = {
        (a.session_id, a.kind, a.text if a.kind is ActionKind.viewer_warning else a.policy)
        for a in db_session.scalars(
            select(EnforcementAction).where(
                EnforcementAction.session_id.in_(ids),
                EnforcementAction.kind.in_(list(ONCE_PER_ROOM)),
            )
        )
    }
    # what each anchor had before, per category: speaker -> the other sessions with it
    earlier: dict[tuple[int, str], dict[str, set[int]]] = {}
    for (anchor_id, category, speaker), session_ids in history.items():
        earlier.setdefault((anchor_id, category), {})[speaker] = session_ids
    done: dict[int, list[EnforcementAction]] = {}
    for live_session, findings in groups:
        sid = live_session.id
        # the batch's findings are flushed already: number them in order from those before
        in_session: dict[str, Counter[str]] = {}  # category -> speaker -> open findings
        for (session_id, category, speaker), n in repeats.items():
            if session_id == sid:
                in_session.setdefault(category, Counter())[speaker] = n
        mine = Counter((f.category, f.speaker_role.value) for f in findings)
        so_far: Counter[tuple[str, str]] = Counter()
        actions = done.setdefault(sid, [])
        for finding in findings:
            category = finding.category
            so_far[(category, finding.speaker_role.value)] += 1
            counts = in_session.get(category, Counter())
            tally = policies.Tally(
                repeat={
                    s: n - mine[(category, s)] + so_far[(category, s)] for s, n in counts.items()
                },
                # the anchor's other sessions (this one has the finding itself)
                history={
                    s: ids - {sid}
                    for s, ids in earlier.get((live_session.anchor_id, category), {}).items()
                },
            )
            for decision in policies.decide(
                rule=finding.rule,
                category=category,
                severity=finding.severity,
                quote=finding.quote,
                speaker=finding.speaker_role.value,
                tally=tally,
            ):
                if decision.kind in ONCE_PER_ROOM:
                    text_or_policy = (
                        decision.text
                        if decision.kind is ActionKind.viewer_warning
                        else decision.policy.id
                    )
                    if (sid, decision.kind, text_or_policy) in taken:
                        continue
                    taken.add((sid, decision.kind, text_or_policy))
                actions.append(
                    _take(
                        db_session=db_session,
                        live_session=live_session,
                        kind=decision.kind,
                        reason=policy_reason(finding),
                        text=decision.text,
                        finding=finding,
                        policy=decision.policy.id,
                        listing_id=finding.listing_id,
                        actor=POLICY_ACTOR,
                        now=now,
                    )
                )
    sessions = {live_session.id: live_session for live_session, _ in groups}
    _record(
        db_session=db_session,
        sessions=sessions,
        actions=[a for actions in done.values() for a in actions],
        now=now,
    )
    return done


def policy_reason(finding: live_service.LiveFinding) -> str:
    """Why policy acted, as staff read it (the ids stay in the action's policy and rule)."""
    words = live_service.rule_words(finding.rule, finding.category)
    severity = labels.label(finding.severity, "vocab.Severity")
    return labels.say("enforcement.sentence", "policy_reason", words=words, severity=severity)


def act(
    *,
    db_session: Session,
    live_session: live_service.LiveSession,
    action_in: ActionCreate,
    actor: str,
    now: datetime,
) -> EnforcementAction:
    """A staff member's action on a room, recorded like a policy's."""
    finding = None
    if action_in.finding_id is not None:
        finding = live_service.get_finding(db_session=db_session, finding_id=action_in.finding_id)
        if finding.session_id != live_session.id:
            raise refusals.invalid("enforcement", "finding_id", "other_session")
    listing_id = action_in.listing_id or (finding.listing_id if finding else None)
    if action_in.kind is ActionKind.pull_listing and listing_id is None:
        raise refusals.invalid("enforcement", "listing_id", "pull_needs_listing")
    action = _take(
        db_session=db_session,
        live_session=live_session,
        kind=action_in.kind,
        reason=action_in.reason,
        text=action_in.text,
        finding=finding,
        policy=None,
        listing_id=listing_id,
        actor=actor,
        now=now,
        strict=True,
    )
    _record(
        db_session=db_session, sessions={live_session.id: live_session}, actions=[action], now=now
    )
    return action


def dismiss(
    *, db_session: Session, finding_id: int, reason: str, actor: str, now: datetime
) -> EnforcementAction:
    """Staff judged a finding wrong: it no longer counts towards policy or risk."""
    finding = live_service.get_finding(db_session=db_session, finding_id=finding_id)
    live_session = live_service.dismiss_finding(db_session=db_session, finding=finding)
    action = _take(
        db_session=db_session,
        live_session=live_session,
        kind=ActionKind.dismiss,
        reason=reason,
        text=None,
        finding=finding,
        policy=None,
        listing_id=finding.listing_id,
        actor=actor,
        now=now,
    )
    _record(
        db_session=db_session, sessions={live_session.id: live_session}, actions=[action], now=now
    )
    # A dismissed finding no longer counts against anyone's credit: recompute now.
    credit_flows.facts_changed(
        db_session=db_session,
        subjects=credit_flows.room_parties(
            db_session=db_session,
            merchant_id=live_session.merchant_id,
            anchor_id=live_session.anchor_id,
        ),
        now=now,
        cause=f"dismissed:live_finding:{finding.id}",
    )
    return action


def _take(
    *,
    db_session: Session,
    live_session: live_service.LiveSession,
    kind: ActionKind,
    reason: str,
    text: str | None,
    finding: live_service.LiveFinding | None,
    policy: str | None,
    listing_id: int | None,
    actor: str,
    now: datetime,
    strict: bool = False,
) -> EnforcementAction:
    """Do what the action says where it has an effect, then build its row."""
    if kind is ActionKind.suspend_room:
        live_service.suspend(db_session=db_session, live_session=live_session, now=now)
    elif kind is ActionKind.pull_listing and listing_id is not None:
        try:
            listing = catalog_service.get(db_session=db_session, listing_id=listing_id)
            if listing.status is not catalog_service.ListingStatus.on_sale:
                raise refusals.conflict("enforcement", "status", "not_on_sale")
            # a pull is a decision with its reason, not the merchant's unpublishing: it
            # stays pulled until staff review it (the merchant may appeal)
            catalog_service.pull(
                db_session=db_session,
                listing=listing,
                reviewer_kind=catalog_service.ReviewerKind.monitor
                if policy
                else catalog_service.ReviewerKind.staff,
                actor=actor,
                reason=reason,
                now=now,
                data={"session_id": live_session.id, "finding_id": finding.id if finding else None},
            )
        except LiveGuardError as error:
            if strict:
                raise
            reason = f"{reason}; the listing was not on sale to pull: {error}"
    action = EnforcementAction(
        session_id=live_session.id,
        kind=kind,
        finding_id=finding.id if finding else None,
        policy=policy,
        rule=finding.rule if finding else None,
        reason=reason,
        text=text,
        listing_id=listing_id,
        actor=actor,
        created_at=now,
    )
    db_session.add(action)
    return action


def _record(
    *,
    db_session: Session,
    sessions: dict[int, live_service.LiveSession],
    actions: Sequence[EnforcementAction],
    now: datetime,
) -> None:
    if not actions:
        return
    db_session.flush()

    def records() -> list[RecordIn]:  # built when appended: the findings' items known by then
        finding_ids = {a.finding_id for a in actions if a.finding_id is not None}
        seqs = live_service.finding_ledger_seqs(db_session=db_session, finding_ids=finding_ids)
        return [
            _action_record(
                sessions[a.session_id],
                a,
                seqs.get(a.finding_id) if a.finding_id is not None else None,
                now,
            )
            for a in actions
        ]

    done = ledger.into_rows(db_session, actions)
    ledger.append_later(db_session=db_session, records=records, done=done, now=now)


def _action_record(
    live_session: live_service.LiveSession,
    a: EnforcementAction,
    finding_seq: int | None,
    now: datetime,
) -> RecordIn:
    return RecordIn(
        kind=RecordKind.warning if a.kind is ActionKind.viewer_warning else RecordKind.action,
        occurred_at=now,
        where=live_service.ledger_where(live_session),
        who={"anchor_id": live_session.anchor_id, "actor": a.actor},
        data={
            "action_id": a.id,
            "action": a.kind.value,
            "finding_id": a.finding_id,
            "finding_ledger_seq": finding_seq,
            "policy": a.policy,
            "rule": a.rule,
            "reason": a.reason,
            "text": a.text,
            "listing_id": a.listing_id,
        },
    )


def get_actions(
    *, db_session: Session, session_id: int, after_id: int = 0
) -> Sequence[EnforcementAction]:
    query = (
        select(EnforcementAction)
        .where(EnforcementAction.session_id == session_id, EnforcementAction.id > after_id)
        .order_by(EnforcementAction.id)
    )
    return db_session.scalars(query).all()


def warnings(
    *, db_session: Session, session_id: int, after_id: int = 0
) -> Sequence[EnforcementAction]:
    """The room's viewer warnings in the order they were issued."""
    query = (
        select(EnforcementAction)
        .where(
            EnforcementAction.session_id == session_id,
            EnforcementAction.kind == ActionKind.viewer_warning,
            EnforcementAction.id > after_id,
        )
        .order_by(EnforcementAction.id)
    )
    return db_session.scalars(query).all()


def action_counts(*, db_session: Session, session_ids: Sequence[int]) -> dict[int, Counter[str]]:
    """Per session, how many actions of each kind: the room list's risk score reads it."""
    rows = db_session.execute(
        select(EnforcementAction.session_id, EnforcementAction.kind).where(
            EnforcementAction.session_id.in_(session_ids)
        )
    ).all()
    counts: dict[int, Counter[str]] = {}
    for session_id, kind in rows:
        counts.setdefault(session_id, Counter())[kind.value] += 1
    return counts
