"""A full audit of the stored log against its own signed checkpoints.

Streams every leaf once, in order, rebuilding the tree with a ``Frontier``: a leaf whose
bytes no longer match its hash, a missing or moved row, a stored subtree that differs
from the rebuilt one, a checkpoint whose signature fails or whose root the rebuilt tree
does not reach at that size: each is reported in plain words. This is what a consistency
check between an old checkpoint and the current log amounts to when the checker may
read the whole log; outsiders with only proofs use ``merkle.verify_consistency``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from liveguard.evidence import merkle
from liveguard.evidence import service as ledger
from liveguard.evidence.models import Checkpoint, LedgerLeaf, LedgerNode
from liveguard.evidence.signing import verify_signature

BATCH = 10_000
MAX_PROBLEMS = 50  # past this the log is plainly broken; stop listing


@dataclass
class AuditReport:
    leaves: int = 0
    checkpoints: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        head = f"audited {self.leaves} items and {self.checkpoints} signed checkpoints"
        if self.ok:
            return [head, "VERDICT: the log is intact and consistent with every checkpoint."]
        return [
            head,
            *(f"FAIL {p}" for p in self.problems),
            "VERDICT: the log has been altered: see the FAIL lines.",
        ]


def audit(*, db_session: Session, public_key: bytes) -> AuditReport:
    report = AuditReport()
    checkpoints = list(db_session.scalars(select(Checkpoint).order_by(Checkpoint.tree_size)))
    report.checkpoints = len(checkpoints)
    for checkpoint in checkpoints:
        body = ledger.checkpoint_body(checkpoint)
        if not verify_signature(public_key, body, bytes(checkpoint.signature)):
            report.problems.append(
                f"checkpoint {checkpoint.id} (size {checkpoint.tree_size}) "
                "does not carry a valid signature: it was forged or altered"
            )
    pending = [c for c in checkpoints if c.tree_size > 0]
    frontier = merkle.Frontier()
    expected_seq = 0
    for batch in _leaf_batches(db_session):
        completed: list[merkle.Node] = []
        for leaf in batch:
            if leaf.seq != expected_seq:
                report.problems.append(
                    f"items {expected_seq}..{leaf.seq - 1} are missing from the stored log"
                )
            expected_seq = leaf.seq + 1
            if not ledger.item_intact(leaf):
                report.problems.append(f"item {leaf.seq}: its stored bytes do not match its hash")
            completed.extend(
                frontier.append(merkle.hash_leaf(leaf.data.encode()))[ledger.NODE_FLOOR :]
            )
            while pending and pending[0].tree_size == frontier.size:
                checkpoint = pending.pop(0)
                if frontier.root() != bytes(checkpoint.root_hash):
                    report.problems.append(
                        f"the stored log no longer reaches the root signed in checkpoint "
                        f"{checkpoint.id} at size {checkpoint.tree_size}"
                    )
        _compare_nodes(db_session, completed, report)
        if len(report.problems) >= MAX_PROBLEMS:
            break
    report.leaves = frontier.size
    size = ledger.tree_size(db_session=db_session)
    if frontier.size != size:
        report.problems.append(f"the log says it holds {size} items; {frontier.size} are stored")
    for checkpoint in pending:
        report.problems.append(
            f"checkpoint {checkpoint.id} signed {checkpoint.tree_size} "
            f"items; only {frontier.size} are stored"
        )
    return report


def _leaf_batches(db_session: Session) -> Iterator[list[LedgerLeaf]]:
    last = -1
    while True:
        batch = list(
            db_session.scalars(
                select(LedgerLeaf)
                .where(LedgerLeaf.seq > last)
                .order_by(LedgerLeaf.seq)
                .limit(BATCH)
            )
        )
        if not batch:
            return
        yield batch
        last = batch[-1].seq
        db_session.expunge_all()  # memory stays flat on a large log


def _compare_nodes(db_session: Session, rebuilt: list[merkle.Node], report: AuditReport) -> None:
    """Compare the subtrees a batch completed with the stored ones, a query per level."""
    by_level: dict[int, dict[int, bytes]] = {}
    for node in rebuilt:
        by_level.setdefault(node.level, {})[node.index] = node.hash
    for level, nodes in by_level.items():
        stored = dict(
            db_session.execute(
                select(LedgerNode.index, LedgerNode.hash).where(
                    LedgerNode.level == level, LedgerNode.index.between(min(nodes), max(nodes))
                )
            ).all()
        )
        for index, value in sorted(nodes.items()):
            if index not in stored:
                report.problems.append(f"stored subtree at level {level}, index {index} is missing")
            elif bytes(stored[index]) != value:
                report.problems.append(
                    f"stored subtree at level {level}, index {index} "
                    "differs from the one rebuilt from the items"
                )
