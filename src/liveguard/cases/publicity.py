"""What leaves the case file: the consumer's evidence bundle and the anonymised public
record (complaint publicity, 消费投诉信息公示).

The bundle holds the complaint, every step of the case, the linked utterances, chat,
findings, listing versions and order, and the consumer's files, each with its inclusion
proof to a signed checkpoint: ``liveguard verify`` checks it offline. The public record
names the merchant and how the case ended; never the consumer or her words.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from liveguard.blobs import BlobStore
from liveguard.cases import handling, service, workflow
from liveguard.cases.enums import CaseEventKind, CaseState
from liveguard.cases.models import Case
from liveguard.cases.schemas import PublicCase
from liveguard.clock import CHINA
from liveguard.errors import Conflict
from liveguard.evidence import bundle
from liveguard.evidence import service as ledger
from liveguard.evidence.signing import Signer
from liveguard.parties import service as parties_service

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


def publish(*, db_session: Session, case: Case, actor: str, now: datetime) -> Case:
    """Publish the anonymised record (once the case is decided)."""
    if case.state not in PUBLISHABLE:
        raise Conflict(
            f"a case in state {case.state.value} is not ready to publish",
            field_name="case",
            fix="publish once a decision is recorded",
        )
    if case.published_at is None:
        case.published_at = now
        service.add_event(
            db_session=db_session,
            case=case,
            kind=CaseEventKind.publicity,
            actor=actor,
            party_role="staff",
            now=now,
            data={
                "public": public_record(db_session=db_session, case=case).model_dump(mode="json")
            },
        )
    return case


def public_record(*, db_session: Session, case: Case) -> PublicCase:
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
    return PublicCase(
        id=case.id,
        kind=case.kind,
        state=case.state,
        merchant=merchant.name if merchant else None,
        shop_name=merchant.shop_name if merchant else None,
        platform=platform.name if platform else None,
        category=case.facts.get("category"),
        filed_on=case.filed_at.astimezone(CHINA).date(),
        closed_on=case.closed_at.astimezone(CHINA).date() if case.closed_at else None,
        liable_roles=sorted({p["role"] for p in case.resolution.get("parties", [])}),
        outcome=decision.text if decision else None,
    )
