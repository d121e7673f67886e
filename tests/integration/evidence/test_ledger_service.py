"""The ledger on a real database: appends, proofs, signed checkpoints, tampering caught."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from liveguard.errors import InvalidInput
from liveguard.evidence import canonical, merkle
from liveguard.evidence import service as ledger
from liveguard.evidence.schemas import RecordIn, RecordKind
from liveguard.evidence.signing import Signer, verify_signature

AT = datetime(2026, 2, 16, 12, 0, tzinfo=UTC)


def utterance(n: int) -> RecordIn:
    return RecordIn(
        kind=RecordKind.utterance,
        occurred_at=AT,
        where={"platform": "xinghe", "room": "XH-880231"},
        who={"anchor_id": 1, "role": "assistant"},
        data={"text": f"line {n}: 加我们薇信，可以提前发货", "start_ms": n * 1000},
    )


@pytest.fixture
def signer(data_dir) -> Signer:
    return Signer.from_key_dir(data_dir / "keys")


def test_appends_build_the_rfc_tree_and_every_item_proves(db, signer):
    sizes = [1, 2, 5, 1, 13]  # batches of several sizes, so frontiers carry across
    with db() as session:
        for batch in sizes:
            ledger.append(db_session=session, records=[utterance(i) for i in range(batch)])
    with db() as session:
        size, root = ledger.current_root(db_session=session)
        assert size == sum(sizes)
        leaves = [bytes(session.get(ledger.LedgerLeaf, i).leaf_hash) for i in range(size)]
        assert root == merkle.root_of(leaves)
        checkpoint = ledger.issue_checkpoint(db_session=session, signer=signer)
        for seq in range(size):
            path = ledger.inclusion_proof(db_session=session, seq=seq, size=size)
            merkle.verify_inclusion(seq, size, leaves[seq], path, bytes(checkpoint.root_hash))
        for first in range(size + 1):
            proof = ledger.consistency_proof(db_session=session, first=first, second=size)
            merkle.verify_consistency(first, size, merkle.root_of(leaves[:first]), root, proof)
        body = ledger.checkpoint_body(checkpoint)
        assert verify_signature(signer.public_key, body, bytes(checkpoint.signature))


def test_a_leaf_holds_the_canonical_record(db):
    with db() as session:
        (appended,) = ledger.append(db_session=session, records=[utterance(7)])
        leaf = ledger.get_item(db_session=session, seq=appended.seq)
        assert bytes(leaf.leaf_hash) == appended.leaf_hash
        record = canonical.decode(leaf.data.encode())
    assert record["kind"] == "utterance"
    assert record["occurred_at"] == "2026-02-16T12:00:00.000000Z"
    assert record["data"]["text"] == "line 7: 加我们薇信，可以提前发货"
    assert ledger.item_intact(leaf)


def test_a_float_is_refused_before_anything_is_stored(db):
    bad = utterance(1).model_copy(update={"data": {"price": 6.69}})
    with pytest.raises(InvalidInput, match=r"records\.1.*floats"), db() as session:
        ledger.append(db_session=session, records=[utterance(0), bad])
    with db() as session:
        assert ledger.tree_size(db_session=session) == 0


def test_a_changed_leaf_is_caught_by_its_hash_and_by_the_signed_root(db, engine, signer):
    with db() as session:
        ledger.append(db_session=session, records=[utterance(i) for i in range(6)])
        checkpoint = ledger.issue_checkpoint(db_session=session, signer=signer)
        root = bytes(checkpoint.root_hash)
    forged = canonical.encode({**canonical.decode(_data(engine, 3)), "data": {"text": "ok"}})
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE evidence_leaves SET data = :d WHERE seq = 3"), {"d": forged.decode()}
        )
    with db() as session:
        assert not ledger.item_intact(ledger.get_item(db_session=session, seq=3))
    # Rewriting the stored hash too does not help: the path no longer reaches the root.
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE evidence_leaves SET leaf_hash = :h WHERE seq = 3"),
            {"h": merkle.hash_leaf(forged)},
        )
    with db() as session:
        leaf = ledger.get_item(db_session=session, seq=3)
        assert ledger.item_intact(leaf)
        path = ledger.inclusion_proof(db_session=session, seq=3, size=6)
        with pytest.raises(merkle.RootMismatch):
            merkle.verify_inclusion(3, 6, bytes(leaf.leaf_hash), path, root)


def test_proof_requests_outside_the_log_name_the_field(db):
    with db() as session:
        ledger.append(db_session=session, records=[utterance(0), utterance(1)])
    with db() as session, pytest.raises(InvalidInput) as error:
        ledger.inclusion_proof(db_session=session, seq=0, size=3)
    assert error.value.problems[0].field == "tree_size"
    with db() as session, pytest.raises(InvalidInput) as error:
        ledger.consistency_proof(db_session=session, first=3, second=2)
    assert error.value.problems[0].field == "first"


def _data(engine, seq: int) -> bytes:
    with engine.connect() as connection:
        return (
            connection.execute(text("SELECT data FROM evidence_leaves WHERE seq = :s"), {"s": seq})
            .scalar_one()
            .encode()
        )


def _sealed(n: int, subject: str) -> RecordIn:
    return utterance(n).model_copy(update={"subject": subject, "personal": {"phone": f"1380{n}"}})


def test_a_batch_seals_under_one_key_a_subject_made_once_and_an_erased_one_refuses_it(db):
    from liveguard.errors import Conflict
    from liveguard.evidence import subjects

    with db() as session:
        ledger.append(db_session=session, records=[_sealed(0, "viewer:1:a")])
        first = subjects.key_for(db_session=session, subject_ref="viewer:1:a")
        records = [_sealed(1, "viewer:1:a"), _sealed(2, "viewer:1:b"), _sealed(3, "viewer:1:b")]
        appended = ledger.append(db_session=session, records=records)
        keys = subjects.keys_for(db_session=session, subject_refs=["viewer:1:a", "viewer:1:b"])
        assert keys["viewer:1:a"].id == first.id  # the existing key, not a new one
        key_ids = [
            canonical.decode(ledger.get_item(db_session=session, seq=a.seq).data.encode())[
                "personal"
            ]["key_id"]
            for a in appended
        ]
        assert key_ids == [first.id, keys["viewer:1:b"].id, keys["viewer:1:b"].id]
        for a, record in zip(appended, records, strict=True):
            sealed = canonical.decode(ledger.get_item(db_session=session, seq=a.seq).data.encode())
            assert subjects.open_sealed(db_session=session, sealed=sealed["personal"]) == (
                record.personal
            )
        subjects.erase(db_session=session, subject_ref="viewer:1:b", reason="asked")
        size = ledger.tree_size(db_session=session)
        with pytest.raises(Conflict):
            ledger.append(
                db_session=session, records=[_sealed(4, "viewer:1:c"), _sealed(5, "viewer:1:b")]
            )
        assert ledger.tree_size(db_session=session) == size
