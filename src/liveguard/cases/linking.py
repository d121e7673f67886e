"""What the live monitor recorded around the moment a complaint names, linked as it was
recorded: the utterances, chat and frames, the findings the monitor stored on them (each
its own ledger item, rule, span, quote, legal basis and the listing on show) and the
actions it took on those findings (the viewer warning the room showed, with its ledger
item). A complaint cites these exact records, never a fresh reading of them.

Detection runs again only on words the monitor never saw: events stored before the
monitor existed (no sender's event id, migration 0009). Those findings have no ledger
item yet; the complaint puts them in the ledger beside itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from liveguard import labels
from liveguard.cases import workflow
from liveguard.cases.models import CaseLink
from liveguard.detect import service as detect_service
from liveguard.detect.engine import Context
from liveguard.detect.rulefile import Role, Source
from liveguard.enforcement import service as enforcement_service
from liveguard.live import service as live_service
from liveguard.live.enums import EventKind, FindingStatus
from liveguard.parties import service as parties_service

LINKED_KINDS = frozenset({EventKind.utterance, EventKind.chat, EventKind.frame})
_SOURCES = {EventKind.utterance: Source.speech, EventKind.chat: Source.chat}
_ROLES = {"anchor": Role.anchor, "assistant": Role.assistant, "viewer": Role.viewer}


@dataclass(frozen=True)
class Seen:
    """One finding on a linked event, as the facts derivation needs it."""

    rule: str
    category: str
    source: str  # text, screen, qr, data (the monitor's), or "detect" (found at intake)
    ledger_seq: int | None
    evidence: dict[str, Any] = field(default_factory=dict)
    status: str = "open"


@dataclass
class Linked:
    """The session's records in the window, and each event's findings."""

    links: list[CaseLink] = field(default_factory=list)
    events: list[tuple[live_service.LiveEvent, list[Seen]]] = field(default_factory=list)
    on_show: live_service.LiveEvent | None = None  # the listing_shown event current at the moment


def event_ref(event: live_service.LiveEvent) -> str:
    return f"session:{event.session_id}/event:{event.seq}"


def link_session(
    *, db_session: Session, live_session: live_service.LiveSession, start: datetime, end: datetime
) -> Linked:
    """Link the session's utterances, chat and frames between ``start`` and ``end``, the
    monitor's findings on them and the actions taken on those findings."""
    linked = Linked()
    chosen: list[live_service.LiveEvent] = []
    for event in live_service.get_events(db_session=db_session, session_id=live_session.id):
        if event.kind is EventKind.listing_shown and event.occurred_at <= end:
            linked.on_show = event  # the last product put on show before the moment
        in_window = event.kind in LINKED_KINDS and start <= event.occurred_at <= end
        if in_window and (event.kind is EventKind.frame or event.text):
            chosen.append(event)
    stored: dict[int, list[live_service.LiveFinding]] = {}
    for finding in live_service.get_findings(
        db_session=db_session, session_id=live_session.id, event_pks=[e.id for e in chosen]
    ):
        stored.setdefault(finding.event_pk, []).append(finding)
    platform = None
    for event in chosen:
        linked.links.append(_event_link(event))
        role = event.speaker_role.value if event.speaker_role else None
        if event.event_id is None and event.kind in _SOURCES:  # stored before the monitor
            if platform is None:
                platform = parties_service.get_platform(
                    db_session=db_session, platform_id=live_session.platform_id
                )
            seen = _detect(db_session, event, role, platform.code, linked.links)
        else:
            seen = [_stored_link(f, event, role, linked.links) for f in stored.get(event.id, [])]
            # a finding staff dismissed stays linked (and marked) but settles nothing
            seen = [s for s in seen if s.status == FindingStatus.open.value]
        linked.events.append((event, seen))
    _actions(db_session, live_session, stored, linked.links, start, end)
    return linked


def _event_link(event: live_service.LiveEvent) -> CaseLink:
    role = event.speaker_role.value if event.speaker_role else None
    data: dict[str, Any] = {"speaker_role": role, "occurred_at": event.occurred_at.isoformat()}
    summary = event.text or ""
    if event.kind is EventKind.frame:
        reading = event.data.get("frame") or {}
        codes = [{"kind": c["kind"], "payload": c["payload"]} for c in reading.get("qr_codes", [])]
        lines = [line["text"] for line in reading.get("lines", [])]
        data.update(blob=event.data.get("blob"), mime=event.data.get("mime"), qr=codes, lines=lines)
        if "frame" not in event.data:
            data["read"] = False  # kept, never read (no frame reader where it was stored)
        texts = workflow.workflow().texts
        said = [
            texts.frame_qr_code.format(
                kind=labels.label(c["kind"], "live.PayloadKind"), payload=c["payload"]
            )
            for c in codes
        ] + lines
        summary = texts.frame_separator.join(said) or texts.frame_without_text
    return CaseLink(
        kind=event.kind.value,
        ref=event_ref(event),
        ledger_seq=event.ledger_seq,
        summary=summary,
        data=data,
    )


def _stored_link(
    finding: live_service.LiveFinding,
    event: live_service.LiveEvent,
    role: str | None,
    links: list[CaseLink],
) -> Seen:
    links.append(
        CaseLink(
            kind="finding",
            ref=f"session:{finding.session_id}/finding:{finding.id}",
            ledger_seq=finding.ledger_seq,
            summary=finding.message,
            data={
                "finding_id": finding.id,
                "on": event_ref(event),
                "event_kind": event.kind.value,
                "event_ledger_seq": event.ledger_seq,
                "source": finding.source.value,
                "rule": finding.rule,
                "category": finding.category,
                "severity": finding.severity,
                "span": [finding.start, finding.end],
                "quote": finding.quote,
                "speaker_role": role,
                "listing_id": finding.listing_id,
                "legal_basis": finding.legal_basis,
                "status": finding.status.value,
            },
        )
    )
    return Seen(
        finding.rule,
        finding.category,
        finding.source.value,
        finding.ledger_seq,
        finding.evidence,
        finding.status.value,
    )


def _detect(
    db_session: Session,
    event: live_service.LiveEvent,
    role: str | None,
    platform: str,
    links: list[CaseLink],
) -> list[Seen]:
    detection = detect_service.detect(
        db_session=db_session,
        text=event.text or "",
        context=Context(role=_ROLES.get(role or ""), source=_SOURCES[event.kind]),
        platform=platform,
    )
    seen = []
    for finding in detection.findings:
        links.append(
            CaseLink(
                kind="finding",
                ref=f"{event_ref(event)}/rule:{finding.rule.id}",
                ledger_seq=None,  # appended to the ledger with the complaint
                summary=finding.rule.message,
                data={
                    "on": event_ref(event),
                    "event_kind": event.kind.value,
                    "event_ledger_seq": event.ledger_seq,
                    "source": "detect",
                    "rule": finding.rule.id,
                    "category": finding.rule.category,
                    "quote": finding.quote,
                    "speaker_role": role,
                    "ruleset_version": detection.ruleset_version,
                    "legal_basis": [
                        {"law": b.law, "article": b.article, "quote": b.quote}
                        for b in finding.rule.legal_basis
                    ],
                },
            )
        )
        seen.append(Seen(finding.rule.id, finding.rule.category, "detect", None))
    return seen


def _actions(
    db_session: Session,
    live_session: live_service.LiveSession,
    stored: dict[int, list[live_service.LiveFinding]],
    links: list[CaseLink],
    start: datetime,
    end: datetime,
) -> None:
    """The actions taken on the linked findings, and the warnings staff gave viewers by
    hand within the window: what the room was told, each with its ledger item."""
    finding_ids = {f.id for found in stored.values() for f in found}
    actions: Sequence[Any] = enforcement_service.get_actions(
        db_session=db_session, session_id=live_session.id
    )
    for action in actions:
        warning = action.kind.value == "viewer_warning"
        by_hand = warning and action.finding_id is None and start <= action.created_at <= end
        if action.finding_id not in finding_ids and not by_hand:
            continue
        links.append(
            CaseLink(
                kind="warning" if warning else "action",
                ref=f"session:{live_session.id}/action:{action.id}",
                ledger_seq=action.ledger_seq,
                summary=action.text or action.reason,
                data={
                    "action_id": action.id,
                    "action": action.kind.value,
                    "finding_id": action.finding_id,
                    "rule": action.rule,
                    "policy": action.policy,
                    "actor": action.actor,
                    "text": action.text,
                    "created_at": action.created_at.isoformat(),
                },
            )
        )
