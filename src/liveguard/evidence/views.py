"""Ledger routes. Checkpoints and the public key are public: anyone may verify."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import Response
from pydantic import BaseModel, Field

from liveguard.bounds import INT64_MAX, Id, Seq
from liveguard.errors import NotFound
from liveguard.evidence import bundle, canonical, subjects
from liveguard.evidence import service as ledger
from liveguard.evidence.schemas import (
    CheckpointRead,
    ConsistencyProofRead,
    InclusionProofRead,
    ItemRead,
    PublicKeyRead,
    RecordIn,
)
from liveguard.evidence.signing import fingerprint
from liveguard.web.deps import Admin, AnyStaff, Blobs, Compliance, DbSession, LogSigner

router = APIRouter(prefix="/evidence", tags=["evidence"])


class AppendIn(BaseModel):
    records: list[RecordIn] = Field(min_length=1, max_length=10_000)


class AppendedRead(BaseModel):
    seq: Seq
    leaf_hash: str


@router.post("/items", status_code=status.HTTP_201_CREATED, response_model=list[AppendedRead])
def append_items(_: Compliance, append_in: AppendIn, db_session: DbSession) -> list[AppendedRead]:
    """Record items (for integrations; capabilities append through the service)."""
    appended = ledger.append(db_session=db_session, records=append_in.records)
    return [AppendedRead(seq=a.seq, leaf_hash=a.leaf_hash.hex()) for a in appended]


@router.get("/items/{seq}", response_model=ItemRead)
def read_item(_: AnyStaff, seq: Seq, db_session: DbSession) -> ItemRead:
    leaf = ledger.get_item(db_session=db_session, seq=seq)
    record = canonical.decode(leaf.data.encode())
    sealed = record.get("personal")
    personal = subjects.open_sealed(db_session=db_session, sealed=sealed) if sealed else None
    return ItemRead(
        seq=leaf.seq,
        kind=leaf.kind,
        recorded_at=leaf.recorded_at,
        leaf_hash=bytes(leaf.leaf_hash).hex(),
        record=record,
        intact=ledger.item_intact(leaf),
        personal=personal,
        personal_erased=bool(sealed) and personal is None,
    )


class ErasureIn(BaseModel):
    reason: str = Field(
        min_length=5,
        max_length=500,
        description="the ground under 个人信息保护法 art. 47, e.g. the request id",
    )


class ErasureRead(BaseModel):
    subject: str
    erased_at: datetime
    reason: str


@router.post("/subjects/{subject_ref}/erase", response_model=ErasureRead)
def erase_subject(
    _: Admin, subject_ref: str, erasure: ErasureIn, db_session: DbSession
) -> ErasureRead:
    """Destroy a person's ledger key: their sealed fields become unreadable for good,
    while every item, hash and proof stays verifiable."""
    key = subjects.erase(db_session=db_session, subject_ref=subject_ref, reason=erasure.reason)
    return ErasureRead(
        subject=key.subject_ref, erased_at=key.erased_at, reason=key.erasure_reason or ""
    )


@router.get("/items/{seq}/inclusion", response_model=InclusionProofRead)
def inclusion(
    _: AnyStaff,
    seq: Seq,
    db_session: DbSession,
    tree_size: Annotated[
        int | None, Query(ge=1, le=INT64_MAX, description="default: latest checkpoint")
    ] = None,
) -> InclusionProofRead:
    if tree_size is None:
        latest = ledger.latest_checkpoint(db_session=db_session)
        if latest is None:
            raise NotFound("checkpoint", "latest")
        tree_size = latest.tree_size
    leaf = ledger.get_item(db_session=db_session, seq=seq)
    path = ledger.inclusion_proof(db_session=db_session, seq=seq, size=tree_size)
    return InclusionProofRead(
        seq=seq,
        tree_size=tree_size,
        leaf_hash=bytes(leaf.leaf_hash).hex(),
        path=[p.hex() for p in path],
    )


@router.get("/consistency", response_model=ConsistencyProofRead)
def consistency(
    first: Annotated[int, Query(ge=0, le=INT64_MAX)],
    second: Annotated[int, Query(ge=1, le=INT64_MAX)],
    db_session: DbSession,
) -> ConsistencyProofRead:
    """Public: anyone holding an old checkpoint can check the log only grew since."""
    proof = ledger.consistency_proof(db_session=db_session, first=first, second=second)
    return ConsistencyProofRead(first=first, second=second, proof=[p.hex() for p in proof])


@router.get("/checkpoints/latest", response_model=CheckpointRead)
def latest_checkpoint(db_session: DbSession) -> CheckpointRead:
    checkpoint = ledger.latest_checkpoint(db_session=db_session)
    if checkpoint is None:
        raise NotFound("checkpoint", "latest")
    return ledger.checkpoint_read(checkpoint)


@router.get("/checkpoints/{checkpoint_id}", response_model=CheckpointRead)
def read_checkpoint(checkpoint_id: Id, db_session: DbSession) -> CheckpointRead:
    return ledger.checkpoint_read(
        ledger.get_checkpoint(db_session=db_session, checkpoint_id=checkpoint_id)
    )


@router.post("/checkpoints", status_code=status.HTTP_201_CREATED, response_model=CheckpointRead)
def issue_checkpoint(_: Compliance, db_session: DbSession, signer: LogSigner) -> CheckpointRead:
    return ledger.checkpoint_read(ledger.issue_checkpoint(db_session=db_session, signer=signer))


class BundleIn(BaseModel):
    seqs: list[Seq] = Field(min_length=1, max_length=bundle.MAX_ITEMS)
    title: str = Field(default="LiveGuard evidence", min_length=1, max_length=200)


@router.post(
    "/bundles", response_class=Response, responses={200: {"content": {"application/zip": {}}}}
)
def export_bundle(
    _: AnyStaff, bundle_in: BundleIn, db_session: DbSession, signer: LogSigner, blobs: Blobs
) -> Response:
    """One zip holding the items, their files, proofs and a signed checkpoint.

    Uses the latest checkpoint, or signs one when the items are newer (the log has grown).
    """
    checkpoint = ledger.checkpoint_covering(
        db_session=db_session, signer=signer, seq=max(bundle_in.seqs)
    )
    content = bundle.export(
        db_session=db_session,
        seqs=bundle_in.seqs,
        blobs=blobs,
        signer=signer,
        checkpoint=checkpoint,
        title=bundle_in.title,
    )
    filename = f"liveguard-evidence-{checkpoint.tree_size}.zip"
    return Response(
        content,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/public-key", response_model=PublicKeyRead)
def public_key(signer: LogSigner) -> PublicKeyRead:
    return PublicKeyRead(
        key_id=signer.key_id,
        public_key=signer.public_key.hex(),
        fingerprint=fingerprint(signer.public_key),
    )
