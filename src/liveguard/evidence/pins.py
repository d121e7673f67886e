"""Keys a person checking bundles has chosen to trust, pinned in a file of their own.

A bundle carries the key that signed it, so a bundle made by anyone with any key checks
out against itself. What makes it evidence is that the key is the platform's: the
person compares the key's fingerprint with the one the platform publishes once, pins it
(``liveguard verify --trust-key HEX``), and from then on ``liveguard verify`` compares
every bundle's key with the pinned ones.

The file is plain text, a key a line: ``<64 hex digits> <a note>``; ``#`` starts a comment.
"""

from __future__ import annotations

import os
from pathlib import Path

from liveguard.evidence.signing import fingerprint

KEY_SIZE = 32  # Ed25519 public keys


def default_pin_file() -> Path:
    """``$XDG_CONFIG_HOME/liveguard/pinned-keys`` (``~/.config`` when unset)."""
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "liveguard" / "pinned-keys"


def parse_key(text: str) -> bytes:
    """A raw Ed25519 public key from its hex, or a ValueError saying what is wrong."""
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        raise ValueError(f"{text.strip()[:80]!r} is not a hex key") from None
    if len(key) != KEY_SIZE:
        raise ValueError(f"a key is {KEY_SIZE} bytes ({2 * KEY_SIZE} hex digits), not {len(key)}")
    return key


def read(path: Path) -> dict[bytes, str]:
    """The pinned keys and their notes; none when the file does not exist."""
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        return {}
    keys: dict[bytes, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        key_hex, _, note = line.partition(" ")
        try:
            keys[parse_key(key_hex)] = note.strip()
        except ValueError as error:
            raise ValueError(f"{path}:{number}: {error}") from None
    return keys


def pin(path: Path, key: bytes, note: str) -> bool:
    """Add ``key`` to the pin file (created private to this user); False if already there."""
    if key in read(path):
        return False
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, f"{key.hex()} {note}  # fingerprint {fingerprint(key)}\n".encode())
    finally:
        os.close(fd)
    return True
