"""Check an evidence bundle offline: no database, no server, only the file.

Every check becomes a line in plain words (Chinese by default, English on request; the
sentences are in data/labels.yaml, kind ``cli.verify``), so a judge, a consumer or their lawyer can
see what holds and what does not, not just a yes or no. A bundle is genuine only when
its key is one the person checking trusts (the key they gave, or one they pinned after
comparing its fingerprint with the platform's published one): a bundle that checks out
against a key nobody vouched for proves nothing, and the verdict says so.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from liveguard import labels
from liveguard.clock import CHINA
from liveguard.evidence import merkle, pins
from liveguard.evidence.bundle import FORMAT
from liveguard.evidence.signing import CheckpointBody, fingerprint, key_id, verify_manifest
from liveguard.evidence.signing import verify_signature as verify_checkpoint

SIGNED_SEPARATELY = {"manifest.json", "manifest.sig"}  # the manifest lists the others
WORDS = "cli.verify"


@dataclass(frozen=True)
class TrustedKeys:
    """The keys the person checking trusts, and in words where they come from."""

    keys: frozenset[bytes]
    source: str  # a sentence of cli.verify
    given: bool = False  # named on the command line: a bundle under any other is refused
    path: str = ""

    @classmethod
    def given_key(cls, key_hex: str) -> TrustedKeys:
        return cls(frozenset({pins.parse_key(key_hex)}), "source_given", given=True)

    @classmethod
    def pinned(cls, path: Path) -> TrustedKeys:
        keys = pins.read(path)
        return cls(frozenset(keys), "source_pinned", path=str(path))

    def said(self, lang: labels.Lang) -> str:
        return labels.say(WORDS, self.source, lang, path=self.path)


@dataclass(frozen=True)
class Check:
    """One check: its sentence in cli.verify and the slots the sentence names."""

    ok: bool
    code: str
    slots: dict[str, object] = field(default_factory=dict)

    def text(self, lang: labels.Lang = "zh") -> str:
        slots = {k: v(lang) if callable(v) else v for k, v in self.slots.items()}
        return labels.say(WORDS, self.code, lang, **slots)


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)
    unverified_signer: bool = False

    def add(self, ok: bool, code: str, **slots: object) -> bool:
        self.checks.append(Check(ok, code, slots))
        return ok

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    def lines(self, lang: labels.Lang = "zh") -> list[str]:
        marks = [
            labels.say(WORDS, "ok_mark" if c.ok else "fail_mark", lang) + c.text(lang)
            for c in self.checks
        ]
        failures = sum(not c.ok for c in self.checks)
        if self.ok:
            verdict = "verdict_ok"
        elif self.unverified_signer and failures == 1:
            verdict = "verdict_unverified"
        else:
            verdict = "verdict_fail"
        return [*marks, labels.say(WORDS, verdict, lang)]


class _Bundle:
    """The archive's files by name: folder entries skipped, and one enclosing folder
    (a bundle unzipped into a folder and zipped again as that folder) taken off."""

    def __init__(self, archive: zipfile.ZipFile, report: Report) -> None:
        self.archive = archive
        infos = [info for info in archive.infolist() if not info.is_dir()]
        prefix = ""
        if all("/" in info.filename for info in infos):
            tops = {info.filename.split("/", 1)[0] for info in infos}
            if len(tops) == 1:
                prefix = f"{tops.pop()}/"
        self.files: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            name = info.filename.removeprefix(prefix)
            if name in self.files:
                report.add(False, "duplicate_file", name=name)
            self.files[name] = info

    def read(self, name: str) -> bytes:
        return self.archive.read(self.files[name])

    def json(self, name: str) -> Any:
        return json.loads(self.read(name).decode("utf-8"))


def verify_bundle(path: Path, *, trusted: TrustedKeys | None = None) -> Report:
    """Check the bundle at ``path``; genuine only under a key in ``trusted``."""
    report = Report()
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        report.add(False, "not_a_zip", error=error)
        return report
    with archive:
        try:
            _verify(_Bundle(archive, report), report, trusted)
        except (ValueError, KeyError, TypeError, AttributeError, zipfile.BadZipFile) as error:
            report.add(False, "malformed", error=f"{type(error).__name__}: {error}")
    return report


def _verify(bundle: _Bundle, report: Report, trusted: TrustedKeys | None) -> None:
    missing = {"manifest.json", "manifest.sig", "checkpoint.json", "public-key.txt"}
    missing -= set(bundle.files)
    if missing:
        report.add(False, "lacks", names=", ".join(sorted(missing)))
        return
    manifest = bundle.json("manifest.json")
    if manifest.get("format") != FORMAT:
        report.add(False, "old_format", found=repr(manifest.get("format")), wanted=repr(FORMAT))
        return
    public_key = _check_key(bundle, report, trusted)
    if public_key is None:
        return
    if verify_manifest(public_key, bundle.read("manifest.json"), _signature(bundle)):
        report.add(True, "manifest_signed")
    else:
        report.add(False, "manifest_unsigned")
    _check_files(bundle, report, manifest.get("files", {}))
    body = _check_checkpoint(bundle, report, public_key)
    if body is None:
        return
    for seq in sorted({int(item["seq"]) for item in manifest.get("items", [])}):
        _check_item(bundle, report, body, seq)
    _check_blobs(bundle, report)


def _signature(bundle: _Bundle) -> bytes:
    try:
        return bytes.fromhex(bundle.read("manifest.sig").decode().strip())
    except ValueError:
        return b""


def _check_key(bundle: _Bundle, report: Report, trusted: TrustedKeys | None) -> bytes | None:
    """The bundle's key, and a line saying whether the person checking trusts it."""
    try:
        public_key = pins.parse_key(bundle.read("public-key.txt").decode())
    except ValueError as error:
        report.add(False, "bad_key_file", error=error)
        return None
    if trusted is not None and trusted.given and public_key not in trusted.keys:
        (given,) = trusted.keys
        report.add(False, "not_given_key", found=key_id(public_key), given=key_id(given))
        return None
    if trusted is not None and public_key in trusted.keys:
        report.add(
            True, "signed_by_trusted", fingerprint=fingerprint(public_key), source=trusted.said
        )
        return public_key
    report.unverified_signer = True
    report.add(
        False,
        "unverified",
        fingerprint=fingerprint(public_key),
        source=trusted.said if trusted else lambda lang: labels.say(WORDS, "source_none", lang),
        key=public_key.hex(),
    )
    return public_key


def _check_files(bundle: _Bundle, report: Report, listed: dict[str, str]) -> None:
    """Every file the signed manifest lists is there, unchanged, and nothing else is."""
    problems = 0
    for name, sha256 in sorted(listed.items()):
        if name not in bundle.files:
            problems += not report.add(False, "file_missing", name=name)
        elif hashlib.sha256(bundle.read(name)).hexdigest() != sha256:
            problems += not report.add(False, "file_changed", name=name)
    added = sorted(set(bundle.files) - set(listed) - SIGNED_SEPARATELY)
    if added:
        problems += not report.add(False, "files_added", names=", ".join(added))
    if not problems:
        report.add(True, "files_ok", count=len(listed))


def _check_checkpoint(bundle: _Bundle, report: Report, public_key: bytes) -> CheckpointBody | None:
    checkpoint = bundle.json("checkpoint.json")
    try:
        body = CheckpointBody.parse(checkpoint["note"].encode())
        signature = bytes.fromhex(checkpoint["signature"])
    except (KeyError, ValueError) as error:
        report.add(False, "checkpoint_unreadable", error=error)
        return None
    if not verify_checkpoint(public_key, body, signature):
        report.add(False, "checkpoint_bad_signature")
        return None
    report.add(
        True,
        "checkpoint_ok",
        origin=repr(body.origin),
        size=body.tree_size,
        root=body.root_hash.hex()[:16],
        issued=lambda lang: _beijing(body.issued_at, lang),
        key=key_id(public_key),
    )
    return body


def _check_item(bundle: _Bundle, report: Report, body: CheckpointBody, seq: int) -> None:
    item_name, proof_name = f"items/{seq}.json", f"proofs/{seq}.json"
    if item_name not in bundle.files or proof_name not in bundle.files:
        report.add(False, "item_incomplete", seq=seq)
        return
    data = bundle.read(item_name)
    proof = bundle.json(proof_name)
    leaf_hash = merkle.hash_leaf(data)
    if proof.get("seq") != seq or proof.get("tree_size") != body.tree_size:
        report.add(
            False,
            "item_wrong_proof",
            seq=seq,
            proof_seq=proof.get("seq"),
            proof_size=proof.get("tree_size"),
        )
        return
    if proof.get("leaf_hash") != leaf_hash.hex():
        report.add(False, "item_changed", seq=seq)
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
        report.add(False, "item_off_root", seq=seq)
        return
    except (merkle.ProofError, ValueError) as error:
        report.add(False, "item_bad_proof", seq=seq, error=error)
        return
    kind = str(json.loads(data).get("kind", "item"))
    report.add(
        True,
        "item_ok",
        seq=seq,
        kind=lambda lang: labels.label(kind, "evidence.RecordKind", lang),
    )


def _check_blobs(bundle: _Bundle, report: Report) -> None:
    referenced: set[str] = set()
    for name in bundle.files:
        if name.startswith("items/"):
            referenced.update(bundle.json(name).get("blobs", {}).values())
    for sha256 in sorted(referenced):
        blob_name = f"blobs/{sha256}"
        if blob_name not in bundle.files:
            report.add(False, "blob_missing", sha=sha256[:16])
        elif hashlib.sha256(bundle.read(blob_name)).hexdigest() != sha256:
            report.add(False, "blob_changed", sha=sha256[:16])
        else:
            report.add(True, "blob_ok", sha=sha256[:16])


def _beijing(moment: datetime, lang: labels.Lang) -> str:
    """A checkpoint's time as the console shows times: Beijing time, named."""
    shown = moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")
    return f"{shown} 北京时间" if lang == "zh" else f"{shown} Beijing time"
