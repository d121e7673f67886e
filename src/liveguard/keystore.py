"""Secret keys kept as files under the data directory, created on first use, mode 0600."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def load_or_create_key(path: Path, *, size: int = 32) -> bytes:
    """Read a raw key file, or create it atomically with owner-only permissions."""
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(size)
        # O_EXCL: if two processes race on first start, one wins and the other reads its key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_bytes()
        with os.fdopen(fd, "wb") as handle:
            handle.write(key)
        return key
    if len(key) != size:
        raise ValueError(f"key file {path} holds {len(key)} bytes, expected {size}")
    return key
