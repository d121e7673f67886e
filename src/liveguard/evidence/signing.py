"""Signed checkpoints: a small text note (tree size, root, time) signed with Ed25519.

The note is plain text so that anyone can read what was signed:

    liveguard-checkpoint/v1
    <origin>
    <tree size>
    <root hash, hex>
    <issued at, ISO 8601 UTC>

The same key signs a bundle's file list, under a different first line, so that neither
signature can be passed off as the other.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from liveguard.keystore import load_or_create_key

if TYPE_CHECKING:
    from liveguard.evidence.witness import CheckpointLog

HEADER = "liveguard-checkpoint/v1"
MANIFEST_HEADER = "liveguard-bundle-manifest/v1"
KEY_FILE = "evidence-ed25519.seed"


@dataclass(frozen=True)
class CheckpointBody:
    origin: str
    tree_size: int
    root_hash: bytes
    issued_at: datetime

    def note(self) -> bytes:
        stamp = self.issued_at.isoformat().replace("+00:00", "Z")
        lines = [HEADER, self.origin, str(self.tree_size), self.root_hash.hex(), stamp]
        return ("\n".join(lines) + "\n").encode()

    @classmethod
    def parse(cls, note: bytes) -> CheckpointBody:
        lines = note.decode().split("\n")
        if len(lines) != 6 or lines[0] != HEADER or lines[5] != "":
            raise ValueError("not a LiveGuard checkpoint note")
        issued = datetime.fromisoformat(lines[4].replace("Z", "+00:00"))
        return cls(lines[1], int(lines[2]), bytes.fromhex(lines[3]), issued)


def key_id(public_key: bytes) -> str:
    """A short name for a public key: the first 8 bytes of its SHA-256, hex."""
    return hashlib.sha256(public_key).hexdigest()[:16]


def fingerprint(public_key: bytes) -> str:
    """The SHA-256 of the raw public key, hex in groups of four: what a person compares."""
    digest = hashlib.sha256(public_key).hexdigest()
    return " ".join(digest[i : i + 4] for i in range(0, len(digest), 4))


def manifest_message(manifest: bytes) -> bytes:
    """What is signed for a bundle's manifest: its SHA-256 under a header of its own."""
    return f"{MANIFEST_HEADER}\n{hashlib.sha256(manifest).hexdigest()}\n".encode()


@dataclass(frozen=True)
class Signer:
    """The log's key, and the checkpoint log outside the database that witnesses what it
    signs (``None`` only where nothing signed is kept, as in some tests)."""

    private_key: Ed25519PrivateKey
    witness: CheckpointLog | None = None

    @classmethod
    def from_key_dir(cls, key_dir: Path, *, witness: Path | None = None) -> Signer:
        """The log's key: created on first run, kept as a 0600 file in the key directory."""
        from liveguard.evidence.witness import CheckpointLog

        seed = load_or_create_key(key_dir / KEY_FILE)
        return cls(
            Ed25519PrivateKey.from_private_bytes(seed),
            CheckpointLog(witness) if witness is not None else None,
        )

    @property
    def public_key(self) -> bytes:
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        return self.private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def key_id(self) -> str:
        return key_id(self.public_key)

    def sign(self, body: CheckpointBody) -> bytes:
        return self.private_key.sign(body.note())

    def sign_manifest(self, manifest: bytes) -> bytes:
        return self.private_key.sign(manifest_message(manifest))


def _valid(public_key: bytes, message: bytes, signature: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def verify_signature(public_key: bytes, body: CheckpointBody, signature: bytes) -> bool:
    return _valid(public_key, body.note(), signature)


def verify_manifest(public_key: bytes, manifest: bytes, signature: bytes) -> bool:
    return _valid(public_key, manifest_message(manifest), signature)
