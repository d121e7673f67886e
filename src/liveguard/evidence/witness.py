"""The checkpoint log: a witness of every signed checkpoint, kept outside the database.

Somebody who can write to the database can cut the log's tail, rewrite its items and
their stored hashes, reset the tree state and delete the checkpoints that would give
them away: the database alone then audits as intact. So each checkpoint, once its
transaction has committed, is also appended as one line to a file in the data
directory (opened append-only, flushed to disk), and the audit checks the stored log
against every line there as well. The file holds only signed notes: it is public
information, and a forged or altered line fails its signature.

One line per checkpoint, JSON: ``{"note": <the signed note>, "signature": <hex>,
"key_id": <hex>}``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

from liveguard.evidence.signing import CheckpointBody

_PENDING = "liveguard.witness.pending"  # db_session.info key: lines to write on commit


@dataclass(frozen=True)
class WitnessedCheckpoint:
    line: int  # 1-based line number in the file
    body: CheckpointBody
    signature: bytes
    key_id: str

    @property
    def name(self) -> str:
        return f"checkpoint log line {self.line}"


@dataclass(frozen=True)
class CheckpointLog:
    path: Path

    def append(self, body: CheckpointBody, signature: bytes, key_id: str) -> None:
        """Append one checkpoint and flush it to disk; the file is created 0600."""
        line = json.dumps(
            {"note": body.note().decode(), "signature": signature.hex(), "key_id": key_id},
            sort_keys=True,
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, (line + "\n").encode())
            os.fsync(fd)
        finally:
            os.close(fd)

    def read(self) -> tuple[list[WitnessedCheckpoint], list[str]]:
        """The checkpoints in the file, and a problem for each line that cannot be read."""
        try:
            text = self.path.read_text("utf-8")
        except FileNotFoundError:
            return [], []
        found: list[WitnessedCheckpoint] = []
        problems: list[str] = []
        for number, line in enumerate(text.splitlines(), start=1):
            try:
                entry = json.loads(line)
                found.append(
                    WitnessedCheckpoint(
                        number,
                        CheckpointBody.parse(entry["note"].encode()),
                        bytes.fromhex(entry["signature"]),
                        str(entry.get("key_id", "")),
                    )
                )
            except (ValueError, KeyError, TypeError, AttributeError) as error:
                problems.append(f"checkpoint log line {number} cannot be read ({error})")
        return found, problems

    def append_on_commit(
        self, db_session: Session, body: CheckpointBody, signature: bytes, key_id: str
    ) -> None:
        """Append the checkpoint once ``db_session`` commits; forget it on a rollback.

        Written after the commit, never before: a line for a checkpoint whose items
        were rolled back would name a tree that never existed."""
        pending: list[tuple[CheckpointLog, CheckpointBody, bytes, str]] | None
        pending = db_session.info.get(_PENDING)
        if pending is None:
            pending = db_session.info[_PENDING] = []
            event.listen(db_session, "after_commit", _write_pending)
            event.listen(db_session, "after_rollback", _forget_pending)
        pending.append((self, body, signature, key_id))


def _write_pending(db_session: Session) -> None:
    pending = db_session.info.get(_PENDING, [])
    while pending:
        log, body, signature, key_id = pending.pop(0)
        log.append(body, signature, key_id)


def _forget_pending(db_session: Session) -> None:
    db_session.info.get(_PENDING, []).clear()
