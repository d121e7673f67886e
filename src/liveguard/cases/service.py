"""Cases, their events, files and links: stored, read, and each step put in the ledger.

Every write here appends one evidence-ledger item in the same transaction, so a case's
history can be proved step by step. Personal words (what the consumer wrote, mediation
notes) are sealed under the consumer's own ledger key, as the evidence service does;
any other free text goes into the leaf through the personal-information scrub, the words
as written sealed the same way when it finds something.
Other packages annotate a case as ``cases_service.Case`` and never select it themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liveguard import paging, uploads
from liveguard.blobs import BlobStore
from liveguard.cases import refusals
from liveguard.cases.enums import CaseEventKind, CaseOrigin, CaseState
from liveguard.cases.models import Case as Case
from liveguard.cases.models import CaseEvent as CaseEvent
from liveguard.cases.models import CaseFile, CaseLink
from liveguard.detect import service as detect_service
from liveguard.errors import NotFound
from liveguard.evidence import service as ledger
from liveguard.evidence.schemas import RecordIn, RecordKind
from liveguard.privacy import service as privacy_service

MAX_FILE_BYTES = 20 * 1024 * 1024
# what the sealed originals of typed text are bound to (privacy.rotation lists them)
SUMMARY_CONTEXT = "case.summary"
TEXT_CONTEXT = "case_event.text"
# What a buyer keeps: photos, receipts and screenshots, PDFs, chat logs as text, and
# recordings. Typed by their bytes (``uploads``), so none is stored as a web page.
EVIDENCE_TYPES = frozenset(
    {
        "image/jpeg",
        "image/png",
        "image/webp",
        "image/gif",
        "image/heic",
        "application/pdf",
        "text/plain",
        "audio/mpeg",
        "audio/mp4",
        "audio/wave",
        "audio/ogg",
        "video/mp4",
        "video/quicktime",
        "video/webm",
    }
)


def subject_of(case: Case) -> str | None:
    """Whose personal data the case's sealed fields are."""
    return f"consumer:{case.consumer_id}" if case.consumer_id else None


def where(case: Case) -> dict[str, Any]:
    return {
        "case_id": case.id,
        "platform_id": case.platform_id,
        "session_id": case.session_id,
    }


def who(case: Case) -> dict[str, Any]:
    # The consumer only by pseudonymous id; names and words are sealed, never in clear.
    return {
        "consumer": subject_of(case),
        "merchant_id": case.merchant_id,
        "anchor_id": case.anchor_id,
    }


def record(
    *,
    db_session: Session,
    case: Case,
    kind: RecordKind,
    data: dict[str, Any],
    now: datetime,
    personal: dict[str, Any] | None = None,
    blobs: dict[str, str] | None = None,
) -> int:
    """Append one ledger item about ``case``; returns its sequence number."""
    subject = subject_of(case) if personal else None
    if personal and subject is None:
        # No consumer to seal under (an automatic case before the buyer is known):
        # words stay out of the ledger rather than in it in clear.
        data = {**data, "personal_withheld": sorted(personal)}
        personal = None
    appended = ledger.append(
        db_session=db_session,
        now=now,
        records=[
            RecordIn(
                kind=kind,
                occurred_at=now,
                where=where(case),
                who=who(case),
                data={"case_id": case.id, **data},
                blobs=blobs or {},
                subject=subject,
                personal=personal,
            )
        ],
    )
    return appended[0].seq


def add_event(
    *,
    db_session: Session,
    case: Case,
    kind: CaseEventKind,
    actor: str,
    party_role: str,
    now: datetime,
    text: str = "",
    data: dict[str, Any] | None = None,
    to_state: CaseState | None = None,
    sealed_text: bool = False,
) -> CaseEvent:
    """One step in the case, in the ledger first; ``to_state`` moves the case."""
    from_state = case.state
    data = data or {}
    entry: dict[str, Any] = {
        "event": kind.value,
        "actor": actor,
        "party_role": party_role,
        "from_state": from_state.value if to_state else None,
        "to_state": to_state.value if to_state else None,
        **data,
    }
    personal = None
    if text and sealed_text:
        personal = {"text": text}
    elif text:
        # Free text (an answer, a decision, a reason) goes into the leaf scrubbed; when
        # the scrub found personal data, the words as written are sealed like the rest.
        scrubbed = detect_service.scrub(text)
        entry["text"] = scrubbed.text
        if scrubbed.changed:
            personal = {"text": text}
    seq = record(
        db_session=db_session,
        case=case,
        kind=RecordKind.action,
        data=entry,
        now=now,
        personal=personal,
    )
    stored = privacy_service.seal_text(db_session=db_session, text=text, context=TEXT_CONTEXT)
    event = CaseEvent(
        case_id=case.id,
        kind=kind,
        from_state=from_state if to_state else None,
        to_state=to_state,
        actor=actor,
        party_role=party_role,
        text=stored.text,
        text_enc=stored.enc,
        data=data,
        at=now,
        ledger_seq=seq,
    )
    if to_state is not None:
        case.state = to_state
        if to_state is CaseState.closed:
            case.closed_at = now
    db_session.add(event)
    db_session.flush()
    return event


def add_file(
    *,
    db_session: Session,
    case: Case,
    blobs: BlobStore,
    content: bytes,
    file_name: str,
    content_type: str,
    actor: str,
    now: datetime,
) -> CaseFile:
    """Store an evidence file by its SHA-256 and record it in the ledger."""
    if not content:
        raise refusals.invalid("file", "file_empty")
    if len(content) > MAX_FILE_BYTES:
        raise refusals.invalid("file", "file_too_big", size=len(content), limit=MAX_FILE_BYTES)
    content_type = uploads.checked_type(
        content, content_type, accepted=EVIDENCE_TYPES, what="case evidence"
    )
    sha256 = blobs.put(content)
    name = file_name[-255:] or "evidence"
    seq = record(
        db_session=db_session,
        case=case,
        kind=RecordKind.document,
        data={"event": "file", "content_type": content_type, "size_bytes": len(content)},
        now=now,
        personal={"file_name": name},
        blobs={"file": sha256},
    )
    row = CaseFile(
        case_id=case.id,
        sha256=sha256,
        file_name=name,
        content_type=content_type,
        size_bytes=len(content),
        added_by=actor,
        added_at=now,
        ledger_seq=seq,
    )
    db_session.add(row)
    db_session.flush()
    return row


def get(*, db_session: Session, case_id: int) -> Case:
    found = db_session.get(Case, case_id)
    if found is None:
        raise NotFound("case", case_id)
    return found


def get_by_origin_key(*, db_session: Session, origin_key: str) -> Case | None:
    return db_session.scalar(select(Case).where(Case.origin_key == origin_key))


def get_all(
    *,
    db_session: Session,
    state: CaseState | None = None,
    consumer_id: int | None = None,
    merchant_id: int | None = None,
    anchor_id: int | None = None,
    limit: int = 200,
) -> Sequence[Case]:
    query = select(Case).order_by(Case.id.desc()).limit(limit)
    if state is not None:
        query = query.where(Case.state == state)
    if consumer_id is not None:
        query = query.where(Case.consumer_id == consumer_id)
    if merchant_id is not None:
        query = query.where(Case.merchant_id == merchant_id)
    if anchor_id is not None:
        query = query.where(Case.anchor_id == anchor_id)
    return db_session.scalars(query).all()


def search(
    *,
    db_session: Session,
    filters: paging.ListQuery,
    after: str | None = None,
    limit: int = paging.DEFAULT_PAGE,
    consumer_id: int | None = None,
) -> paging.Page[Case]:
    """A page of cases: text in the summary (or a case number), state, origin (``kind``),
    platform, merchant, anchor, room, Beijing dates filed; newest or oldest first.
    ``consumer_id`` keeps a consumer to her own cases."""
    query = select(Case)
    state = paging.one_of("status", filters.status, {s.value: s for s in CaseState}, "case_state")
    origin = paging.one_of("kind", filters.kind, {o.value: o for o in CaseOrigin}, "case_origin")
    if state is not None:
        query = query.where(Case.state == state)
    if origin is not None:
        query = query.where(Case.origin == origin)
    for column, value in (
        (Case.consumer_id, consumer_id),
        (Case.platform_id, filters.platform_id),
        (Case.merchant_id, filters.merchant_id),
        (Case.anchor_id, filters.anchor_id),
        (Case.session_id, filters.session_id),
    ):
        if value is not None:
            query = query.where(column == value)
    query = paging.matching(query, filters.q, [Case.summary], ident=Case.id)
    query = paging.in_days(query, Case.filed_at, filters)
    return paging.keyset_page(
        db_session,
        query,
        order=Case.filed_at,
        ident=Case.id,
        sort=filters.sort,
        after=after,
        limit=limit,
    )


def get_open(*, db_session: Session) -> Sequence[Case]:
    """Cases with a step still to take (not closed, not refused)."""
    query = (
        select(Case)
        .where(Case.state.not_in([CaseState.closed, CaseState.refused]))
        .order_by(Case.due_on, Case.id)
    )
    return db_session.scalars(query).all()


def count(*, db_session: Session) -> int:
    return int(db_session.scalar(select(func.count()).select_from(Case)) or 0)


def get_published(*, db_session: Session) -> Sequence[Case]:
    query = select(Case).where(Case.published_at.is_not(None)).order_by(Case.published_at.desc())
    return db_session.scalars(query).all()


def get_events(*, db_session: Session, case_id: int) -> Sequence[CaseEvent]:
    query = select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
    return db_session.scalars(query).all()


def get_files(*, db_session: Session, case_id: int) -> Sequence[CaseFile]:
    query = select(CaseFile).where(CaseFile.case_id == case_id).order_by(CaseFile.id)
    return db_session.scalars(query).all()


def get_links(*, db_session: Session, case_id: int) -> Sequence[CaseLink]:
    query = select(CaseLink).where(CaseLink.case_id == case_id).order_by(CaseLink.id)
    return db_session.scalars(query).all()


def add_links(*, db_session: Session, case: Case, links: list[CaseLink]) -> None:
    """The records linked at intake (links are added once; re-linking adds the new ones)."""
    known = {(link.kind, link.ref) for link in get_links(db_session=db_session, case_id=case.id)}
    for link in links:
        if (link.kind, link.ref) not in known:
            link.case_id = case.id
            db_session.add(link)
            known.add((link.kind, link.ref))
    db_session.flush()


def record_of_party(
    *,
    db_session: Session,
    merchant_id: int | None = None,
    anchor_id: int | None = None,
    platform_id: int | None = None,
) -> list[tuple[Case, list[CaseEvent]]]:
    """The cases naming a party, each with its events in order (two queries): what the
    credit capability reads for complaints upheld and answers given late."""
    query = select(Case).order_by(Case.id)
    if merchant_id is not None:
        query = query.where(Case.merchant_id == merchant_id)
    if anchor_id is not None:
        query = query.where(Case.anchor_id == anchor_id)
    if platform_id is not None:
        query = query.where(Case.platform_id == platform_id)
    cases = list(db_session.scalars(query).all())
    events: dict[int, list[CaseEvent]] = {case.id: [] for case in cases}
    if cases:
        rows = db_session.scalars(
            select(CaseEvent).where(CaseEvent.case_id.in_(list(events))).order_by(CaseEvent.id)
        )
        for event in rows:
            events[event.case_id].append(event)
    return [(case, events[case.id]) for case in cases]


# -- reads for reports -------------------------------------------------------------------


class ComplaintRow(NamedTuple):
    """What a report counts of a case: read as plain rows, not as tracked objects."""

    id: int
    filed_at: datetime
    state: CaseState
    merchant_id: int | None
    anchor_id: int | None
    facts: dict[str, Any]
    summary: str
    ledger_seq: int


def _filed(query: Any, start: datetime, end: datetime, platform_id: int | None) -> Any:
    query = query.where(Case.filed_at >= start, Case.filed_at < end)
    return query if platform_id is None else query.where(Case.platform_id == platform_id)


def filed_between(
    *, db_session: Session, start: datetime, end: datetime, platform_id: int | None = None
) -> list[ComplaintRow]:
    """The cases filed in [start, end), oldest first, as rows."""
    query = _filed(
        select(
            Case.id,
            Case.filed_at,
            Case.state,
            Case.merchant_id,
            Case.anchor_id,
            Case.facts,
            Case.summary,
            Case.ledger_seq,
        ),
        start,
        end,
        platform_id,
    )
    rows = db_session.connection().execute(query.order_by(Case.filed_at, Case.id))
    return [ComplaintRow(*row) for row in rows]


def first_responses(
    *, db_session: Session, start: datetime, end: datetime, platform_id: int | None = None
) -> dict[int, datetime]:
    """When each case filed in [start, end) was first acted on (a state change or a
    party's answer), by case id."""
    query = _filed(
        select(CaseEvent.case_id, func.min(CaseEvent.at))
        .join(Case, Case.id == CaseEvent.case_id)
        .where(CaseEvent.kind.in_([CaseEventKind.state, CaseEventKind.answer])),
        start,
        end,
        platform_id,
    ).group_by(CaseEvent.case_id)
    return {case_id: at for case_id, at in db_session.execute(query).all()}


def amounts(
    *, db_session: Session, start: datetime, end: datetime, platform_id: int | None = None
) -> tuple[int, int]:
    """Fen decided for the consumers of the cases filed in [start, end), and fen paid to
    them (advance compensation)."""
    query = _filed(
        select(CaseEvent.kind, CaseEvent.data)
        .join(Case, Case.id == CaseEvent.case_id)
        .where(CaseEvent.kind.in_([CaseEventKind.decision, CaseEventKind.compensation])),
        start,
        end,
        platform_id,
    )
    decided = paid = 0
    for kind, data in db_session.execute(query).all():
        amount = int(data.get("amount_fen") or 0)
        if kind == CaseEventKind.decision:
            decided += amount
        else:
            paid += amount
    return decided, paid
