"""Encrypted personal fields with a blind index for exact lookups, and a key ring so the
encryption key can be rotated without downtime.

A personal field (an ID number, a phone number) is stored twice: AES-256-GCM
ciphertext that only the service can open, and an HMAC-SHA256 "blind index" so a
duplicate or a lookup by value needs no decryption. The database alone reveals neither.

Rotation: a token written today starts ``v1.<key id>.`` (the first 8 hex digits of the
key's SHA-256), so it names the key that opens it; a token without the prefix was written
before rotation existed and is opened by the original key. ``rotate`` adds a new key file
beside the old; every process reads the ring again when it meets a key id it does not
know, and writes with the newest key it has. ``rotation.reencrypt`` then rewrites old rows
in small batches while everything stays readable; ``retire`` drops a key no row uses.
The blind-index key is not rotated (lookups and uniqueness depend on it).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from liveguard.keystore import load_or_create_key

NONCE_BYTES = 12
TOKEN_PREFIX = "v1."
ORIGINAL_KEY_FILE = "field-encryption.key"
_ROTATED = re.compile(r"^field-encryption\.(\d+)\.key$")


def key_id(key: bytes) -> str:
    """A key's public name in the tokens it seals: not secret, not reversible."""
    return hashlib.sha256(key).hexdigest()[:8]


def token_key_id(token: str) -> str | None:
    """The key id a token names, or None for a token from before rotation."""
    if token.startswith(TOKEN_PREFIX):
        return token[len(TOKEN_PREFIX) : len(TOKEN_PREFIX) + 8]
    return None


def _ring_files(key_dir: Path) -> list[tuple[int, Path]]:
    """The key files in order of age: the original (generation 0), then each rotation."""
    found = [(0, key_dir / ORIGINAL_KEY_FILE)] if (key_dir / ORIGINAL_KEY_FILE).exists() else []
    if key_dir.is_dir():
        for path in key_dir.iterdir():
            if matched := _ROTATED.match(path.name):
                found.append((int(matched.group(1)), path))
    return sorted(found)


class FieldCipher:
    """Seal and open personal fields; ``encryption_key`` is the one new tokens use."""

    def __init__(
        self,
        *,
        encryption_key: bytes,
        index_key: bytes,
        older_keys: tuple[bytes, ...] = (),
        key_dir: Path | None = None,
        original_key: bytes | None = None,
    ) -> None:
        self.index_key = index_key
        self.key_dir = key_dir
        self._set_ring(encryption_key, older_keys, original_key)

    def _set_ring(self, current: bytes, older: tuple[bytes, ...], original: bytes | None) -> None:
        self.encryption_key = current
        self.keys = {key_id(k): k for k in (*older, current)}
        # A token without a key id was sealed by the key in use before rotation existed.
        self.original_key = original if original is not None else (older or (current,))[0]

    @classmethod
    def from_key_dir(cls, key_dir: Path) -> FieldCipher:
        original = load_or_create_key(key_dir / ORIGINAL_KEY_FILE)
        cipher = cls(
            encryption_key=original,
            index_key=load_or_create_key(key_dir / "field-index.key"),
            key_dir=key_dir,
            original_key=original,
        )
        cipher.reload()
        return cipher

    def reload(self) -> None:
        """Read the key ring from the key directory again (a key was rotated or retired)."""
        if self.key_dir is None:
            return
        keys = [load_or_create_key(path) for _, path in _ring_files(self.key_dir)]
        if not keys:
            return
        original = self.original_key
        if (self.key_dir / ORIGINAL_KEY_FILE).exists():
            original = (self.key_dir / ORIGINAL_KEY_FILE).read_bytes()
        self._set_ring(keys[-1], tuple(keys[:-1]), original)

    @property
    def current_key_id(self) -> str:
        return key_id(self.encryption_key)

    def encrypt(self, plaintext: str, *, context: str) -> str:
        """Ciphertext bound to ``context`` (e.g. ``anchor.id_number``) so it can't be moved."""
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(self.encryption_key).encrypt(nonce, plaintext.encode(), context.encode())
        body = base64.urlsafe_b64encode(nonce + sealed).decode()
        return f"{TOKEN_PREFIX}{self.current_key_id}.{body}"

    def _key_for(self, token: str) -> tuple[bytes, str]:
        named = token_key_id(token)
        if named is None:
            return self.original_key, token
        if named not in self.keys:
            self.reload()  # rotated by another process since this one started
        if named not in self.keys:
            raise KeyError(f"field-encryption key {named} is not in the key ring")
        return self.keys[named], token[len(TOKEN_PREFIX) + 9 :]

    def decrypt(self, token: str, *, context: str) -> str:
        key, body = self._key_for(token)
        raw = base64.urlsafe_b64decode(body.encode())
        return AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode()).decode()

    def needs_rewrap(self, token: str) -> bool:
        """Whether a token was sealed by a key other than the current one."""
        return token_key_id(token) != self.current_key_id

    def rewrap(self, token: str, *, context: str) -> str:
        """The same field sealed under the current key."""
        return self.encrypt(self.decrypt(token, context=context), context=context)

    def blind_index(self, value: str, *, context: str) -> str:
        return hmac.new(
            self.index_key, f"{context}\x00{value}".encode(), hashlib.sha256
        ).hexdigest()

    def pseudonym(self, kind: str, record_id: int) -> str:
        """A stable pseudonymous id for analytics and exports (个人信息保护法 art. 73(三)
        去标识化): the same person gets the same id in every export, and without the index
        key nobody can turn it back into a record id."""
        digest = hmac.new(self.index_key, f"pseudonym\x00{kind}\x00{record_id}".encode(), "sha256")
        return f"p_{digest.hexdigest()[:20]}"


def rotate(key_dir: Path) -> Path:
    """A new field-encryption key file, the newest of the ring; old keys stay to read."""
    generations = [g for g, _ in _ring_files(key_dir)]
    if not generations:
        load_or_create_key(key_dir / ORIGINAL_KEY_FILE)
        generations = [0]
    path = key_dir / f"field-encryption.{max(generations) + 1}.key"
    load_or_create_key(path)
    return path


def retire(key_dir: Path, *, keep: set[str]) -> list[str]:
    """Delete every key file whose key id is not in ``keep`` (the ids rows still use, and
    the current key): the files removed. The original key's file is emptied of meaning by
    rewriting it with the current key, so a fresh process still finds a ring."""
    removed: list[str] = []
    files = _ring_files(key_dir)
    if not files:
        return removed
    current = load_or_create_key(files[-1][1])
    for generation, path in files[:-1]:
        if key_id(path.read_bytes()) in keep:
            continue
        removed.append(key_id(path.read_bytes()))
        if generation == 0:
            path.write_bytes(current)  # tokens without a key id: none are left
        else:
            path.unlink()
    return removed
