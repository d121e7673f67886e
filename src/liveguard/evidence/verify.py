"""Check an evidence bundle offline: no database, no server, only the file.

Every check becomes a line in plain words, so a judge, a consumer or their lawyer can
see what holds and what does not, not just a yes or no.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from liveguard.evidence import merkle
from liveguard.evidence.bundle import FORMAT
from liveguard.evidence.signing import CheckpointBody, key_id, verify_signature


@dataclass(frozen=True)
class Check:
    ok: bool
    text: str


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)

    def add(self, ok: bool, text: str) -> bool:
        self.checks.append(Check(ok, text))
        return ok

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    def lines(self) -> list[str]:
        marks = [("OK   " if c.ok else "FAIL ") + c.text for c in self.checks]
        verdict = (
            "VERDICT: every item is exactly as the ledger recorded it, in a tree the ledger signed."
            if self.ok
            else "VERDICT: this bundle does NOT prove its contents: see the FAIL lines above."
        )
        return [*marks, verdict]


def _read_json(archive: zipfile.ZipFile, name: str) -> Any:
    return json.loads(archive.read(name).decode("utf-8"))


def verify_bundle(path: Path, *, pinned_key: str | None = None) -> Report:
    report = Report()
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        report.add(False, f"the file cannot be opened as a zip archive ({error})")
        return report
    with archive:
        names = set(archive.namelist())
        missing = {"manifest.json", "checkpoint.json", "public-key.txt"} - names
        if missing:
            report.add(False, f"the bundle lacks {', '.join(sorted(missing))}")
            return report
        manifest = _read_json(archive, "manifest.json")
        if manifest.get("format") != FORMAT:
            report.add(False, f"unknown bundle format {manifest.get('format')!r}")
            return report
        body = _check_checkpoint(archive, report, pinned_key)
        if body is None:
            return report
        listed = {int(item["seq"]) for item in manifest.get("items", [])}
        for seq in sorted(listed):
            _check_item(archive, names, report, body, seq)
        extra = sorted(
            n
            for n in names
            if n.startswith("items/")
            and n.removeprefix("items/").removesuffix(".json").isdigit()
            and int(n.removeprefix("items/").removesuffix(".json")) not in listed
        )
        if extra:
            report.add(False, f"the bundle holds items not in its manifest: {', '.join(extra)}")
        _check_blobs(archive, names, report)
    return report


def _check_checkpoint(
    archive: zipfile.ZipFile, report: Report, pinned_key: str | None
) -> CheckpointBody | None:
    public_key_hex = archive.read("public-key.txt").decode().strip()
    try:
        public_key = bytes.fromhex(public_key_hex)
    except ValueError:
        report.add(False, "public-key.txt is not a hex key")
        return None
    if pinned_key is not None and pinned_key.strip().lower() != public_key_hex.lower():
        report.add(
            False,
            f"the bundle's key {key_id(public_key)} is not the key you gave "
            f"({key_id(bytes.fromhex(pinned_key.strip()))})",
        )
        return None
    checkpoint = _read_json(archive, "checkpoint.json")
    try:
        body = CheckpointBody.parse(checkpoint["note"].encode())
        signature = bytes.fromhex(checkpoint["signature"])
    except (KeyError, ValueError) as error:
        report.add(False, f"the checkpoint cannot be read ({error})")
        return None
    if not verify_signature(public_key, body, signature):
        report.add(
            False,
            "the checkpoint's signature does not match its text: it was altered "
            "or signed by another key",
        )
        return None
    source = "the key you gave" if pinned_key else "the key in the bundle (compare it with "
    source += "" if pinned_key else "the operator's published key)"
    report.add(
        True,
        f"checkpoint of log {body.origin!r} at {body.tree_size} items, root "
        f"{body.root_hash.hex()[:16]}..., issued {body.issued_at.isoformat()}, "
        f"signed by key {key_id(public_key)}: {source}",
    )
    return body


def _check_item(
    archive: zipfile.ZipFile, names: set[str], report: Report, body: CheckpointBody, seq: int
) -> None:
    item_name, proof_name = f"items/{seq}.json", f"proofs/{seq}.json"
    if item_name not in names or proof_name not in names:
        report.add(False, f"item {seq} is listed but its record or proof is missing")
        return
    data = archive.read(item_name)
    proof = _read_json(archive, proof_name)
    leaf_hash = merkle.hash_leaf(data)
    if proof.get("seq") != seq or proof.get("tree_size") != body.tree_size:
        report.add(
            False,
            f"item {seq}: its proof is for item {proof.get('seq')} in a tree of "
            f"{proof.get('tree_size')} items, not this one",
        )
        return
    if proof.get("leaf_hash") != leaf_hash.hex():
        report.add(False, f"item {seq}: its content differs from what the ledger recorded")
        return
    try:
        merkle.verify_inclusion(
            seq,
            body.tree_size,
            leaf_hash,
            [bytes.fromhex(h) for h in proof.get("path", [])],
            body.root_hash,
        )
    except merkle.RootMismatch:
        report.add(False, f"item {seq}: its proof does not lead to the signed root")
        return
    except (merkle.ProofError, ValueError) as error:
        report.add(False, f"item {seq}: its proof is malformed ({error})")
        return
    kind = json.loads(data).get("kind", "item")
    report.add(True, f"item {seq} ({kind}) is in the signed log, unchanged")


def _check_blobs(archive: zipfile.ZipFile, names: set[str], report: Report) -> None:
    referenced: set[str] = set()
    for name in names:
        if name.startswith("items/"):
            referenced.update(json.loads(archive.read(name)).get("blobs", {}).values())
    for sha256 in sorted(referenced):
        blob_name = f"blobs/{sha256}"
        if blob_name not in names:
            report.add(False, f"file {sha256[:16]}... named by an item is missing")
        elif hashlib.sha256(archive.read(blob_name)).hexdigest() != sha256:
            report.add(
                False,
                f"file {sha256[:16]}... has been altered: it no longer matches "
                "the hash its item recorded",
            )
        else:
            report.add(True, f"file {sha256[:16]}... matches the hash its item recorded")
