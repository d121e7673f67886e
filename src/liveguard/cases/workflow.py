"""The case workflow: states from filed to closed, what is due by when, and reminders.

Which state may follow which, and each state's deadline in working days, are data
(``data/workflow.yaml``); a statutory deadline is named there and taken, with its legal
basis, from the one file of limits (``deadlines.yaml``). The days are counted on the
official holiday calendar by the liability package. Every state change is a case event,
and so a ledger item.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from pydantic import Field, model_validator
from sqlalchemy.orm import Session

from liveguard import datafiles
from liveguard.cases import refusals, service
from liveguard.cases.enums import CaseEventKind, CaseState
from liveguard.cases.models import Case, CaseEvent
from liveguard.clock import CHINA
from liveguard.labels import label
from liveguard.legal import LegalBasis
from liveguard.liability import service as liability_service

WORKFLOW_FILE = "workflow.yaml"


class Step(datafiles.Strict):
    """What is due in a state; ``limit`` names a statutory one in ``deadlines.yaml``, which
    sets ``working_days`` and ``legal_basis`` when the file is read."""

    step_zh: str
    working_days: int = Field(default=0, ge=0, le=365)
    limit: str | None = None
    counted_from: CaseState | None = None
    legal_basis: list[LegalBasis] = Field(default_factory=list)

    @model_validator(mode="after")
    def _days_or_limit(self) -> Step:
        if (self.limit is None) == (self.working_days == 0):
            raise ValueError("a step has working_days (a service level) or a limit, not both")
        return self


class Texts(datafiles.Strict):
    """The words case records carry (``texts`` in the data file)."""

    advance_compensation: str
    identity_handed_over: str
    overdue: str
    bundle_title: str
    frame_qr_code: str
    frame_separator: str
    frame_without_text: str


class Workflow(datafiles.Strict):
    texts: Texts
    transitions: dict[CaseState, list[CaseState]]
    steps: dict[CaseState, Step]


@cache
def workflow() -> Workflow:
    """The shipped workflow, its statutory steps filled in from ``deadlines.yaml``."""
    text = datafiles.shipped_bytes("liveguard.cases", WORKFLOW_FILE)
    document = datafiles.read(text, WORKFLOW_FILE)
    parsed = datafiles.validate(document, Workflow)
    steps, problems = {}, []
    for state, step in parsed.steps.items():
        if step.limit is not None:
            limit = liability_service.working_day_limit(step.limit)
            if limit is None:
                problems.append(
                    document.problem(
                        ("steps", state, "limit"),
                        f"deadlines.yaml has no limit {step.limit!r} in working days",
                    )
                )
                continue
            days, basis = limit
            step = step.model_copy(update={"working_days": days, "legal_basis": basis})
        steps[state] = step
    problems += datafiles.quote_problems(document, parsed)
    if problems:
        raise datafiles.DataFileError(problems)
    return parsed.model_copy(update={"steps": steps})


BY_RECORD = {
    CaseState.decided: "record the decision: POST /api/cases/{id}/decision",
    CaseState.compensated: "record the payment: POST /api/cases/{id}/compensation",
}


def next_states(case: Case) -> list[CaseState]:
    return list(workflow().transitions.get(case.state, []))


def _entered_on(db_session: Session, case: Case, state: CaseState, today: date) -> date:
    """The day the case entered ``state`` (today when it is entering it now)."""
    for event in reversed(service.get_events(db_session=db_session, case_id=case.id)):
        if event.to_state is state:
            return event.at.astimezone(CHINA).date()
    return today


def set_due(*, db_session: Session, case: Case, today: date) -> None:
    """The current state's step and its deadline, in working days."""
    step = workflow().steps.get(case.state)
    if step is None:
        case.due_on, case.due_step = None, None
        return
    start = _entered_on(db_session, case, step.counted_from, today) if step.counted_from else today
    due, _ = liability_service.add_working_days(start=start, working_days=step.working_days)
    case.due_on, case.due_step = due, step.step_zh


def transition(
    *,
    db_session: Session,
    case: Case,
    to_state: CaseState,
    actor: str,
    party_role: str,
    reason: str,
    now: datetime,
    today: date,
    data: dict[str, Any] | None = None,
    recorded: bool = False,
) -> CaseEvent:
    """Move the case on, if the workflow allows it; the change goes to the ledger.

    ``decided`` and ``compensated`` are reached only by recording the decision or the
    payment (``recorded=True`` from ``handling``), never by a bare state change.
    """
    if to_state in BY_RECORD and not recorded:
        raise refusals.conflict(
            "to_state", "by_record_only", state=label(to_state), case_id=case.id
        )
    allowed = next_states(case)
    if to_state not in allowed:
        names = "、".join(label(s) for s in allowed) or label(CaseState.closed)
        raise refusals.conflict(
            "to_state", "no_such_step", state=label(case.state), to=label(to_state), names=names
        )
    if to_state is CaseState.refused and not reason.strip():
        raise refusals.conflict("reason", "refusal_reason")
    event = service.add_event(
        db_session=db_session,
        case=case,
        kind=CaseEventKind.state,
        actor=actor,
        party_role=party_role,
        now=now,
        text=reason,
        data=data or {},
        to_state=to_state,
    )
    set_due(db_session=db_session, case=case, today=today)
    return event


@dataclass(frozen=True)
class Overdue:
    case: Case
    days_overdue: int


def overdue(*, db_session: Session, today: date) -> list[Overdue]:
    """Open cases whose current step is past its deadline."""
    return [
        Overdue(case, (today - case.due_on).days)
        for case in service.get_open(db_session=db_session)
        if case.due_on is not None and case.due_on < today
    ]


def remind(*, db_session: Session, today: date, now: datetime) -> list[Overdue]:
    """Report every overdue step once per deadline: a reminder event (and ledger item)."""
    late = overdue(db_session=db_session, today=today)
    for item in late:
        case = item.case
        assert case.due_on is not None  # overdue() lists only cases with a due date
        due_on = case.due_on.isoformat()
        reminded = any(
            e.kind is CaseEventKind.reminder and e.data.get("due_on") == due_on
            for e in service.get_events(db_session=db_session, case_id=case.id)
        )
        if not reminded:
            service.add_event(
                db_session=db_session,
                case=case,
                kind=CaseEventKind.reminder,
                actor="system",
                party_role="system",
                now=now,
                text=workflow().texts.overdue.format(days=item.days_overdue, step=case.due_step),
                data={"due_on": due_on, "step": case.due_step},
            )
    return late
