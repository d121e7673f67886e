"""Evidence bundles: one zip file that anyone can check offline.

Layout (all text is UTF-8):

    README.md              what this is and how to check it, for a judge
    manifest.json          the items, every other file with its SHA-256, the format version
    manifest.sig           the log key's Ed25519 signature of manifest.json (hex), so no
                           file can be dropped, added or changed unnoticed, README included
    checkpoint.json        the signed note, its signature, the key id
    public-key.txt         the log's Ed25519 public key, hex
    items/<seq>.json       each item's canonical bytes, exactly as the ledger hashed them
    proofs/<seq>.json      each item's inclusion proof to the checkpoint's tree
    blobs/<sha256>         every file an item refers to, named by its SHA-256
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Sequence
from importlib import resources

from sqlalchemy.orm import Session

from liveguard.blobs import BlobStore
from liveguard.errors import InvalidInput
from liveguard.evidence import canonical
from liveguard.evidence import service as ledger
from liveguard.evidence.models import Checkpoint
from liveguard.evidence.signing import Signer

FORMAT = "liveguard-evidence-bundle/v2"
MAX_ITEMS = 10_000


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")


def export(
    *,
    db_session: Session,
    seqs: Sequence[int],
    blobs: BlobStore,
    signer: Signer,
    checkpoint: Checkpoint,
    title: str,
) -> bytes:
    """The zip for ``seqs``, proved against ``checkpoint`` (which must cover them all)."""
    wanted = sorted(set(seqs))
    if not wanted:
        raise InvalidInput("seqs", "a bundle needs at least one item")
    if len(wanted) > MAX_ITEMS:
        raise InvalidInput("seqs", f"at most {MAX_ITEMS} items per bundle")
    if wanted[-1] >= checkpoint.tree_size:
        raise InvalidInput(
            "seqs",
            f"item {wanted[-1]} is newer than checkpoint {checkpoint.id} "
            f"(size {checkpoint.tree_size})",
            "issue a new checkpoint first",
        )
    body = ledger.checkpoint_body(checkpoint)
    files: dict[str, bytes] = {}
    manifest_items = []
    for seq in wanted:
        leaf = ledger.get_item(db_session=db_session, seq=seq)
        data = leaf.data.encode("utf-8")
        record = canonical.decode(data)
        path = ledger.inclusion_proof(db_session=db_session, seq=seq, size=checkpoint.tree_size)
        files[f"items/{seq}.json"] = data
        files[f"proofs/{seq}.json"] = _json(
            {
                "seq": seq,
                "tree_size": checkpoint.tree_size,
                "leaf_hash": bytes(leaf.leaf_hash).hex(),
                "path": [p.hex() for p in path],
            }
        )
        for sha256 in sorted(set(record.get("blobs", {}).values())):
            if f"blobs/{sha256}" not in files:
                files[f"blobs/{sha256}"] = blobs.get(sha256)
        manifest_items.append(
            {
                "seq": seq,
                "kind": leaf.kind,
                "occurred_at": record.get("occurred_at"),
                "blobs": record.get("blobs", {}),
            }
        )
    files["checkpoint.json"] = _json(
        {
            "note": body.note().decode(),
            "signature": bytes(checkpoint.signature).hex(),
            "key_id": checkpoint.key_id,
        }
    )
    files["public-key.txt"] = (signer.public_key.hex() + "\n").encode()
    readme = resources.files(__package__).joinpath("bundle_readme.md").read_text("utf-8")
    files["README.md"] = readme.replace("{{title}}", title).encode("utf-8")
    manifest = _json(
        {
            "format": FORMAT,
            "title": title,
            "origin": checkpoint.origin,
            "tree_size": checkpoint.tree_size,
            "items": manifest_items,
            "files": {name: hashlib.sha256(content).hexdigest() for name, content in files.items()},
        }
    )
    files["manifest.json"] = manifest
    files["manifest.sig"] = (signer.sign_manifest(manifest).hex() + "\n").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()
