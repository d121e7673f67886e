"""Orchestration across packages for live rooms: what the monitor finds in a batch of
new events is acted on by enforcement policy, in the same transaction.

Ingest runs this after storing the events. Flows flush, like services; the caller
(the request, the WebSocket batch, the worker) commits once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from liveguard.credit import flows as credit_flows
from liveguard.enforcement import service as enforcement_service
from liveguard.enforcement.enums import ActionKind
from liveguard.live import monitor
from liveguard.live.models import LiveFinding, LiveSession


@dataclass
class Result:
    """One session's batch as monitored: the findings stored and the actions taken."""

    findings: list[LiveFinding] = field(default_factory=list)
    actions: list[enforcement_service.EnforcementAction] = field(default_factory=list)
    counts: dict[int, int] = field(default_factory=dict)  # findings per event row id

    @property
    def warnings(self) -> int:
        return sum(1 for a in self.actions if a.kind is ActionKind.viewer_warning)


def monitor_many(
    *,
    db_session: Session,
    groups: Sequence[tuple[LiveSession, list[Any], int | None]],
    now: datetime,
    readings: dict[tuple[int, str], Any] | None = None,
    defer_credit: bool = False,
) -> dict[int, Result]:
    """Monitor newly stored events of several sessions (``monitor.find_many``: groups of
    session, new events, the row id of its last event before them), then take the
    actions policy calls for on what was found (``enforcement_service.apply_policy_many``).
    ``defer_credit``: the parties' credit is only noted, for the caller to recompute
    apart (``credit_flows.recompute_noted``; a monitor worker does, once a second)."""
    found = monitor.find_many(db_session=db_session, groups=groups, now=now, readings=readings)
    acted = enforcement_service.apply_policy_many(
        db_session=db_session,
        groups=[(live_session, found[live_session.id].findings) for live_session, _, _ in groups],
        now=now,
    )
    # What the seller's side was found doing counts against the room's parties' credit as
    # it is found (credit/flows.py), not in a nightly scan: once a party a batch, however
    # many of its rooms the batch holds (one recompute reads all the party's findings),
    # or, deferred, within about a second of the batch, from notes its commit keeps.
    causes: dict[Any, str] = {}
    parties: dict[tuple[int, int], list[Any]] = {}
    for live_session, _, _ in groups:
        stored = found[live_session.id].findings
        if stored:
            pair = (live_session.merchant_id, live_session.anchor_id)
            if pair not in parties:
                parties[pair] = credit_flows.room_parties(
                    db_session=db_session, merchant_id=pair[0], anchor_id=pair[1]
                )
            for subject in parties[pair]:
                causes[subject] = f"live_finding:{stored[-1].id}"
    if defer_credit:
        credit_flows.facts_noted(db_session=db_session, causes=causes, now=now)
        causes = {}
    by_cause: dict[str, list[Any]] = {}
    for subject, cause in causes.items():
        by_cause.setdefault(cause, []).append(subject)
    for cause, subjects in by_cause.items():
        credit_flows.facts_changed(db_session=db_session, subjects=subjects, now=now, cause=cause)
    return {
        session_id: Result(
            findings=seen.findings, actions=acted.get(session_id, []), counts=seen.counts
        )
        for session_id, seen in found.items()
    }


def recompute_credit(*, db_session: Session, now: datetime) -> int:
    """Recompute the parties whose credit ``monitor_many(defer_credit=True)`` noted, once
    each however many batches noted them (the caller commits): how many."""
    return credit_flows.recompute_noted(db_session=db_session, now=now)
