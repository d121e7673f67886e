"""Subtrees below level 3 are not stored; proofs hash them, and revision 0005 migrates."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from liveguard import migrations
from liveguard.evidence import merkle
from liveguard.evidence import service as ledger
from tests.integration.evidence.test_ledger_service import utterance


def _levels(engine) -> dict[int, int]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT level, COUNT(*) FROM evidence_nodes GROUP BY level"))
        return dict(rows.all())


def _prove_all(db, size: int) -> None:
    with db() as session:
        leaves = [bytes(session.get(ledger.LedgerLeaf, i).leaf_hash) for i in range(size)]
        root = merkle.root_of(leaves)
        for seq in range(size):
            path = ledger.inclusion_proof(db_session=session, seq=seq, size=size)
            merkle.verify_inclusion(seq, size, leaves[seq], path, root)
        for first in range(1, size + 1):
            proof = ledger.consistency_proof(db_session=session, first=first, second=size)
            merkle.verify_consistency(first, size, merkle.root_of(leaves[:first]), root, proof)


def test_only_subtrees_from_the_floor_up_are_stored(db, engine):
    with db() as session:
        ledger.append(db_session=session, records=[utterance(i) for i in range(37)])
    assert _levels(engine) == {3: 4, 4: 2, 5: 1}
    _prove_all(db, 37)


def test_revision_0005_round_trips_the_lower_levels(db, engine, database_url):
    with db() as session:
        ledger.append(db_session=session, records=[utterance(i) for i in range(20)])
    config = migrations.alembic_config(database_url)
    engine.dispose()  # the migration needs the SQLite file to itself
    command.downgrade(config, "0004")
    try:
        assert _levels(engine) == {1: 10, 2: 5, 3: 2, 4: 1}
        with engine.connect() as connection:
            stored = connection.execute(
                text('SELECT hash FROM evidence_nodes WHERE level = 2 AND "index" = 4')
            ).scalar_one()
            leaves = connection.execute(
                text("SELECT leaf_hash FROM evidence_leaves WHERE seq BETWEEN 16 AND 19")
            ).scalars()
            assert bytes(stored) == merkle.root_of([bytes(h) for h in leaves])
    finally:
        migrations.upgrade(database_url)
    assert _levels(engine) == {3: 2, 4: 1}
    _prove_all(db, 20)
