"""Console pages for the evidence ledger: its state, and "verify this item"."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from liveguard.errors import NotFound
from liveguard.evidence import canonical, merkle
from liveguard.evidence import service as ledger
from liveguard.evidence.models import Checkpoint
from liveguard.evidence.signing import verify_signature
from liveguard.web.console import PageStaff, render
from liveguard.web.deps import DbSession

router = APIRouter(include_in_schema=False)


@router.get("/console/evidence", response_class=HTMLResponse)
def evidence_page(
    request: Request, principal: PageStaff, db_session: DbSession, item: int | None = None
):
    signer = request.app.state.signer
    size, root = ledger.current_root(db_session=db_session)
    checkpoint = ledger.latest_checkpoint(db_session=db_session)
    signed = checkpoint is not None and verify_signature(
        signer.public_key, ledger.checkpoint_body(checkpoint), bytes(checkpoint.signature)
    )
    return render(
        request,
        "evidence.html",
        principal,
        size=size,
        root=root.hex(),
        checkpoint=checkpoint,
        signed=signed,
        key_id=signer.key_id,
        public_key=signer.public_key.hex(),
        item=item,
        result=_verify_item(db_session, item, checkpoint) if item is not None else None,
    )


def _verify_item(db_session: Session, seq: int, checkpoint: Checkpoint | None) -> dict[str, Any]:
    """Each check on one item, as a person would want it spelled out."""
    try:
        leaf = ledger.get_item(db_session=db_session, seq=seq)
    except NotFound:
        return {"found": False, "checks": [(False, f"the ledger has no item {seq}")]}
    checks = [
        (
            ledger.item_intact(leaf),
            "the stored record still hashes to the hash the ledger recorded"
            if ledger.item_intact(leaf)
            else "the stored record has been altered since it was recorded",
        )
    ]
    if checkpoint is None or seq >= checkpoint.tree_size:
        checks.append((False, "no checkpoint covers this item yet: issue one first"))
    else:
        path = ledger.inclusion_proof(db_session=db_session, seq=seq, size=checkpoint.tree_size)
        try:
            merkle.verify_inclusion(
                seq,
                checkpoint.tree_size,
                merkle.hash_leaf(leaf.data.encode()),
                path,
                bytes(checkpoint.root_hash),
            )
            checks.append(
                (
                    True,
                    f"its inclusion proof ({len(path)} hashes) leads to the root "
                    f"signed in checkpoint {checkpoint.id} "
                    f"({checkpoint.tree_size} items)",
                )
            )
        except merkle.ProofError:
            checks.append(
                (
                    False,
                    f"its inclusion proof does not lead to the root signed in "
                    f"checkpoint {checkpoint.id}: the log was altered",
                )
            )
    return {
        "found": True,
        "leaf": leaf,
        "record": canonical.decode(leaf.data.encode()),
        "checks": checks,
    }
