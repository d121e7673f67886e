"""A full audit of the stored log against its signed checkpoints, in the database and in
the checkpoint log outside it (see witness.py).

Streams every leaf once, in order, rebuilding the tree with a ``Frontier``: a leaf whose
bytes no longer match its hash, a missing or moved row, a stored subtree that differs
from the rebuilt one, a tree state that is not the rebuilt tree, a checkpoint whose
signature fails or whose root the rebuilt tree does not reach at that size, a witnessed
checkpoint the database no longer holds: each is a problem in plain words. This is what
a consistency check between an old checkpoint and the current log amounts to when the
checker may read the whole log; outsiders with only proofs use ``merkle.verify_consistency``.

The report is a summary a person can read however broken the log is: the first problem
of each kind and how many more, the count, and which items the problems point at; in
Chinese by default, English on request (sentences: data/labels.yaml, kind ``cli.audit``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from liveguard import labels
from liveguard.clock import CHINA
from liveguard.evidence import merkle
from liveguard.evidence import service as ledger
from liveguard.evidence.models import Checkpoint, LedgerLeaf, LedgerNode
from liveguard.evidence.signing import verify_signature
from liveguard.evidence.witness import CheckpointLog

BATCH = 10_000
MAX_PROBLEMS = 50  # past this the log is plainly broken; stop counting
WORDS = "cli.audit"

# Kinds of problem, as the summary names them.
FORGED = "forged checkpoint"
UNWITNESSED = "witnessed checkpoint gone from the database"
UNREADABLE = "unreadable checkpoint log line"
MISSING = "missing items"
CHANGED = "changed item"
NOT_REACHED = "checkpoint not reached"
SHORT = "checkpoint beyond the stored log"
SUBTREE = "changed subtree"
STATE = "tree state"


@dataclass(frozen=True)
class Problem:
    kind: str
    code: str  # its sentence in cli.audit
    slots: dict[str, object]
    items: tuple[int, int] | None = None  # the first and last item it points at

    def text(self, lang: labels.Lang = "zh") -> str:
        slots = {k: v(lang) if callable(v) else v for k, v in self.slots.items()}
        return labels.say(WORDS, self.code, lang, **slots)


@dataclass
class AuditReport:
    leaves: int = 0
    checkpoints: int = 0
    witnessed: int | None = None  # lines in the checkpoint log; None: no log was given
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(
        self, kind: str, code: str, items: tuple[int, int] | None = None, **slots: object
    ) -> None:
        self.problems.append(Problem(kind, code, slots, items))

    def lines(self, lang: labels.Lang = "zh") -> list[str]:
        def say(code: str, **slots: object) -> str:
            return labels.say(WORDS, code, lang, **slots)

        head = say("head", leaves=self.leaves, checkpoints=self.checkpoints)
        if self.witnessed is None:
            head += say("no_witness")
        else:
            head += say("witnessed", count=self.witnessed)
        if self.ok:
            if self.checkpoints == 0 and not self.witnessed:
                return [head, say("verdict_unanchored")]
            return [head, say("verdict_ok")]
        first_of_kind: dict[str, list[Problem]] = {}
        for problem in self.problems:
            first_of_kind.setdefault(problem.kind, []).append(problem)
        lines = [head]
        for same in first_of_kind.values():
            more = say("more_like_it", count=len(same) - 1) if len(same) > 1 else ""
            lines.append(say("fail_mark") + same[0].text(lang) + more)
        count = len(self.problems)
        lines.append(
            say("count_one" if count == 1 else "count", count=count)
            + (say("stopped_counting") if count >= MAX_PROBLEMS else "")
        )
        where = _ranges(p.items for p in self.problems)
        if where:
            lines.append(say("where", items=where))
        lines.append(say("verdict_altered"))
        return lines


@dataclass(frozen=True)
class _Claim:
    """A signed statement that the log's first ``tree_size`` items have root ``root``."""

    name: Callable[[labels.Lang], str]
    tree_size: int
    root: bytes


def audit(
    *, db_session: Session, public_key: bytes, witness: CheckpointLog | None = None
) -> AuditReport:
    report = AuditReport()
    claims = _claims(db_session, public_key, witness, report)
    pending = sorted((c for c in claims if c.tree_size > 0), key=lambda c: c.tree_size)
    reached: list[int] = [0]  # sizes at which a checkpoint's root was reached
    frontier = merkle.Frontier()
    expected_seq = 0
    for batch in _leaf_batches(db_session):
        completed: list[merkle.Node] = []
        for leaf in batch:
            if leaf.seq != expected_seq:
                report.add(
                    MISSING,
                    "missing",
                    (expected_seq, leaf.seq - 1),
                    first=expected_seq,
                    last=leaf.seq - 1,
                )
            expected_seq = leaf.seq + 1
            if not ledger.item_intact(leaf):
                report.add(CHANGED, "changed", (leaf.seq, leaf.seq), seq=leaf.seq)
            completed.extend(
                frontier.append(merkle.hash_leaf(leaf.data.encode()))[ledger.NODE_FLOOR :]
            )
            while pending and pending[0].tree_size == frontier.size:
                claim = pending.pop(0)
                if frontier.root() == claim.root:
                    reached.append(claim.tree_size)
                else:
                    report.add(
                        NOT_REACHED,
                        "not_reached",
                        (max(s for s in reached if s < claim.tree_size), claim.tree_size - 1),
                        name=claim.name,
                        size=claim.tree_size,
                    )
        _compare_nodes(db_session, completed, report)
        if len(report.problems) >= MAX_PROBLEMS:
            break
    report.leaves = frontier.size
    size, root = ledger.current_root(db_session=db_session)
    if frontier.size != size:
        report.add(STATE, "state_size", size=size, stored=frontier.size)
    elif root != frontier.root():
        report.add(STATE, "state_root", size=size)
    for claim in pending:
        report.add(
            SHORT,
            "short",
            (frontier.size, claim.tree_size - 1),
            name=claim.name,
            size=claim.tree_size,
            stored=frontier.size,
        )
    return report


def _claims(
    db_session: Session, public_key: bytes, witness: CheckpointLog | None, report: AuditReport
) -> list[_Claim]:
    """Every checkpoint to check the log against: the database's, and the checkpoint
    log's that the database no longer holds (which is itself a problem)."""
    checkpoints = list(db_session.scalars(select(Checkpoint).order_by(Checkpoint.tree_size)))
    report.checkpoints = len(checkpoints)
    claims = []
    stored = set()
    for checkpoint in checkpoints:
        body = ledger.checkpoint_body(checkpoint)
        if not verify_signature(public_key, body, bytes(checkpoint.signature)):
            report.add(
                FORGED, "forged", name=_stored_name(checkpoint.id), size=checkpoint.tree_size
            )
        stored.add((body.note(), bytes(checkpoint.signature)))
        claims.append(
            _Claim(_stored_name(checkpoint.id), checkpoint.tree_size, bytes(checkpoint.root_hash))
        )
    if witness is None:
        return claims
    witnessed, unreadable = witness.read()
    report.witnessed = len(witnessed) + len(unreadable)
    for text in unreadable:
        report.add(UNREADABLE, "unreadable", problem=text)
    for entry in witnessed:
        size = entry.body.tree_size
        if not verify_signature(public_key, entry.body, entry.signature):
            report.add(FORGED, "forged", name=_log_name(entry.line), size=size)
            continue
        if (entry.body.note(), entry.signature) in stored:
            continue
        issued = entry.body.issued_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")
        report.add(UNWITNESSED, "unwitnessed", name=_log_name(entry.line), size=size, issued=issued)
        claims.append(_Claim(_log_name(entry.line), size, entry.body.root_hash))
    return claims


def _ranges(spans: Iterator[tuple[int, int] | None]) -> str:
    """``5, 7..9, 12..19``: the items the problems point at, merged, at most ten spans."""
    merged: list[list[int]] = []
    for first, last in sorted(s for s in spans if s is not None):
        if merged and first <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    shown = [str(a) if a == b else f"{a}..{b}" for a, b in merged[:10]]
    return ", ".join(shown) + (f" and {len(merged) - 10} more spans" if len(merged) > 10 else "")


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
            items = (index << level, ((index + 1) << level) - 1)
            if index not in stored:
                report.add(SUBTREE, "subtree_missing", items, level=level, index=index)
            elif bytes(stored[index]) != value:
                report.add(SUBTREE, "subtree_changed", items, level=level, index=index)


def _stored_name(checkpoint_id: int) -> Callable[[labels.Lang], str]:
    return lambda lang: labels.say(WORDS, "stored_checkpoint", lang, id=checkpoint_id)


def _log_name(line: int) -> Callable[[labels.Lang], str]:
    return lambda lang: labels.say(WORDS, "log_checkpoint", lang, line=line)
