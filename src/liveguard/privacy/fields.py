"""Encrypted personal fields with a blind index for exact lookups.

A personal field (an ID number, a phone number) is stored twice: AES-256-GCM
ciphertext that only the service can open, and an HMAC-SHA256 "blind index" so a
duplicate or a lookup by value needs no decryption. The database alone reveals neither.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from liveguard.keystore import load_or_create_key

NONCE_BYTES = 12


@dataclass(frozen=True)
class FieldCipher:
    encryption_key: bytes
    index_key: bytes

    @classmethod
    def from_key_dir(cls, key_dir: Path) -> FieldCipher:
        return cls(
            encryption_key=load_or_create_key(key_dir / "field-encryption.key"),
            index_key=load_or_create_key(key_dir / "field-index.key"),
        )

    def encrypt(self, plaintext: str, *, context: str) -> str:
        """Ciphertext bound to ``context`` (e.g. ``anchor.id_number``) so it can't be moved."""
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(self.encryption_key).encrypt(nonce, plaintext.encode(), context.encode())
        return base64.urlsafe_b64encode(nonce + sealed).decode()

    def decrypt(self, token: str, *, context: str) -> str:
        raw = base64.urlsafe_b64decode(token.encode())
        return (
            AESGCM(self.encryption_key)
            .decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode())
            .decode()
        )

    def blind_index(self, value: str, *, context: str) -> str:
        return hmac.new(
            self.index_key, f"{context}\x00{value}".encode(), hashlib.sha256
        ).hexdigest()
