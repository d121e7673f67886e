"""What leaves the case file: the consumer's evidence bundle and the anonymised public
record (complaint publicity, 消费投诉信息公示).

The bundle holds the complaint, every step of the case, the linked utterances, chat,
findings, listing versions and order, and the consumer's files, each with its inclusion
proof to a signed checkpoint: ``liveguard verify`` checks it offline. The public record
names the merchant and how the case ended as staff decided it; never the consumer or her
words, and no text in it goes out without the personal-information scrub. Staff preview
the record and confirm that version; the confirmed record is what stays public.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from sqlalchemy.orm import Session

from liveguard.blobs import BlobStore
from liveguard.cases import handling, refusals, service, workflow
from liveguard.cases.enums import CaseEventKind, CaseState
from liveguard.cases.models import Case
from liveguard.cases.schemas import PublicationRead, PublicCase
from liveguard.clock import CHINA
from liveguard.detect import service as detect_service
from liveguard.evidence import bundle
from liveguard.evidence import service as ledger
from liveguard.evidence.signing import Signer
from liveguard.labels import label
from liveguard.parties import service as parties_service
from liveguard.privacy import service as privacy_service

PUBLISHABLE = frozenset({CaseState.decided, CaseState.compensated, CaseState.closed})


def bundle_seqs(*, db_session: Session, case: Case) -> list[int]:
    seqs = {case.ledger_seq}
    seqs.update(e.ledger_seq for e in service.get_events(db_session=db_session, case_id=case.id))
    seqs.update(f.ledger_seq for f in service.get_files(db_session=db_session, case_id=case.id))
    for link in service.get_links(db_session=db_session, case_id=case.id):
        if link.ledger_seq is not None:
            seqs.add(link.ledger_seq)
    return sorted(s for s in seqs if s >= 0)


def export_bundle(
    *, db_session: Session, case: Case, blobs: BlobStore, signer: Signer, origin: str
) -> bytes:
    """The case's evidence as one verifiable zip, against a checkpoint that covers it."""
    seqs = bundle_seqs(db_session=db_session, case=case)
    checkpoint = ledger.checkpoint_covering(
        db_session=db_session, signer=signer, seq=seqs[-1], origin=origin
    )
    return bundle.export(
        db_session=db_session,
        seqs=seqs,
        blobs=blobs,
        signer=signer,
        checkpoint=checkpoint,
        title=workflow.workflow().texts.bundle_title.format(case_id=case.id),
    )


def draft(*, db_session: Session, case: Case) -> PublicationRead:
    """The public record as publishing it now would publish it: the staff decision, and
    every text scrubbed of personal data, with what was masked and the digest to confirm."""
    record = _record(db_session=db_session, case=case)
    masked: list[str] = []
    fields: dict[str, str] = {
        name: value for name, value in record.model_dump().items() if type(value) is str
    }
    for (name, _), scrubbed in zip(
        fields.items(), detect_service.scrub_many(list(fields.values())), strict=True
    ):
        setattr(record, name, scrubbed.text)
        masked += [f"{name}: {span.rule}" for span in scrubbed.spans]
    masked += _masked_at_rest(db_session, case)
    canonical = json.dumps(record.model_dump(mode="json"), ensure_ascii=False, sort_keys=True)
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    return PublicationRead(record=record, masked=masked, digest=digest)


def _masked_at_rest(db_session: Session, case: Case) -> list[str]:
    """What was masked in the decision's words when they were stored (staff preview what
    the record leaves out, though the table holds the masked words only): read from the
    sealed original in memory, never shown."""
    decision = handling.decision_of(db_session=db_session, case=case)
    if decision is None or not decision.text_enc:
        return []
    typed = privacy_service.open_text(
        cipher=privacy_service.cipher_of(db_session),
        text=decision.text,
        enc=decision.text_enc,
        context=service.TEXT_CONTEXT,
    )
    return [f"outcome: {span.rule}" for span in detect_service.scrub(typed).spans]


def publish(
    *, db_session: Session, case: Case, confirm: str, actor: str, now: datetime
) -> PublicCase:
    """Publish the anonymised record staff previewed (``confirm`` is its digest), once
    the case is decided. What is published is kept as it was confirmed."""
    if case.published_at is not None:
        return public_record(db_session=db_session, case=case)
    if case.state not in PUBLISHABLE:
        raise refusals.conflict("case", "not_publishable", state=label(case.state))
    publication = draft(db_session=db_session, case=case)
    if confirm != publication.digest:
        raise refusals.conflict("confirm", "not_previewed", case_id=case.id)
    case.published_at = now
    service.add_event(
        db_session=db_session,
        case=case,
        kind=CaseEventKind.publicity,
        actor=actor,
        party_role="staff",
        now=now,
        data={"public": publication.record.model_dump(mode="json"), "digest": confirm},
    )
    return publication.record


def public_record(*, db_session: Session, case: Case) -> PublicCase:
    """What the public sees of a published case: the record as staff confirmed it (the
    case's later steps, a reopened decision included, do not rewrite it unseen)."""
    published = [
        e
        for e in service.get_events(db_session=db_session, case_id=case.id)
        if e.kind is CaseEventKind.publicity and "public" in e.data
    ]
    if not published:
        return draft(db_session=db_session, case=case).record
    record = PublicCase.model_validate(published[-1].data["public"])
    # a record confirmed before texts were scrubbed is scrubbed as it is shown
    if record.outcome is not None:
        record.outcome = detect_service.scrub(record.outcome).text
    return record


def _record(*, db_session: Session, case: Case) -> PublicCase:
    merchant = (
        parties_service.get_merchant(db_session=db_session, merchant_id=case.merchant_id)
        if case.merchant_id
        else None
    )
    platform = (
        parties_service.get_platform(db_session=db_session, platform_id=case.platform_id)
        if case.platform_id
        else None
    )
    decision = handling.decision_of(db_session=db_session, case=case)
    # whom staff found liable; the engine's answer only where staff named nobody else
    liable = list((decision.data.get("liable") or []) if decision else [])
    if not liable:
        liable = [p["role"] for p in case.resolution.get("parties", [])]
    owed = decision.data.get("amount_fen") if decision else None
    return PublicCase(
        id=case.id,
        kind=case.kind,
        state=case.state,
        merchant=merchant.name if merchant else None,
        shop_name=merchant.shop_name if merchant else None,
        merchant_id=merchant.id if merchant else None,
        platform=platform.name if platform else None,
        category=case.facts.get("category"),
        filed_on=case.filed_at.astimezone(CHINA).date(),
        closed_on=case.closed_at.astimezone(CHINA).date() if case.closed_at else None,
        liable_roles=sorted(set(liable)),
        owed_fen=int(owed) if owed is not None else None,
        outcome=decision.text if decision else None,
    )
