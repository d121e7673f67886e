"""The monitor: every stored event read in context, findings stored and acted on.

Context is the room as it stood when the event happened: the listing on show and its
category, the speaker's role, the latest stock and sales counters. Texts (speech, chat,
on-screen text read from frames) go through the detectors in one ``detect_many`` call
per batch; spoken numbers are checked against the counters and the price history
(``claims.py``); a listing changed on show is re-checked by catalog's price and shipping
checks; viewer and like counts are weighed against chat and orders (``traffic.py``).
Each finding names the listing on show, so a spoken claim is joined to the product shown.

The monitor finds and stores; acting on what it found is enforcement's, called by
``flows.py``, which is what ingest runs.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy.orm import Session

from liveguard.catalog import service as catalog_service
from liveguard.detect import service as detect_service
from liveguard.detect.engine import Context
from liveguard.detect.rulefile import Role, Source
from liveguard.errors import LiveGuardError
from liveguard.evidence import service as ledger
from liveguard.evidence.schemas import RecordIn, RecordKind
from liveguard.live import claims, payloads, traffic
from liveguard.live import service as live_service
from liveguard.live.context import RoomState
from liveguard.live.enums import EventKind, FindingSource, FindingSpeaker, SpeakerRole
from liveguard.live.models import LiveEvent, LiveFinding, LiveSession
from liveguard.parties import service as parties_service

log = logging.getLogger(__name__)

_ROLES = {
    SpeakerRole.anchor: Role.anchor,
    SpeakerRole.assistant: Role.assistant,
    SpeakerRole.viewer: Role.viewer,
}
_SOURCES = {EventKind.utterance: Source.speech, EventKind.chat: Source.chat}
# who can make a claim about the goods: the seller's side, not a viewer
_CLAIMANTS = frozenset({SpeakerRole.anchor, SpeakerRole.assistant})
# a return refusal always names one of these: a cheap test before the lexicon's scan
_TERMS_HINTS = ("退", "换", "售后", "解释权")


@dataclass
class Found:
    """What the monitor found in one session's new events, stored."""

    findings: list[LiveFinding] = field(default_factory=list)
    counts: dict[int, int] = field(default_factory=dict)  # findings per event row id


@cache
def frame_analyser() -> Any | None:
    """6b's frame reader, one per process; None when its packages are not installed."""
    try:
        from liveguard.live import frames
    except ImportError as error:  # zxing-cpp or rapidocr missing: frames are kept, not read
        log.warning("frames are stored but not read: %s", error)
        return None
    return frames.FrameAnalyser()


def read_frame(image: bytes, session_id: int, at: datetime) -> tuple[Any | None, str | None]:
    """A frame's QR codes and on-screen text (a ``FrameReading``), or why it could not be
    read; (None, None) when frames are not read here. The stream's memory (was the frame
    seen, when was text last read) is per room, in this process."""
    analyser = frame_analyser()
    if analyser is None:
        return None, None
    try:
        return analyser.analyse(image, stream=f"session:{session_id}", at=at), None
    except LiveGuardError as error:
        return None, str(error)


def find_many(
    *,
    db_session: Session,
    groups: Sequence[tuple[LiveSession, list[Any], int | None]],
    now: datetime,
    readings: dict[tuple[int, str], Any] | None = None,
) -> dict[int, Found]:
    """Monitor newly stored events of several sessions and store what is found.
    One detector call and one ledger append for the whole batch: per-session work is what
    makes a busy platform slow. Each group is (session, its new events: ``LiveEvent``
    rows or ``ingest.NewEvent``, the row id of its last event before them); ``readings``
    holds frames' readings (``read_frame``) by (session id, event id)."""
    readings = readings or {}
    results = {live_session.id: Found() for live_session, _, _ in groups}
    texts: list[tuple[LiveEvent, str, Context, FindingSource, int | None]] = []
    platforms: dict[int, int] = {}  # session id -> platform id, for the detector
    for live_session, events, previous_pk in groups:
        if not events:
            continue
        platforms[live_session.id] = live_session.platform_id
        result = results[live_session.id]
        state = RoomState.resume(
            db_session=db_session,
            live_session=live_session,
            first=events[0],
            previous_pk=previous_pk,
        )
        # the batch's rows not in the table yet (PostgreSQL writes them with the ledger)
        unwritten = [e for e in events if getattr(e, "written", True) is False]
        for event in events:
            state.advance(event)
            role = _ROLES.get(event.speaker_role) if event.speaker_role else None
            on_show = state.listing_id
            if event.kind in _SOURCES and event.text:
                context = Context(role=role, category=state.category, source=_SOURCES[event.kind])
                said = getattr(event, "clear_text", None) or event.text  # as sent
                texts.append((event, said, context, FindingSource.text, on_show))
                if event.speaker_role in _CLAIMANTS:
                    result.findings += _claims(db_session, state, event, now)
                    result.findings += _label_claims(state, event)
                    result.findings += _spoken_terms(state, event)
            elif event.kind is EventKind.frame:
                findings, lines = _frame(
                    event, state, readings.get((event.session_id, event.event_id))
                )
                result.findings += findings
                context = Context(role=Role.anchor, category=state.category, source=Source.screen)
                texts += [(event, line, context, FindingSource.screen, on_show) for line in lines]
            elif event.kind is EventKind.listing_changed:
                result.findings += _listing_change(db_session, state, event, now)
            elif event.kind is EventKind.counters:
                result.findings += traffic.check(
                    db_session=db_session, state=state, event=event, unwritten=unwritten
                )
        state.keep(events[-1].id)
    for finding in _detect(db_session, platforms, texts):
        results[finding.session_id].findings.append(finding)
    sessions = {live_session.id: live_session for live_session, _, _ in groups}
    events_by_pk = {event.id: event for _, events, _ in groups for event in events}
    _store(db_session, sessions, events_by_pk, results, now)
    for result in results.values():
        for finding in result.findings:
            result.counts[finding.event_pk] = result.counts.get(finding.event_pk, 0) + 1
    return results


def _finding(event: LiveEvent, listing_id: int | None, **fields: Any) -> LiveFinding:
    fields.setdefault("start", 0)
    fields.setdefault("end", 0)
    return LiveFinding(
        session_id=event.session_id,
        event_pk=event.id,
        speaker_role=FindingSpeaker.of(event.speaker_role),  # a frame's text and codes: the room's
        listing_id=listing_id,
        **fields,
    )


def _basis(bases: Sequence[Any]) -> list[dict[str, Any]]:
    return [b.model_dump(exclude_none=True) for b in bases]


_PLATFORM_CODES: dict[int, str] = {}  # platform codes never change


def _platform_code(db_session: Session, platform_id: int) -> str:
    if platform_id not in _PLATFORM_CODES:
        platform = parties_service.get_platform(db_session=db_session, platform_id=platform_id)
        _PLATFORM_CODES[platform_id] = platform.code
    return _PLATFORM_CODES[platform_id]


def _detect(
    db_session: Session,
    platforms: dict[int, int],
    texts: list[tuple[LiveEvent, str, Context, FindingSource, int | None]],
) -> list[LiveFinding]:
    """Every text of the batch through its platform's detector, one call per platform."""
    by_platform: dict[int, list[int]] = {}
    for n, item in enumerate(texts):
        by_platform.setdefault(platforms[item[0].session_id], []).append(n)
    found = []
    for platform_id, positions in by_platform.items():
        detector = detect_service.get_detector(
            db_session=db_session, platform=_platform_code(db_session, platform_id)
        )
        chosen = [texts[n] for n in positions]
        batches = detector.detect_many([t[1] for t in chosen], [t[2] for t in chosen])
        for (event, _text, _context, source, on_show), hits in zip(chosen, batches, strict=True):
            found += _text_findings(event, source, on_show, hits)
    return found


def _text_findings(
    event: LiveEvent, source: FindingSource, on_show: int | None, hits: list[Any]
) -> list[LiveFinding]:
    found, seen = [], set()
    for hit in hits:
        key = (hit.rule.id, hit.start, hit.end)
        if key in seen:
            continue
        seen.add(key)
        rule = hit.rule
        quote, normalised = hit.quote, hit.normalised
        if source is FindingSource.text and getattr(event, "clear_text", None):
            # the stored text is masked where it held personal data, with the same
            # offsets: the finding quotes it as stored, never the data in clear
            quote = (event.text or "")[hit.start : hit.end]
            if quote != hit.quote:
                scrubbed = detect_service.scrub(normalised)
                normalised = scrubbed.text if scrubbed.changed else quote
        found.append(
            _finding(
                event,
                on_show,
                source=source,
                rule=rule.id,
                category=rule.category,
                severity=str(rule.severity),
                message=rule.message,
                # a screen line's offsets are into that line, which the quote shows
                start=hit.start,
                end=hit.end,
                quote=quote,
                legal_basis=_basis(rule.legal_basis),
                evidence={"ruleset": hit.ruleset_version, "normalised": normalised},
            )
        )
    return found


def _claims(
    db_session: Session, state: RoomState, event: LiveEvent, now: datetime
) -> list[LiveFinding]:
    found = []
    for claim in claims.find(event.text or ""):
        rule = claim.rule
        evidence: dict[str, Any] = {"claimed": claim.claimed}
        if rule.compare in ("stock", "sales"):
            actual = state.stock if rule.compare == "stock" else state.sales
            if actual is None or not rule.contradicted(claim.claimed, actual):
                continue
            evidence.update(actual=actual, counter_seq=state.counter_seq[rule.compare])
            message = rule.message.format(quote=claim.quote, actual=actual)
        else:
            listing = state.listing(db_session)
            if listing is None:
                continue
            spoken = claim.claimed * (100 if rule.unit == "yuan" else 1)
            if spoken <= listing.price_fen:
                continue  # not a comparison with a higher "original" price
            problems = catalog_service.price_problems(
                db_session=db_session,
                listing=listing,
                now=event.occurred_at,
                changes={"original_price_fen": spoken},
                extra_history=state.price_points(listing.id),
            )
            problems = [p for p in problems if p["check"].startswith("price.")]
            if not problems:
                continue
            evidence.update(claimed_fen=spoken, price_fen=listing.price_fen, problems=problems)
            message = rule.message.format(
                quote=claim.quote, problems="；".join(p["message"] for p in problems)
            )
        found.append(
            _finding(
                event,
                state.listing_id,
                source=FindingSource.data,
                rule=rule.id,
                category=rule.category,
                severity=rule.severity,
                message=message,
                start=claim.start,
                end=claim.end,
                quote=claim.quote,
                legal_basis=_basis(rule.legal_basis),
                evidence=evidence,
            )
        )
    return found


def _label_claims(state: RoomState, event: LiveEvent) -> list[LiveFinding]:
    """What the anchor says about the product on show that its own label does not bear
    out ("正宗燕窝" of a 风味饮品): catalog's label-claim check, linked to the listing."""
    listing = state.listing()
    if listing is None or not event.text:
        return []
    problems = catalog_service.label_claim_problems(listing=listing, text=event.text)
    for problem in problems:
        problem["evidence"]["listing_id"] = listing.id
        problem["rule"] = problem["check"]
    return _problem_findings(state, event, problems, "label_claims", FindingSource.data)


def _spoken_terms(state: RoomState, event: LiveEvent) -> list[LiveFinding]:
    """After-sales terms said aloud that take away the buyer's right to return
    ("直播间专属价，不支持退货"): catalog's unfair-terms lexicon, on the listing on show."""
    if not event.text or not any(word in event.text for word in _TERMS_HINTS):
        return []
    problems = catalog_service.spoken_term_problems(
        text=event.text, category=state.category or "", now=event.occurred_at
    )
    for problem in problems:  # the lexicon entry names the wording: terms.unfair.no_returns
        problem["rule"] = problem["check"] + "." + problem["evidence"]["entry"].rsplit(".", 1)[-1]
    return _problem_findings(state, event, problems, "after_sales_terms", FindingSource.text)


def _problem_findings(
    state: RoomState,
    event: LiveEvent,
    problems: list[dict[str, Any]],
    category: str,
    source: FindingSource,
) -> list[LiveFinding]:
    """Catalog review problems about an utterance, as findings on the listing on show."""
    return [
        _finding(
            event,
            state.listing_id,
            source=source,
            rule=problem["rule"],
            category=category,
            severity=problem["severity"],
            message=problem["message"],
            start=problem["evidence"]["start"],
            end=problem["evidence"]["end"],
            quote=problem["evidence"]["quote"],
            legal_basis=problem["legal_basis"],
            evidence=problem["evidence"],
        )
        for problem in problems
    ]


def _listing_change(
    db_session: Session, state: RoomState, event: LiveEvent, now: datetime
) -> list[LiveFinding]:
    """Problems the change brought in, by catalog's own price and shipping checks."""
    listing_id = event.data["listing_id"]
    try:
        listing = catalog_service.get(db_session=db_session, listing_id=listing_id)
    except LiveGuardError:
        return []
    changes = event.data["changes"]
    before = state.listing_fields(listing)
    after = {**before, **changes}
    history = state.price_points(listing_id)
    old = catalog_service.price_problems(
        db_session=db_session,
        listing=listing,
        now=event.occurred_at,
        changes=before,
        extra_history=history,
    )
    points = [*history, (event.occurred_at, before["price_fen"])]
    new = catalog_service.price_problems(
        db_session=db_session,
        listing=listing,
        now=event.occurred_at,
        changes=after,
        extra_history=points,
    )
    known = {p["check"] for p in old}
    brought = [p for p in new if p["check"] not in known]
    state.record_change(listing_id, changes, event.occurred_at, before["price_fen"])
    if not brought:
        return []
    rule = claims.rules().listing_change
    return [
        _finding(
            event,
            listing_id,
            source=FindingSource.data,
            rule=rule.id,
            category=rule.category,
            severity=rule.severity,
            message=rule.message.format(problems="；".join(p["message"] for p in brought)),
            quote=", ".join(f"{k}: {before.get(k)} -> {v}" for k, v in changes.items()),
            legal_basis=_basis(rule.legal_basis) + [b for p in brought for b in p["legal_basis"]],
            evidence={"before": before, "after": after, "problems": brought},
        )
    ]


def _frame(
    event: Any, state: RoomState, reading: Any | None
) -> tuple[list[LiveFinding], list[str]]:
    if reading is None:
        return [], []
    found = []
    for code in reading.qr_codes:
        if code.rule is None:
            continue
        found.append(
            _finding(
                event,
                state.listing_id,
                source=FindingSource.qr,
                rule=code.rule.id,
                category=payloads.CATEGORY,
                severity=str(code.rule.severity),
                message=code.rule.message,
                quote=code.payload[:500],
                legal_basis=_basis(code.rule.legal_basis),
                evidence={"kind": str(code.kind), "box": list(code.box)},
            )
        )
    return found, reading.texts()


def _store(
    db_session: Session,
    sessions: dict[int, LiveSession],
    events: dict[int, LiveEvent],
    results: dict[int, Found],
    now: datetime,
) -> None:
    findings = [f for result in results.values() for f in result.findings]
    if not findings:
        return
    for finding in findings:
        finding.created_at = now
    db_session.add_all(findings)
    db_session.flush()
    live_service.count_findings(
        db_session=db_session,
        anchors={sid: live_session.anchor_id for sid, live_session in sessions.items()},
        changes=Counter((f.session_id, f.category, f.speaker_role) for f in findings),
    )

    def records() -> list[RecordIn]:  # built when appended: the events' items known by then
        return [
            finding_record(sessions[f.session_id], events[f.event_pk], f, now) for f in findings
        ]

    done = ledger.into_rows(db_session, findings)
    ledger.append_later(db_session=db_session, records=records, done=done, now=now)


def finding_record(
    live_session: LiveSession, event: LiveEvent, f: LiveFinding, now: datetime
) -> RecordIn:
    """A live finding's ledger record (the monitor's and the room picture's alike)."""
    return RecordIn(
        kind=RecordKind.finding,
        occurred_at=now,
        where=live_service.ledger_where(live_session),
        who={"anchor_id": live_session.anchor_id, "merchant_id": live_session.merchant_id},
        data={
            "finding_id": f.id,
            "event_seq": event.seq,
            "event_ledger_seq": event.ledger_seq,
            "source": f.source.value,
            "speaker_role": f.speaker_role.value,
            "rule": f.rule,
            "category": f.category,
            "severity": f.severity,
            "span": [f.start, f.end],
            "quote": f.quote,
            "listing_id": f.listing_id,
            "legal_basis": f.legal_basis,
            "evidence": f.evidence,
        },
    )
