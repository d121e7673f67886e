"""Secret keys kept as files under the data directory, created on first use, mode 0600."""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path


def _create(path: Path, size: int) -> bytes:
    """Write the key to a private temporary file, then link it into place.

    The link is atomic and fails if the name exists, so when two processes start at
    once, one key wins and the loser reads the complete file, never a half-written one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(size)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".key-")  # created with mode 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(key)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return path.read_bytes()
        return key
    finally:
        os.unlink(tmp)


def load_or_create_key(path: Path, *, size: int = 32) -> bytes:
    """Read a raw key file, or create it atomically with owner-only permissions."""
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        key = _create(path, size)
    if len(key) != size:
        raise ValueError(f"key file {path} holds {len(key)} bytes, expected {size}")
    return key
